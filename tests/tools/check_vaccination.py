"""Checks the vaccination records of a run of scenarios/france-2021 (both scenarios in one file):
doses only in the vaccinated scenario, the vaccinated stock equal to the cumulative doses, and
fewer deaths with the campaign (paired replicates, same seed)."""
import sys

import h5py
import numpy as np

with h5py.File(sys.argv[1], "r") as f:
    names = [m.decode() if isinstance(m, bytes) else m for m in f["france-2021-vaccination/measure"][()]]
    doses_at, stock_at = names.index("vaccine_doses"), names.index("vaccinated")
    events = [e.decode() if isinstance(e, bytes) else e for e in f["france-2021-vaccination/event"][()]]
    deaths_at = events.index("deaths")
    with_campaign = f["france-2021-vaccination"]
    without = f["france-2021-no-vaccination"]
    doses = with_campaign["measures"][..., doses_at].sum(axis=2)  # [replicate, time]
    stock = with_campaign["measures"][..., stock_at].sum(axis=2)
    assert doses.sum() > 0, "no doses given"
    assert (np.cumsum(doses, axis=1) == stock).all(), "vaccinated stock != cumulative doses"
    assert not without["measures"][()].any(), "doses in the scenario without vaccination"
    d_with = with_campaign["incidence"][..., deaths_at].sum(axis=(1, 2, 3))
    d_without = without["incidence"][..., deaths_at].sum(axis=(1, 2, 3))
    print("doses", int(doses.sum()), "deaths with", d_with, "without", d_without)
    assert (d_with <= d_without).all(), "more deaths with vaccination"
