#!/usr/bin/python3
"""Runs tools/plot.py the way a user does, on a small real run with interventions and the
France reference series, and checks that it wrote a valid PNG without any warning.

usage: check_plot.py SORTIE PLOT_PY REFERENCE_CSV WORK_DIR SCENARIO.yaml...
"""
import os
import struct
import subprocess
import sys

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The one line plot.py itself may print on stderr for the France reference: the care-home
# deaths column has no panel.
ALLOWED_NOTE = "column 'care_home_deaths_cumulative' matches no panel; ignored"


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def png_size(path):
    """(width, height) from the IHDR chunk, which must come first, after the signature."""
    with open(path, "rb") as f:
        head = f.read(33)
    check(head[:8] == PNG_SIGNATURE, f"{path}: not a PNG signature: {head[:8]!r}")
    length, kind, width, height = struct.unpack(">I4sII", head[8:24])
    check(kind == b"IHDR" and length == 13, f"{path}: first chunk {kind!r} of {length} bytes")
    check(os.path.getsize(path) > 10_000, f"{path}: only {os.path.getsize(path)} bytes")
    return width, height


def plot(plot_py, arguments):
    """Runs plot.py with every Python warning turned into an error; returns its stderr."""
    result = subprocess.run(["/usr/bin/python3", "-W", "error", plot_py, *arguments],
                            capture_output=True, text=True)
    check(result.returncode == 0, f"plot.py {arguments}: exit {result.returncode}\n"
                                  f"{result.stdout}\n{result.stderr}")
    return result.stderr


def main():
    sortie, plot_py, reference, work = sys.argv[1:5]
    scenarios = sys.argv[5:]
    os.makedirs(work, exist_ok=True)
    results = os.path.join(work, "r.h5")
    # At 20,000 agents the scenarios' 2 imported infections per million a day would seed about
    # one in February; 100 per million gives every replicate an epidemic to draw.
    subprocess.run([sortie, "run", *scenarios, "--set", "population.size=20000",
                    "--set", "end=2020-06-15",
                    "--set", "seeding=[{date: 2020-02-01, per_million: 100, days: 30}]",
                    "--replicates", "3", "--quiet", "-o", results], check=True)

    png = os.path.join(work, "with-reference.png")
    stderr = plot(plot_py, [results, "-o", png, "--reference", reference])
    notes = [line for line in stderr.splitlines() if line]
    check(all(ALLOWED_NOTE in line for line in notes), f"unexpected stderr: {stderr}")
    width, height = png_size(png)
    check(width == 13 * 110 and height > 11 * 110, f"{png}: {width}x{height} pixels")

    # README's command: no -o, the PNG goes next to the result file.
    stderr = plot(plot_py, [results, "--icu-beds-per-100k", "15"])
    check(stderr == "", f"unexpected stderr: {stderr}")
    png_size(os.path.join(work, "r.png"))
    print(f"plot ok: {width}x{height} pixels")


if __name__ == "__main__":
    main()
