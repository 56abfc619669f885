#!/usr/bin/python3
"""Checks that `sortie summary --csv` says what `sortie summary --json` says, read the way users
read it: with Python's csv module, and with pandas as a data frame with numeric columns. On two
files: a small sweep whose scenario names hold commas, and the sample run of the output tests,
whose hospital peaks and quantiles are not zero.

usage: check_summary_csv.py SORTIE WRITE_SAMPLE_RUN SCENARIO.yaml WORK_DIR
"""
import csv
import io
import json
import math
import os
import subprocess
import sys

HEADER = ["scenario", "replicates", "agents", "metric", "median", "p05", "p95", "peak_date"]
METRICS = ["attack_rate", "peak_icu", "peak_hospital", "hospital_admissions", "deaths",
           "r0_realised"]


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def summary(sortie, path, form):
    return subprocess.run([sortie, "summary", path, form], capture_output=True, text=True,
                          check=True).stdout


def same_number(field, value):
    """A CSV field against a JSON number: the same double, or both missing."""
    if value is None:
        return field == ""
    return field != "" and float(field) == value and not math.isnan(float(field))


def expected_rows(scenario):
    """(metric, spread, date) in the order of the JSON metrics: the spreads, with the date of
    `<metric>_date` if any, then three rows per supply."""
    metrics = scenario["metrics"]
    rows = []
    for key, value in metrics.items():
        if key.endswith("_date"):
            continue
        if key != "supplies":
            rows.append((key, value, metrics.get(f"{key}_date", "")))
            continue
        for supply in value:
            prefix = f"supplies.{supply['name']}."
            count = supply["replicates_with_shortage"]
            rows.append((prefix + "replicates_with_shortage",
                         {"median": count, "p05": count, "p95": count}, ""))
            rows.append((prefix + "first_shortage_day", supply["first_shortage_day"],
                         supply["first_shortage_date"] or ""))
            rows.append((prefix + "min_days_left", supply["min_days_left"], ""))
    return rows


def check_rows(rows, scenarios):
    check(rows[0] == HEADER, f"header {rows[0]}")
    expected = [(scenario, *row) for scenario in scenarios for row in expected_rows(scenario)]
    body = rows[1:]
    check(len(body) == len(expected), f"{len(body)} rows, expected {len(expected)}")
    for index, (row, (scenario, metric, spread, date)) in enumerate(zip(body, expected)):
        record = dict(zip(HEADER, row))
        check(len(row) == len(HEADER), f"row {index}: {row}")
        check(record["scenario"] == scenario["name"], f"row {index}: {record['scenario']}")
        check(int(record["replicates"]) == scenario["replicates"], f"row {index}: replicates")
        check(int(record["agents"]) == scenario["agents"], f"row {index}: agents")
        check(record["metric"] == metric, f"row {index}: metric {record['metric']}")
        for key in ("median", "p05", "p95"):
            check(same_number(record[key], spread[key]),
                  f"{scenario['name']} {metric} {key}: csv {record[key]}, json {spread[key]}")
        check(record["peak_date"] == date, f"{scenario['name']} {metric}: {record['peak_date']}")
    # The first rows of every scenario are the six headline metrics, always present.
    for scenario in scenarios:
        check([r[0] for r in expected_rows(scenario)][:len(METRICS)] == METRICS,
              f"{scenario['name']}: headline metrics")


def check_pandas(text, scenarios):
    try:
        import pandas as pd
    except ImportError:
        return
    frame = pd.read_csv(io.StringIO(text), parse_dates=["peak_date"])
    check(list(frame.columns) == HEADER, f"pandas columns {list(frame.columns)}")
    check(all(frame[c].dtype.kind == "f" for c in ("median", "p05", "p95")), "numeric columns")
    check(list(frame["scenario"].unique()) == [s["name"] for s in scenarios], "pandas names")
    peaks = frame[frame["metric"] == "peak_icu"]["peak_date"]
    check(peaks.notna().all(), "pandas reads the peak dates")


def check_file(sortie, path):
    scenarios = json.loads(summary(sortie, path, "--json"))["scenarios"]
    text = summary(sortie, path, "--csv")
    check(text.endswith("\n") and "\r" not in text, "lines end with \\n")
    check_rows(list(csv.reader(io.StringIO(text, newline=""))), scenarios)
    check_pandas(text, scenarios)
    return scenarios


def main():
    sortie, write_sample_run, scenario, work = sys.argv[1:5]
    os.makedirs(work, exist_ok=True)
    sweep = os.path.join(work, "sweep.h5")
    subprocess.run([sortie, "run", scenario, "--replicates", "3", "--quiet", "-o", sweep],
                   check=True)
    scenarios = check_file(sortie, sweep)
    check(any("," in s["name"] for s in scenarios), "the sweep should name its points with commas")
    sample = os.path.join(work, "sample.h5")
    subprocess.run([write_sample_run, sample], check=True)
    scenarios = check_file(sortie, sample)
    check(any(s["metrics"]["peak_icu"]["p05"] > 0 for s in scenarios), "ICU peaks in the sample")
    check(any("supplies" in s["metrics"] for s in scenarios), "supplies in the sample")
    check(any("test_peak_share" in s["metrics"] for s in scenarios), "testing in the sample")
    print("summary CSV matches JSON")


if __name__ == "__main__":
    main()
