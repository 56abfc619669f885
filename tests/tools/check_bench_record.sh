#!/bin/sh
# `sortie bench --record` in a problem folder of its own (a tiny size, to be quick): the first
# run without expected.yaml fails, --record writes the checksum and the next run passes; a new
# problem_version makes the recorded checksums stale (FAILED, exit 6) until recorded again.
# usage: check_bench_record.sh SORTIE SCENARIO.yaml FOLDER
S=$1; SCENARIO=$2; D=$3
rm -rf "$D"; mkdir -p "$D"
problem() {
    cat > "$D/problem.yaml" <<EOT
problem_version: $1
scenario: $SCENARIO
sizes:
  small: {agents: 3000, replicates: 2}
  medium: {agents: 4000}
  large: {agents: 5000}
  france: {}
EOT
}
fail() { echo "FAIL: $*"; exit 1; }
problem 1
$S bench --problems "$D" > "$D/out" ; rc=$?
test $rc -eq 6 && grep -q "VERIFICATION: FAILED: no expected.yaml" "$D/out" || fail "no expected.yaml: exit $rc"
$S bench --problems "$D" --record --json > "$D/out.json" || fail "record: exit $?"
/usr/bin/python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["verification"]["status"] == "PASSED"' "$D/out.json" || fail "record --json: not JSON or not passed"
grep -q '^problem_version: 1$' "$D/expected.yaml" || fail "expected.yaml lacks the version"
grep -q '^  small: "[0-9a-f]\{16\}"$' "$D/expected.yaml" || fail "expected.yaml lacks small"
SORTIE_BENCH_PROBLEMS="$D" $S bench --threads 2 > "$D/out" || fail "second run: exit $?"
grep -q "VERIFICATION: PASSED" "$D/out" || fail "second run did not pass"
$S bench --problems "$D" --size medium --record > /dev/null || fail "record medium"
grep -q '^  small: ' "$D/expected.yaml" || fail "recording medium lost small"
problem 2
$S bench --problems "$D" > "$D/out"; rc=$?
test $rc -eq 6 && grep -q "VERIFICATION: FAILED: expected.yaml is for problem version 1, problem.yaml is version 2" "$D/out" || fail "stale: exit $rc"
$S bench --problems "$D" --record > /dev/null || fail "record version 2"
grep -q '^problem_version: 2$' "$D/expected.yaml" || fail "version 2 not recorded"
grep -q '^  medium: ' "$D/expected.yaml" && fail "version 2 kept the checksum of version 1"
cat "$D/expected.yaml"
echo OK
