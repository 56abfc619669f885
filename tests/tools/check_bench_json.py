#!/usr/bin/python3
"""Runs `sortie bench ... --json` and checks the report a benchmark suite would collect.

usage: check_bench_json.py SORTIE bench ARGS... --json
Exits 0 when the run passed verification and every documented field is there and sensible.
"""
import json
import subprocess
import sys


def main():
    result = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=1200)
    if result.returncode != 0:
        print("exit", result.returncode, result.stdout[-3000:], result.stderr[-3000:])
        return 1
    r = json.loads(result.stdout)
    v = r["verification"]
    assert v["status"] == "PASSED" and v["checksum"] == v["expected"], v
    assert len(v["checksum"]) == 16 and v["reason"] == "", v
    p = r["problem"]
    assert p["size"] == "small" and p["version"] >= 1 and p["days"] == 150, p
    assert p["replicates"] == 2 and p["modified_by_set"] == [], p
    for key in ("cpu_model", "cpus_available", "hardware_threads", "memory_bytes"):
        assert key in r["machine"], key
    assert r["machine"]["memory_bytes"] > 0
    for key in ("sortie_version", "git_commit", "build_type", "libraries"):
        assert r["build"][key], key
    assert r["threads"] == 2 and r["repeats"] == 2
    t = r["timings_seconds"]
    assert len(t["repeats"]) == 2
    for key in ("population", "model", "day_loop", "output", "total"):
        assert t[key] > 0, (key, t)
    assert t["total"] >= t["day_loop"] + t["output"]
    f = r["figure_of_merit"]
    assert f["agents"] == 100000, f
    assert f["agent_days"] == 100000 * 150 * 2, f
    assert abs(f["agent_days_per_second"] - f["agent_days"] / t["day_loop"]) < 1e-6 * f["agent_days_per_second"]
    assert f["contact_evaluations"] > 0
    assert abs(f["contact_evaluations_per_second_per_thread"] * 2 - f["contact_evaluations_per_second"]) < 1e-6 * f["contact_evaluations_per_second"]
    assert r["peak_resident_bytes"] > 0
    print(json.dumps({"verification": v, "figure_of_merit": f, "timings_seconds": t}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
