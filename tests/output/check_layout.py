#!/usr/bin/python3
"""Checks a sortie result file the way a Python user meets it (docs/output.md).

usage: check_layout.py WRITE_SAMPLE_RUN WORK_DIR
Writes the sample run with WRITE_SAMPLE_RUN, then reads it with h5py and with xarray (engine
h5netcdf), and recomputes the summary metrics with numpy to compare with sortie's.
"""
import json
import os
import subprocess
import sys

import h5py
import numpy as np
import xarray as xr

COUNTS_DIMS = ("replicate", "time", "region", "age_band", "state")
INCIDENCE_DIMS = ("replicate", "time", "region", "age_band", "event")
STATES = ["S", "E", "Ip", "Ia", "Is", "H", "C", "F", "R", "D"]
EVENTS = ["infections", "infections_household", "infections_school", "infections_work",
          "infections_community", "infections_seeded", "symptom_onsets", "hospital_admissions",
          "icu_admissions", "deaths", "hospital_discharges", "infections_hospital",
          "hospital_deaths"]


MEASURES = ["tests", "tests_positive", "tests_unmet", "isolated", "quarantined", "traced",
            "vaccine_doses", "vaccinated", "index_cases", "test_capacity"]
SUPPLY_MEASURES = ["stock", "delivered", "used", "shortfall", "shortage", "days_left"]
HOSPITAL_MEASURES = ["ward_occupancy", "icu_occupancy", "ward_capacity", "icu_capacity",
                     "ward_effective_capacity", "icu_effective_capacity", "admissions",
                     "ward_admissions", "icu_admissions", "ward_refused", "icu_refused",
                     "transfers_out", "transfers_in", "discharges", "deaths", "excess_deaths",
                     "staff_present", "staff_absent", "icu_waiting"]


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def check_h5py(path):
    with h5py.File(path, "r") as f:
        check(f.attrs["complete"] == 1, "complete != 1")
        check(isinstance(f.attrs["sortie_version"], str), "string attributes must read as str")
        check(f.attrs["volatile_attributes"] == "created command_line", "volatile_attributes")
        check("yaml-cpp 0." in f.attrs["libraries"] and "oneTBB 20" in f.attrs["libraries"],
              f"libraries: {f.attrs['libraries']}")
        check(list(f) == ["baseline", "lockdown_exit"], f"groups: {list(f)}")
        g = f["baseline"]
        check(g.attrs["start_date"] == "2020-12-30", "start_date")
        check(int(g.attrs["seed"]) == 18446744073709551556, f"seed {g.attrs['seed']}")
        check(g["counts"].shape == (3, 5, 2, 18, 10), f"counts shape {g['counts'].shape}")
        check(g["counts"].chunks == (1, 5, 2, 18, 10), f"chunks {g['counts'].chunks}")
        check(g["counts"].compression == "gzip" and g["counts"].shuffle, "compression")
        check(g["counts"].dtype == np.int32, "counts dtype")
        dims = tuple(d.keys()[0] for d in g["counts"].dims)  # the scales' names
        check(dims == COUNTS_DIMS, f"counts dims {dims}")
        check(g["counts"].attrs["dimensions"] == ",".join(COUNTS_DIMS), "dimensions attribute")
        check(list(g["state"].asstr()[()]) == STATES, "states")
        check(list(g["event"].asstr()[()]) == EVENTS, "events")
        check(list(g["measure"].asstr()[()]) == MEASURES, "measures")
        check(g["measures"].shape == (3, 5, 2, len(MEASURES)),
              f"measures shape {g['measures'].shape}")
        check(list(g["hospital_measure"].asstr()[()]) == HOSPITAL_MEASURES, "hospital measures")
        check(g["hospital"].shape == (3, 5, 2, len(HOSPITAL_MEASURES)),
              f"hospital shape {g['hospital'].shape}")
        check(g["hospital"].dtype == np.int32, "hospital dtype")
        dims = tuple(d.keys()[0] for d in g["hospital"].dims)
        check(dims == ("replicate", "time", "region", "hospital_measure"), f"hospital dims {dims}")
        check("hospital" not in f["lockdown_exit"], "hospital written without hospitals:")
        check(list(g["supply_measure"].asstr()[()]) == SUPPLY_MEASURES, "supply measures")
        check(list(g["resource"].asstr()[()]) == ["ffp2_masks", "ventilators"], "resources")
        check(list(g["resource_unit"].asstr()[()]) == ["masks", "ventilators"], "units")
        check(list(g["resource_kind"].asstr()[()]) == ["consumable", "equipment"], "kinds")
        check(g["supplies"].shape == (3, 5, 2, 2, len(SUPPLY_MEASURES)),
              f"supplies shape {g['supplies'].shape}")
        check(g["supplies"].dtype == np.float64, "supplies dtype")
        dims = tuple(d.keys()[0] for d in g["supplies"].dims)
        check(dims == ("replicate", "time", "region", "resource", "supply_measure"),
              f"supplies dims {dims}")
        check("supplies" not in f["lockdown_exit"], "supplies written without supplies")
        check(list(g["region"].asstr()[()]) == ["idf", "ara"], "regions")
        check(g["date"].asstr()[2] == "2021-01-01", "dates")
        check("Île-de-France" in f["lockdown_exit"].attrs["scenario_yaml"], "UTF-8 text")


