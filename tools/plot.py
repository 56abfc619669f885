#!/usr/bin/python3
"""Plots a sortie result file: hospital and ICU occupancy, daily infections and deaths against
calendar dates, one colour per scenario, the median over replicates with 50% and 90% bands.

usage: tools/plot.py RESULTS.h5 [-o PLOT.png] [--reference CSV]

--reference overlays observed series from a CSV with columns date, hospital, icu, deaths
(cumulative), such as France's 2020 national series (see scenarios/data/france-2020/).
Runs with Debian's python3-h5py and python3-matplotlib through /usr/bin/python3.
"""
import argparse
import csv
import datetime as dt
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def daily_series(group):
    """Per replicate and day: hospital (H + C), ICU (C), new infections, new deaths."""
    states = [text(s) for s in group["state"][()]]
    events = [text(e) for e in group["event"][()]]
    counts = group["counts"][()]        # replicate, day, region, age_band, state
    incidence = group["incidence"][()]  # replicate, day, region, age_band, event
    by_state = counts.sum(axis=(2, 3))
    by_event = incidence.sum(axis=(2, 3))
    return {
        "In hospital (ward + ICU)": by_state[:, :, states.index("H")] + by_state[:, :, states.index("C")],
        "In ICU": by_state[:, :, states.index("C")],
        "New infections per day": by_event[:, :, events.index("infections")],
        "Deaths per day": by_event[:, :, events.index("deaths")],
    }


def dates_of(group, days):
    start = dt.date.fromisoformat(text(group.attrs["start_date"]))
    return [start + dt.timedelta(days=d) for d in range(days)]


def read_reference(path):
    rows = list(csv.DictReader(open(path)))
    dates = [dt.date.fromisoformat(r["date"]) for r in rows]

    def column(name):
        return [float(r[name]) if r.get(name) not in (None, "") else np.nan for r in rows]

    deaths = np.array(column("deaths") if "deaths" in rows[0] else [np.nan] * len(rows))
    return {
        "In hospital (ward + ICU)": (dates, column("hospital")),
        "In ICU": (dates, column("icu")),
        "Deaths per day": (dates[1:], np.diff(deaths)),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("-o", "--output", default=None)
    parser.add_argument("--reference", default=None)
    args = parser.parse_args()
    output = args.output or args.results.rsplit(".", 1)[0] + ".png"

    figure, axes = plt.subplots(2, 2, figsize=(13, 8), sharex=True)
    with h5py.File(args.results, "r") as f:
        if int(f.attrs.get("complete", 0)) != 1:
            sys.exit(f"{args.results}: incomplete result file")
        for index, (name, group) in enumerate(f.items()):
            if not isinstance(group, h5py.Group):
                continue
            colour = f"C{index}"
            series = daily_series(group)
            for axis, (title, values) in zip(axes.flat, series.items()):
                dates = dates_of(group, values.shape[1])
                q = np.percentile(values, [5, 25, 50, 75, 95], axis=0)
                axis.fill_between(dates, q[0], q[4], color=colour, alpha=0.15, linewidth=0)
                axis.fill_between(dates, q[1], q[3], color=colour, alpha=0.3, linewidth=0)
                axis.plot(dates, q[2], color=colour, label=f"{name} (n={values.shape[0]})")
                axis.set_title(title)
    if args.reference:
        for title, (dates, values) in read_reference(args.reference).items():
            axis = [a for a in axes.flat if a.get_title() == title][0]
            axis.plot(dates, values, "k.", markersize=3, label="observed")
    for axis in axes.flat:
        axis.grid(alpha=0.3)
        axis.tick_params(axis="x", labelrotation=30)
    axes.flat[0].legend(fontsize=8)
    figure.suptitle(f"{args.results}: median, 50% and 90% ranges over replicates")
    figure.tight_layout()
    figure.savefig(output, dpi=110)
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
