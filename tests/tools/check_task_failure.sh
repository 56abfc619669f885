#!/bin/sh
# A task that fails at run time (a hospital capacity table with a bad date, read only when
# the scenario's model is built) is reported by scenario and replicate with exit 5; the other scenario's tasks
# are kept in a slice beside the output, which collect reads (listing the failed tasks as
# missing, for --only-missing). A run whose every task fails reports the error itself.
# usage: check_task_failure.sh SORTIE SCENARIO_DIR BAD_SCENARIO WORK_DIR
set -u
S=$1; SC=$2; BAD=$3; D=$4
rm -rf "$D"; mkdir -p "$D"
OPTS="--set population.size=20000 --set end=2020-06-30 --replicates 2 --quiet"
fail() { echo "FAIL: $*"; exit 1; }

$S run $SC/unmitigated.yaml $BAD $OPTS -o "$D/r.h5" 2>"$D/err"; rc=$?
cat "$D/err"
test $rc -eq 5 || fail "a failed task must exit 5 (exit $rc)"
test ! -e "$D/r.h5" || fail "no result file when tasks failed"
grep -q "^sortie: 2 tasks failed:$" "$D/err" &&
    grep -q "  scenario 'fails-at-run-time', replicate 0: .*surge_date: expected a date" "$D/err" &&
    grep -q "  scenario 'fails-at-run-time', replicate 1: .*surge_date: expected a date" "$D/err" ||
    fail "the failed tasks must be named"
test -f "$D/r.h5.finished-tasks.h5" || fail "the finished tasks must be kept"
$S collect "$D/r.h5.finished-tasks.h5" -o "$D/c.h5" 2>"$D/err"; rc=$?
test $rc -eq 5 && grep -q "  scenario 'fails-at-run-time': all 2 replicates" "$D/err" ||
    fail "collect must list the failed tasks as missing (exit $rc)"

# The failing scenario alone: nothing to keep; the error itself (bad input), as before.
$S run $BAD $OPTS -o "$D/bad.h5" 2>"$D/err"; rc=$?
test $rc -eq 2 && grep -q "surge_date: expected a date" "$D/err" && test ! -e "$D/bad.h5.finished-tasks.h5" ||
    fail "a run whose every task fails must report the error (exit $rc)"
echo "failed tasks are reported and the others kept"
