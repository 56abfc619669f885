#!/usr/bin/env python3
"""Checks a `sortie run --posterior` file against the posterior it drew from.

usage: check_posterior_run.py RUN.h5 POSTERIOR.csv FIT.h5

Each replicate records the values it ran with (`parameters`, labelled by `parameter`), which
must be one particle's of the table; the table must hold FIT.h5's sample exactly; and the
replicates must not all have drawn the same set.
"""
import csv
import sys

import h5py
import numpy as np


def main(run_path, table_path, fit_path):
    with open(table_path) as f:
        rows = list(csv.reader(f))
    keys, table = rows[0][1:], np.array([[float(v) for v in r[1:]] for r in rows[1:]])
    with h5py.File(fit_path, "r") as fit:
        sample = fit["posterior/values"][:] if "posterior/values" in fit else None
    with h5py.File(run_path, "r") as run:
        group = run["fit-recovery-truth"]
        labels = [k.decode() for k in group["parameter"][:]]
        values = group["parameters"][:]
        source = group.attrs["parameters_source"]
        dims = group["parameters"].attrs["dimensions"]
        # The dates are a coordinate of time, which this record does not have.
        assert "coordinates" not in group["parameters"].attrs
        assert group["counts"].attrs["coordinates"] == "date"
        infections = group["incidence"][..., 0].sum(axis=(1, 2, 3))
    assert labels == keys, (labels, keys)
    assert dims == "replicate,parameter", dims
    assert str(source).endswith("two.h5"), source
    assert values.shape == (5, len(keys)), values.shape
    for v in values:
        assert any(np.array_equal(v, row) for row in table), f"{v} is no particle's"
    if sample is not None:
        assert np.array_equal(np.asarray(sample).reshape(table.shape), table)
    # Replicates that drew different sets ran different scenarios.
    distinct = {tuple(v) for v in values}
    assert len(distinct) > 1, "five replicates all drew the same set of 16"
    print(f"{len(distinct)} parameter sets over 5 replicates; infections {infections.tolist()}")


if __name__ == "__main__":
    main(*sys.argv[1:])
