#!/bin/sh
# Job-array slices, the way a user meets them (docs/cluster.md): three slices joined by
# `sortie collect` give the datasets of one run; a lost slice is reported by collect (exit 5,
# listing its tasks) and restored by --only-missing; slices of another run, or a result file,
# are refused.
# usage: check_slices.sh SORTIE SCENARIO_DIR WORK_DIR
set -u
S=$1; SC=$2; D=$3
rm -rf "$D"; mkdir -p "$D"
RUN="$S run $SC/lockdown.yaml $SC/exit-stop-and-go.yaml --set population.size=20000 --set end=2020-06-30 --replicates 3 --quiet"
fail() { echo "FAIL: $*"; exit 1; }

$RUN --threads 2 -o "$D/reference.h5" || fail "reference run"
for i in 0 1 2; do
    $RUN --threads 1 --task-index $i --task-count 3 -o "$D/slice_$i.h5" || fail "slice $i"
done
$S collect "$D"/slice_*.h5 -o "$D/all.h5" || fail "collect"
h5diff --exclude-attribute / "$D/reference.h5" "$D/all.h5" || fail "collected slices differ"

# Six tasks dealt round robin to three slices: slice 1 holds replicate 1 of each scenario.
rm "$D/slice_1.h5"
$S collect "$D/slice_0.h5" "$D/slice_2.h5" -o "$D/partial.h5" 2>"$D/err"; rc=$?
cat "$D/err"
test $rc -eq 5 || fail "collect with a slice missing must exit 5 (exit $rc)"
test ! -e "$D/partial.h5" || fail "collect with a slice missing must write nothing"
grep -q "2 of 6 tasks are missing" "$D/err" &&
    grep -q "  scenario 'france-2020-lockdown': replicate 1$" "$D/err" &&
    grep -q "  scenario 'france-2020-exit-stop-and-go': replicate 1$" "$D/err" ||
    fail "the missing tasks must be listed"

$RUN --only-missing "$D/slice_0.h5" "$D/slice_2.h5" -o "$D/rest.h5" || fail "--only-missing"
$S collect "$D/slice_0.h5" "$D/slice_2.h5" "$D/rest.h5" -o "$D/restored.h5" || fail "collect again"
h5diff --exclude-attribute / "$D/reference.h5" "$D/restored.h5" || fail "restored run differs"

$RUN --seed 7 --task-index 1 --task-count 3 -o "$D/other.h5" || fail "slice of another run"
$S collect "$D/slice_0.h5" "$D/other.h5" -o "$D/mixed.h5" 2>"$D/err"; rc=$?
test $rc -eq 2 && grep -q "other.h5: a slice of another run" "$D/err" ||
    fail "slices of different runs must be refused (exit $rc)"
$S collect "$D/reference.h5" -o "$D/x.h5" 2>"$D/err"; rc=$?
test $rc -eq 2 && grep -q "reference.h5: a result file, not a slice" "$D/err" ||
    fail "a result file must be refused (exit $rc)"
echo "slices + collect give the single run's datasets"
