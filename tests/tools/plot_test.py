#!/usr/bin/python3
"""Unit tests of tools/plot.py's logic: which days count as an intervention's period in force,
and how a reference CSV becomes daily series per panel.

usage: plot_test.py PLOT_PY REFERENCE_CSV WRITE_SAMPLE_RUN WORK_DIR
"""
import datetime as dt
import importlib.util
import io
import math
import os
import subprocess
import sys
from contextlib import redirect_stderr

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sealing import require_sealed  # noqa: E402


def load(path):
    spec = importlib.util.spec_from_file_location("plot", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def active(*replicates):
    """active[replicate, day, intervention] from one string per replicate, one intervention:
    '1' in force, '.' not."""
    return np.array([[[c == "1"] for c in r] for r in replicates], dtype=np.int32)


def test_runs(plot):
    assert plot.runs([]) == []
    assert plot.runs([False, False]) == []
    assert plot.runs([True, True, True]) == [(0, 3)]
    assert plot.runs([False, True, True, False, True]) == [(1, 3), (4, 5)]


def test_periods_need_half_of_the_replicates(plot):
    # One replicate: its own days.
    assert plot.periods_in_force(active("..11.1")) == [[(2, 4), (5, 6)]]
    # Three replicates: a day needs two of them (1 of 3 is not half).
    assert plot.periods_in_force(active("111...", ".11...", "..1111")) == [[(1, 3)]]
    # Two replicates: one of two is half, so it counts.
    assert plot.periods_in_force(active("11....", "....11")) == [[(0, 2), (4, 6)]]
    # Four replicates: two of four is half.
    assert plot.periods_in_force(active("1...", "1...", ".1..", "..1.")) == [[(0, 1)]]
    # Nonzero values other than 1 count as in force.
    assert plot.periods_in_force(np.full((1, 3, 1), 7)) == [[(0, 3)]]


def test_periods_per_intervention(plot):
    both = np.zeros((2, 5, 2), dtype=np.int32)
    both[:, 1:3, 0] = 1
    both[0, 4, 1] = 1
    assert plot.periods_in_force(both) == [[(1, 3)], [(4, 5)]]
    assert plot.periods_in_force(np.zeros((0, 5, 2))) == [[], []]


def test_daily_from_cumulative(plot):
    days = [dt.date(2020, 3, d) for d in (1, 2, 3, 5, 6)]
    dates, values = plot.daily_from_cumulative(days, [10, 13, math.nan, 21, 22])
    assert dates == [days[1], days[3], days[4]]
    # 13 -> 21 over three days (2 to 5 March): 8/3 a day, dated at the report.
    assert np.allclose(values, [3, 8 / 3, 1])


def test_france_reference(plot, path):
    notes = io.StringIO()
    with redirect_stderr(notes):
        series = plot.read_reference(path)
    assert "care_home_deaths_cumulative' matches no panel" in notes.getvalue()
    assert sorted(series) == ["deaths", "icu", "ward"], sorted(series)
    (label, dates, ward), = series["ward"]
    assert label == "observed hospitalised - icu"
    i = dates.index(dt.date(2020, 3, 17))
    assert ward[i] == 2579 - 699
    assert math.isnan(ward[dates.index(dt.date(2020, 3, 15))])  # icu not reported that day
    (_, dates, deaths), = series["deaths"]
    # 127 on 15 March, 175 on 17 March (no row for 16 March): 24 a day.
    assert deaths[dates.index(dt.date(2020, 3, 17))] == 24
    assert deaths[dates.index(dt.date(2020, 5, 11))] == 16820 - 16642


def test_regional_reference(plot, path):
    """A long table of regions (Santé publique France's regional file) is summed day by day."""
    regional = os.path.join(os.path.dirname(path), "regions",
                            "hospital_by_region_2020-03-18_2020-05-11.csv")
    notes = io.StringIO()
    with redirect_stderr(notes):
        series = plot.read_reference(regional)
    assert notes.getvalue() == "", notes.getvalue()
    assert sorted(series) == ["admissions", "deaths", "icu", "ward"], sorted(series)
    (_, dates, icu), = series["icu"]
    assert icu[dates.index(dt.date(2020, 4, 8))] == 6975  # the 13 regions' ICU peak (README)
    (_, dates, ward), = series["ward"]
    assert ward[dates.index(dt.date(2020, 4, 14))] == 31990 - icu[dates.index(dt.date(2020, 4, 14))]
    (_, dates, admissions), = series["admissions"]
    assert math.isnan(admissions[dates.index(dt.date(2020, 3, 18))])  # flows start on 19 March
    assert admissions[dates.index(dt.date(2020, 3, 19))] > 0


def test_scenarios_in_run_order(plot, write_sample_run, work):
    # The sample run writes lockdown_exit before baseline; h5py alone would list baseline first.
    os.makedirs(work, exist_ok=True)
    path = os.path.join(work, "sample.h5")
    subprocess.run([write_sample_run, path], check=True)
    scenarios = plot.read_results(require_sealed(path))
    assert [s.name for s in scenarios] == ["lockdown_exit", "baseline"]
    assert scenarios[1].dates[2] == dt.date(2021, 1, 1)
    assert scenarios[1].series["icu"].shape == (3, 5)
    # baseline has hospital records: its capacity line comes from the file.
    assert scenarios[0].icu_capacity is None
    assert scenarios[1].icu_capacity.shape == (5,)
    # Occupancy and effective capacity come from the hospital records, per replicate.
    assert scenarios[0].hospital is None and scenarios[0].shortages == []
    assert scenarios[1].hospital["ward_occupancy"].shape == (3, 5)
    assert scenarios[1].hospital["icu_effective_capacity"].shape == (3, 5)


def test_first_shortages(plot):
    """The median first shortage day over the replicates with one, any region counting."""
    class Group(dict):
        pass
    supplies = np.zeros((3, 6, 2, 2, 6))  # replicate, day, region, resource, measure
    shortage = 4
    supplies[0, 2, 1, 0, shortage] = 1  # replicate 0: day 2 (second region)
    supplies[0, 5, 0, 0, shortage] = 1
    supplies[1, 4, 0, 0, shortage] = 1  # replicate 1: day 4; replicate 2: none
    group = Group(supplies=supplies, resource=np.array([b"ffp2", b"ventilators"]),
                  supply_measure=np.array([b"stock", b"delivered", b"used", b"shortfall",
                                           b"shortage", b"days_left"]))
    assert plot.first_shortages(group) == [("ffp2", 3, 2, 3)]
    assert plot.first_shortages(Group()) == []
    # Resources first short on the same day share a label.
    labels = plot.shortage_labels([("propofol", 5, 1, 2), ("midazolam", 5, 2, 2), ("gowns", 3, 1, 2)])
    assert labels == {5: " propofol (1/2), midazolam (2/2) short", 3: " gowns (1/2) short"}


def main():
    plot = load(sys.argv[1])
    test_runs(plot)
    test_periods_need_half_of_the_replicates(plot)
    test_periods_per_intervention(plot)
    test_daily_from_cumulative(plot)
    test_france_reference(plot, sys.argv[2])
    test_regional_reference(plot, sys.argv[2])
    test_scenarios_in_run_order(plot, sys.argv[3], sys.argv[4])
    test_first_shortages(plot)
    print("plot.py logic ok")


if __name__ == "__main__":
    main()
