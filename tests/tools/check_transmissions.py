#!/usr/bin/python3
"""Checks the transmission log of a real run against its trajectories (docs/output.md).

usage: check_transmissions.py RESULTS.h5
Per replicate: one entry per infection (as many as `incidence` counts, by layer and seeded),
each infectee once, every infector infected on an earlier day, seeds without infector or place.
"""
import sys

import h5py
import numpy as np

LAYER_EVENTS = ["infections_household", "infections_school", "infections_work",
                "infections_community", "infections_hospital"]


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def check_group(group):
    events = list(group["event"].asstr()[()])
    incidence = group["incidence"][()].sum(axis=(2, 3))  # replicate, day, event
    log = {name: group["transmissions"][name][()] for name in
           ("replicate", "day", "infector", "infectee", "layer", "place")}
    check(len(set(len(v) for v in log.values())) == 1, "columns of different lengths")
    for r in range(incidence.shape[0]):
        mine = log["replicate"] == r
        day, infector, infectee, layer, place = (log[k][mine] for k in
                                                 ("day", "infector", "infectee", "layer", "place"))
        total = incidence[r, :, events.index("infections")].sum()
        check(len(day) == total, f"replicate {r}: {len(day)} entries for {total} infections")
        check(np.all(np.diff(day) >= 0), "entries not in day order")
        check(len(np.unique(infectee)) == len(infectee), "an agent infected twice")
        seeded = infector == -1
        check(seeded.sum() == incidence[r, :, events.index("infections_seeded")].sum(), "seeds")
        check(np.all(place[seeded] == -1) and np.all(place[~seeded] >= 0), "places")
        for index, name in enumerate(LAYER_EVENTS):
            expected = incidence[r, :, events.index(name)].sum()
            check(((layer == index) & ~seeded).sum() == expected, f"{name}: counts differ")
        day_of = dict(zip(infectee.tolist(), day.tolist()))
        for a, b, d in zip(infector[~seeded], infectee[~seeded], day[~seeded]):
            check(a in day_of and day_of[a] < d, f"infector {a} of {b} not infected before day {d}")
        check(total > 100, f"replicate {r}: too few infections ({total}) to test anything")


with h5py.File(sys.argv[1], "r") as f:
    groups = [g for g in f.values() if "transmissions" in g]
    check(len(groups) > 0, "no transmission log")
    for g in groups:
        check_group(g)
print("transmission log consistent with incidence")
