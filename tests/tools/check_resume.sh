#!/bin/sh
# Checkpoints and resume, the way a user meets them (docs/output.md, "Checkpoints"):
# an interrupted run (SIGTERM, then SIGKILL) continued with --resume gives datasets identical
# to an uninterrupted run, whatever the thread counts; a leftover checkpoint is never silently
# discarded; a checkpoint of another run is refused.
# usage: check_resume.sh SORTIE SCENARIO_DIR WORK_DIR
set -u
S=$1; SC=$2; D=$3
rm -rf "$D"; mkdir -p "$D"
RUN="$S run $SC/lockdown.yaml $SC/exit-stop-and-go.yaml --set population.size=60000 --set end=2020-06-30 --replicates 3 --quiet"
fail() { echo "FAIL: $*"; exit 1; }

$RUN --threads 2 -o "$D/reference.h5" || fail "reference run"

# Starts a checkpointed run, waits for its first saved state, sends the signal.
interrupt() {
    $RUN --threads "$1" --checkpoint-every 7 -o "$D/r.h5" $3 & pid=$!
    i=0
    while ! ls "$D/r.h5.checkpoint/" 2>/dev/null | grep -q 'state$'; do
        i=$((i + 1)); test $i -lt 600 || fail "no checkpoint after 60 s"
        kill -0 $pid 2>/dev/null || fail "the run ended before its first checkpoint"
        sleep 0.1
    done
    kill -"$2" $pid; wait $pid; echo "exit $?"
}

interrupt 2 TERM ""
test ! -e "$D/r.h5" || fail "SIGTERM left a result file"
test -f "$D/r.h5.checkpoint/manifest" || fail "no manifest"

$RUN -o "$D/r.h5" 2>"$D/err"; rc=$?
test $rc -eq 2 && grep -q 'an interrupted run left this checkpoint: add --resume' "$D/err" ||
    fail "a leftover checkpoint must be refused without --resume (exit $rc)"
$RUN --seed 7 --resume -o "$D/r.h5" 2>"$D/err"; rc=$?
test $rc -eq 2 && grep -q 'this checkpoint belongs to another run' "$D/err" ||
    fail "a checkpoint of another run must be refused (exit $rc)"

# Resume once more interrupted, this time by SIGKILL, then to the end.
interrupt 1 KILL --resume
test ! -e "$D/r.h5" || fail "SIGKILL left a result file"
ls "$D/r.h5.checkpoint/" | grep -q 'state$' || fail "no replicate state to resume from"
$RUN --threads 1 --checkpoint-every 7 --resume -o "$D/r.h5" || fail "resume"
test ! -e "$D/r.h5.checkpoint" || fail "the checkpoint must be removed once the result is written"
h5diff --exclude-attribute / "$D/reference.h5" "$D/r.h5" || fail "resumed run differs"
echo "resume gives the same datasets"
