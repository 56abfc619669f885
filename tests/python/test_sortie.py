"""Tests of the Python module `sortie` (python/, docs/python.md).

Run by CTest (python_module) with PYTHONPATH set to the built package and, in the environment,
SORTIE_SOURCE_DIR (the source tree) and SORTIE_BINARY (the sortie executable of the same build).
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import sortie

SOURCE = Path(os.environ.get("SORTIE_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BINARY = os.environ.get("SORTIE_BINARY", str(SOURCE / "build" / "release" / "sortie"))
FRANCE = SOURCE / "scenarios" / "france-2020"
LOCKDOWN = FRANCE / "lockdown.yaml"

# A small run with an epidemic in it: 20,000 agents, 10 infections a day for 5 days, to 15 May
# (the lockdown's interventions end on 10 May: their dates must lie inside the run).
SMALL = {
    "population.size": 20000,
    "end": "2020-05-15",
    "seeding": [{"date": "2020-02-01", "infections": 10, "days": 5}],
}
# The same overrides as `sortie run --set` takes them.
SMALL_CLI = [
    "population.size=20000",
    "end=2020-05-15",
    "seeding=[{date: 2020-02-01, infections: 10, days: 5}]",
]


def test_run_equals_the_result_file(tmp_path):
    ds = sortie.run(str(LOCKDOWN), set=SMALL, replicates=2, seed=7, threads=2)
    out = tmp_path / "lockdown.h5"
    subprocess.run([BINARY, "run", str(LOCKDOWN), "--replicates", "2", "--seed", "7", "--quiet",
                    "-o", str(out)] + [a for s in SMALL_CLI for a in ("--set", s)], check=True)
    with xr.open_dataset(out, engine="h5netcdf", group="france-2020-lockdown") as written:
        written.load()
    assert isinstance(ds, xr.Dataset)
    # Variables, dimensions, coordinates (names, labels, dtypes) and values.
    xr.testing.assert_equal(ds, written)
    assert ds.attrs == written.attrs  # seed, agents, start_date, scenario_yaml, replicates
    for name in written.data_vars:
        assert ds[name].attrs == written[name].attrs, name
        assert ds[name].dtype == written[name].dtype, name
    for name in written.coords:
        assert ds[name].dtype == written[name].dtype, name
    # Not a comparison of two empty runs.
    assert ds.incidence.sel(event="infections").sum() > 1000
    assert set(ds.data_vars) >= {"counts", "incidence", "r0_realised", "interventions_active",
                                 "measures", "hospital", "supplies"}
    assert ds.attrs["seed"] == 7 and ds.attrs["replicates"] == 2 and ds.attrs["agents"] == 20000
    assert ds.time.values[0] == np.datetime64("2020-02-01")
    assert ds.date.values[-1] == "2020-05-15"
    assert "transmissions" not in ds


def test_several_files_give_a_dict_by_scenario():
    files = [LOCKDOWN, FRANCE / "exit-progressive.yaml", FRANCE / "unmitigated.yaml"]
    both = sortie.run(files, set={"population.size": 3000, "end": "2020-06-10"}, threads=2)
    assert list(both) == ["france-2020-lockdown", "france-2020-exit-progressive",
                          "france-2020-unmitigated"]
    lockdown, exit_, unmitigated = both.values()
    assert list(lockdown.intervention.values) == ["schools-closed", "lockdown"]
    assert "phase1-schools" in exit_.intervention.values
    assert exit_.interventions_active.sel(intervention="lockdown", time="2020-04-01").all()
    assert not exit_.interventions_active.sel(intervention="lockdown", time="2020-05-20").any()
    for ds in (lockdown, exit_):  # hospitals: with supplies
        assert {"interventions_active", "hospital", "supplies", "resource_unit",
                "resource_kind"} <= set(ds.variables)
        assert "ventilators" in ds.resource.values
    # No interventions, no hospitals: neither those records nor their axes.
    assert set(unmitigated.data_vars) == {"counts", "incidence", "r0_realised", "measures"}
    assert not {"intervention", "hospital_measure", "resource"} & set(unmitigated.dims)
    for name, ds in both.items():
        assert ds.counts.dims == ("replicate", "time", "region", "age_band", "state")
        assert ds.sizes["time"] == 131 and ds.sizes["replicate"] == 1
        assert ds.counts.sum("state").isel(time=0).sum() == 3000, name


def test_a_sweep_gives_a_dict_of_its_points():
    sweep, overrides = FRANCE / "exit-sweep.yaml", ["population.size=2000", "end=2020-06-03"]
    points = sortie.run(sweep, set=overrides, threads=2)
    assert isinstance(points, dict) and len(points) == 9
    assert list(points) == sortie.validate(sweep, set=overrides)  # in the sweep's order
    point = points["france-2020-exit-sweep[primaire=0.25,fraction=0.7]"]
    assert "fraction: 0.7" in point.attrs["scenario_yaml"]


def test_threads_do_not_change_the_results():
    one = sortie.run(LOCKDOWN, set=SMALL, replicates=3, threads=1)
    two = sortie.run(LOCKDOWN, set=SMALL, replicates=3, threads=2)
    xr.testing.assert_identical(one, two)
    # Another seed does change them (the comparison can fail).
    other = sortie.run(LOCKDOWN, set=SMALL, replicates=3, seed=99, threads=2)
    assert not other.counts.equals(two.counts)


def test_validate_reports_every_problem_with_its_place(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {LOCKDOWN}\n"
                   "name: bad\n"
                   "replicatess: 3\n"
                   "disease:\n"
                   "  R0: lots\n")
    with pytest.raises(sortie.ScenarioError) as caught:
        sortie.validate(bad)
    error = caught.value
    assert isinstance(error, ValueError)
    assert len(error.messages) >= 2 and str(error) == "\n".join(error.messages)
    for message in error.messages:
        assert message.startswith(f"{bad}:"), message
    assert any(m.startswith(f"{bad}:3:1: replicatess: ") for m in error.messages), error.messages
    assert any(m.startswith(f"{bad}:5:7: disease.R0: ") for m in error.messages), error.messages
    # run() reads the file the same way, before running anything.
    with pytest.raises(sortie.ScenarioError) as caught:
        sortie.run(bad)
    assert caught.value.messages == error.messages
    # Overrides are checked too, and named by their --set.
    with pytest.raises(sortie.ScenarioError, match="--set disease.R0=lots"):
        sortie.validate(LOCKDOWN, set={"disease.R0": "lots"})


def test_validate_a_good_file_returns_its_scenarios():
    assert sortie.validate(LOCKDOWN) == ["france-2020-lockdown"]
    assert len(sortie.validate(FRANCE / "exit-sweep.yaml")) == 9
    # Without `start`, a file is read as a population scenario (no disease needed).
    assert len(sortie.validate(FRANCE / "population.yaml")) == 1
    assert sortie.validate(LOCKDOWN, set={"population.size": 1000, "end": "2020-05-10"})


INTERRUPTED_RUN = """
import sys, time, sortie
print("started", flush=True)
sortie.run(sys.argv[1], set={"population.size": 1000000}, replicates=20, threads=2)
print("finished", flush=True)
"""


def test_ctrl_c_raises_keyboard_interrupt_promptly():
    # About a minute of work on two cores when left alone.
    process = subprocess.Popen([sys.executable, "-c", INTERRUPTED_RUN, str(LOCKDOWN)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "started"
        time.sleep(1.5)  # in the population build or the first days
        assert process.poll() is None
        process.send_signal(signal.SIGINT)
        sent = time.monotonic()
        stdout, stderr = process.communicate(timeout=30)
        waited = time.monotonic() - sent
    finally:
        process.kill()
    assert "KeyboardInterrupt" in stderr, stderr
    assert "finished" not in stdout
    assert process.returncode != 0
    assert waited < 5, f"{waited:.1f} s from SIGINT to exit"
