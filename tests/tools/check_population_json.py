#!/usr/bin/python3
"""Runs `sortie population --json` on the France scenario at 20,000 agents and checks the
report a user would read: documented keys, counts that add up, contacts near their targets."""
import json
import subprocess
import sys

sortie, scenario = sys.argv[1], sys.argv[2]
out = subprocess.run([sortie, "population", scenario, "--json", "--set", "population.size=20000"],
                     capture_output=True, text=True, check=True).stdout
report = json.loads(out)

assert report["agents"] == 20000, report["agents"]
for key in ["age_bands", "household_sizes", "contacts_per_day", "bytes_per_agent", "build_seconds"]:
    assert key in report, key
assert sum(b["count"] for b in report["age_bands"]) == 20000
assert all({"from", "to", "count"} <= set(b) for b in report["age_bands"])
sizes = report["household_sizes"]
assert sum(sizes.values()) == report["households"]
assert sum(int(k) * v for k, v in sizes.items()) == 20000
assert list(sizes) == sorted(sizes, key=int), "household sizes in numeric order"
layers = report["contacts_per_day"]
assert set(layers) == {"household", "school", "work", "community"}, set(layers)
for layer in layers.values():
    assert len(layer["by_age_band"]) == len(report["age_bands"])
# Per member, school and work contacts are calibrated to their targets (11.41, 8.07);
# 20,000 agents leave a few percent of sampling noise.
assert abs(layers["school"]["mean_per_member"] / 11.41 - 1) < 0.06, layers["school"]
assert abs(layers["work"]["mean_per_member"] / 8.07 - 1) < 0.06, layers["work"]
assert abs(layers["community"]["mean"] / 2.79 - 1) < 0.03, layers["community"]
assert 0 < report["bytes_per_agent"] < 64
print("population report OK")
