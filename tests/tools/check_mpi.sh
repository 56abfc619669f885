#!/bin/sh
# MPI ensembles (docs/cluster.md): `mpirun -np 2` gives the datasets of a single-process run;
# a worker rank killed mid-run leaves the finished tasks in rank 0's checkpoint, and --resume
# over MPI completes the same file. Needs a build with SORTIE_WITH_MPI.
# usage: check_mpi.sh SORTIE SCENARIO_DIR WORK_DIR
set -u
S=$1; SC=$2; D=$3
rm -rf "$D"; mkdir -p "$D"
MPIRUN="mpirun -np 2 --oversubscribe --bind-to none"
RUN="run $SC/lockdown.yaml $SC/exit-stop-and-go.yaml --set population.size=20000 --set end=2020-06-30 --replicates 3 --quiet"
fail() { echo "FAIL: $*"; exit 1; }

$S $RUN --threads 2 -o "$D/single.h5" || fail "single-process run"
$MPIRUN $S $RUN --threads 1 -o "$D/mpi.h5" || fail "mpirun -np 2"
h5diff --exclude-attribute / "$D/single.h5" "$D/mpi.h5" || fail "the MPI run differs"

# Kill rank 1 once rank 0 holds a finished task; mpirun then ends the job.
BIG="run $SC/lockdown.yaml --set population.size=100000 --set end=2020-06-30 --replicates 8 --quiet"
$S $BIG --threads 2 -o "$D/big-single.h5" || fail "single-process run (8 replicates)"
$MPIRUN $S $BIG --threads 1 --checkpoint-every 1000 -o "$D/big.h5" & pid=$!
i=0
while ! ls "$D/big.h5.checkpoint/" 2>/dev/null | grep -q 'done$'; do
    i=$((i + 1)); test $i -lt 1200 || fail "no finished task after 120 s"
    kill -0 $pid 2>/dev/null || fail "the run ended before its first finished task"
    sleep 0.1
done
for child in $(pgrep -P $pid); do
    if tr '\0' '\n' <"/proc/$child/environ" 2>/dev/null | grep -q '^OMPI_COMM_WORLD_RANK=1$'; then
        kill -KILL "$child" && echo "killed rank 1 (pid $child)"
    fi
done
wait $pid; echo "mpirun exit $?"
test ! -e "$D/big.h5" || fail "a killed rank must leave no result file"
kept=$(ls "$D/big.h5.checkpoint/" | grep -c 'done$')
echo "$kept finished tasks kept"
test "$kept" -ge 1 || fail "the finished tasks must be kept"
$MPIRUN $S $BIG --threads 1 --checkpoint-every 1000 --resume -o "$D/big.h5" || fail "resume"
h5diff --exclude-attribute / "$D/big-single.h5" "$D/big.h5" || fail "the resumed MPI run differs"
echo "MPI runs give the single-process datasets"
