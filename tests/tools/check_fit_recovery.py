#!/usr/bin/python3
"""Checks a fit of scenarios/validation/fit-recovery (known truth) written by sortie fit.

usage: check_fit_recovery.py FIT.h5 POSTERIOR.csv
Each true value must lie in the posterior's weighted 95% interval, each point estimate within
two posterior standard deviations of it, and the CSV must hold the sample of the HDF5 file.
(With the test's budget the posterior stays wide; docs/fitting.md shows a larger fit.)
"""
import csv
import sys

import h5py
import numpy as np

TRUTH = {"disease.R0": 2.8, "interventions.lockdown.layers.community": 0.2,
         "seeding.0.per_million": 1000.0}


def weighted_quantile(values, weights, q):
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return values[order][np.searchsorted(cumulative, q * cumulative[-1])]


def main():
    problems = []
    with h5py.File(sys.argv[1], "r") as f:
        keys = [k.decode() for k in f["parameters/key"][:]]
        best = f["parameters/best"][:]
        sample = f["posterior/values"][:]
        weights = f["posterior/weight"][:]
        assert f.attrs["kind"] == "fit" and f.attrs["complete"] == 1
        for name in ("admissions", "icu"):
            target = f["targets"][name]
            assert target["fitted"].shape == target["observed"].shape
    assert abs(weights.sum() - 1) < 1e-9
    for i, key in enumerate(keys):
        values = sample[:, i]
        low, high = (weighted_quantile(values, weights, q) for q in (0.025, 0.975))
        mean = np.sum(weights * values)
        sd = np.sqrt(np.sum(weights * (values - mean) ** 2))
        truth = TRUTH[key]
        print(f"{key}: truth {truth}, best {best[i]:.4g}, posterior mean {mean:.4g} "
              f"sd {sd:.3g}, 95% [{low:.4g}, {high:.4g}]")
        if not low <= truth <= high:
            problems.append(f"{key}: the truth {truth} is outside the 95% interval")
        if abs(best[i] - truth) > 2 * sd:
            problems.append(f"{key}: the best value {best[i]} is more than 2 sd from the truth")
    with open(sys.argv[2]) as f:
        rows = list(csv.reader(f))
    if rows[0] != ["weight"] + keys:
        problems.append(f"posterior CSV header {rows[0]}")
    table = np.array(rows[1:], dtype=float)
    if not (np.array_equal(table[:, 0], weights) and np.array_equal(table[:, 1:], sample)):
        problems.append("the posterior CSV differs from FIT.h5's sample")
    for p in problems:
        print("FAIL:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
