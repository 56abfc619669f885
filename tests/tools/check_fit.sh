#!/usr/bin/env bash
# sortie fit as a user runs it, on scenarios/validation/fit-recovery.
# usage: check_fit.sh SORTIE SOURCE_DIR WORK_DIR command|recovery
#   command:  a small fit gives the same FIT.h5 with 1 and 2 threads (ABC-SMC's parallel
#             batches included); its summary, plot, posterior table and fitted scenario work.
#   recovery: the synthetic data are the model's own (regenerated and compared), and a fit
#             recovers the values that made them (tests/tools/check_fit_recovery.py).
set -euo pipefail
sortie=$1 source=$2 work=$3 mode=$4
rm -rf "$work" && mkdir -p "$work"
recovery=$source/scenarios/validation/fit-recovery

if [ "$mode" = command ]; then
    small=$source/tests/data/fit-threads.yaml
    "$sortie" fit "$small" -o "$work/two.h5" --threads 2 --quiet \
        --write-scenario "$work/fitted.yaml" --write-posterior "$work/posterior.csv"
    "$sortie" fit "$small" -o "$work/one.h5" --threads 1 --quiet
    h5diff --exclude-attribute / "$work/one.h5" "$work/two.h5"
    "$sortie" summary "$work/two.h5" | grep -q "posterior: ABC-SMC, 16 particles"
    "$sortie" summary "$work/two.h5" --json | grep -q '"effective_sample_size"'
    /usr/bin/python3 "$source/tools/plot.py" "$work/two.h5" -o "$work/two.png" | grep -q "wrote"
    test -s "$work/two.png"
    test "$(head -1 "$work/posterior.csv")" = \
        "weight,interventions.lockdown.layers.community,seeding.0.per_million"
    test "$(wc -l < "$work/posterior.csv")" -eq 17
    # The fitted scenario runs, with the values found.
    grep -q "^      community: .*# fitted" "$work/fitted.yaml"
    "$sortie" run "$work/fitted.yaml" --replicates 1 -o "$work/fitted.h5" --quiet
    # Replicates drawn from the posterior: the same draws from FIT.h5 and from its table, with
    # 1 and 2 threads, and in two slices joined by collect; each replicate's values a particle's.
    truth=$recovery/truth.yaml
    run=("$sortie" run "$truth" --replicates 5 --seed 3 --quiet)
    "${run[@]}" --posterior "$work/two.h5" -o "$work/drawn-fit.h5" --threads 2
    "${run[@]}" --posterior "$work/posterior.csv" -o "$work/drawn-csv.h5" --threads 1
    for part in 0 1; do
        "${run[@]}" --posterior "$work/posterior.csv" --task-count 2 --task-index $part \
            -o "$work/drawn-slice-$part.h5"
    done
    "$sortie" collect "$work"/drawn-slice-*.h5 -o "$work/drawn-collected.h5" >/dev/null
    for file in drawn-csv drawn-collected; do
        h5diff --exclude-attribute / --exclude-attribute /fit-recovery-truth \
            "$work/drawn-fit.h5" "$work/$file.h5"
    done
    /usr/bin/python3 "$source/tests/tools/check_posterior_run.py" "$work/drawn-fit.h5" \
        "$work/posterior.csv" "$work/two.h5"
    "$sortie" summary "$work/drawn-fit.h5" | grep -q "parameters drawn from"
    echo "sortie fit: same file with 1 and 2 threads; summary, plot, tables and scenario work;"
    echo "sortie run --posterior: the same draws from FIT.h5, its table and slices"
    exit 0
fi

# truth.csv is what truth.yaml makes (a model change that moves it says so here).
"$recovery/make-truth" "$sortie" "$work/truth.csv"
cmp "$work/truth.csv" "$recovery/truth.csv" || {
    echo "truth.csv is no longer what truth.yaml makes: regenerate it with make-truth" >&2
    exit 1
}
"$sortie" fit "$source/tests/data/fit-recovery-small.yaml" -o "$work/fit.h5" --quiet \
    --write-posterior "$work/posterior.csv"
/usr/bin/python3 "$source/tests/tools/check_fit_recovery.py" "$work/fit.h5" "$work/posterior.csv"
echo "sortie fit: the known values recovered"