def check_xarray(path):
    ds = xr.open_dataset(path, engine="h5netcdf", group="baseline")
    check(ds["counts"].dims == COUNTS_DIMS, f"xarray counts dims {ds['counts'].dims}")
    check(ds["incidence"].dims == INCIDENCE_DIMS, f"xarray incidence dims {ds['incidence'].dims}")
    check(ds["r0_realised"].dims == ("replicate",), "r0 dims")
    check(ds["measures"].dims == ("replicate", "time", "region", "measure"), "measures dims")
    check(ds["hospital"].dims == ("replicate", "time", "region", "hospital_measure"),
          "hospital dims")
    stock = ds["supplies"].sel(resource="ffp2_masks", supply_measure="stock", region="idf")
    check(stock.sizes == {"replicate": 3, "time": 5}, "supplies label selection")
    check(list(ds["resource_unit"].values) == ["masks", "ventilators"], "unit coordinate")
    occupancy = ds["hospital"].sel(hospital_measure="icu_occupancy", region="ara")
    check(occupancy.sizes == {"replicate": 3, "time": 5}, "hospital label selection")
    check(np.issubdtype(ds["time"].dtype, np.datetime64), f"time dtype {ds['time'].dtype}")
    check(ds["time"].values[0] == np.datetime64("2020-12-30"), f"time[0] {ds['time'].values[0]}")
    check(ds["time"].values[2] == np.datetime64("2021-01-01"), "time[2]")
    check(list(ds["state"].values) == STATES, f"state labels {ds['state'].values}")
    check(ds["date"].values[4] == "2021-01-03", "date coordinate")
    icu = ds["counts"].sel(state="C", region="idf", age_band="85+").isel(replicate=1)
    check(icu.sizes == {"time": 5}, "label selection")
    ds.close()


def quantiles(values):
    values = np.asarray(values, dtype=float)
    return {"median": np.quantile(values, 0.5), "p05": np.quantile(values, 0.05),
            "p95": np.quantile(values, 0.95)}


def expected_metrics(group):
    counts = group["counts"][()]
    incidence = group["incidence"][()]
    ward, icu = STATES.index("H"), STATES.index("C")
    hospital = counts[..., [ward, icu]].sum(axis=(2, 3, 4))  # [replicate, day]
    icu_load = counts[..., icu].sum(axis=(2, 3))
    if "hospital" in group:  # patients refused ICU wait in state H: ICU demand is C + waiting
        waiting = HOSPITAL_MEASURES.index("icu_waiting")
        icu_load = icu_load + group["hospital"][..., waiting].sum(axis=2)
    infections = incidence[..., EVENTS.index("infections")].sum(axis=(1, 2, 3))
    start = np.datetime64(group.attrs["start_date"])
    peak_date = lambda load: str(start + int(np.floor(np.quantile(load.argmax(axis=1), 0.5))))
    return {
        "attack_rate": quantiles(infections / int(group.attrs["agents"])),
        "peak_icu": quantiles(icu_load.max(axis=1)),
        "peak_icu_date": peak_date(icu_load),
        "peak_hospital": quantiles(hospital.max(axis=1)),
        "peak_hospital_date": peak_date(hospital),
        "hospital_admissions": quantiles(
            incidence[..., EVENTS.index("hospital_admissions")].sum(axis=(1, 2, 3))),
        "deaths": quantiles(incidence[..., EVENTS.index("deaths")].sum(axis=(1, 2, 3))),
        "r0_realised": quantiles(group["r0_realised"][()]),
    }


def check_summary(path, summary_path):
    with open(summary_path) as f:
        summary = json.load(f)
    with h5py.File(path, "r") as f:
        for scenario in summary["scenarios"]:
            expected = expected_metrics(f[scenario["name"]])
            for key, value in expected.items():
                got = scenario["metrics"][key]
                # Same operations in the same order: equal to the last bit.
                check(got == value, f"{scenario['name']} {key}: sortie {got}, numpy {value}")


def main():
    writer, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    path = os.path.join(work, "sample.h5")
    summary = os.path.join(work, "summary.json")
    subprocess.run([writer, path, summary], check=True)
    check_h5py(path)
    check_xarray(path)
    check_summary(path, summary)
    print("layout ok")


if __name__ == "__main__":
    main()
