#!/usr/bin/python3
"""tools/plot.py and tools/validate-france-2020 on files they cannot use: each exits 2 with one
line on stderr, `TOOL: FILE: what is wrong`, no traceback and nothing on stdout; a sealed
result still plots. The files: a missing one, a directory, a FIFO, an unfinished .partial
file, a result truncated by 1 byte and by half, with a byte flipped in its seal, in the HDF5
superblock right after it, in the middle and at the end, an HDF5 file without a seal, a file
that is not HDF5, a seal of a newer version, and sealed files that are not what the tools read.

usage: plot_bad_input_test.py PLOT_PY VALIDATE SORTIE SCENARIO.yaml WORK_DIR
"""
import os
import shutil
import subprocess
import sys

import h5py

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sealing import USER_BLOCK, header, seal, require_sealed  # noqa: E402

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print(f"FAILED: {message}", file=sys.stderr)


def run(tool, arguments):
    command = ["/usr/bin/python3", "-W", "error", tool, *arguments]
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        check(False, f"{command}: still running after 60 s (a FIFO opened for reading?)")
        return None


def refused(tool, name, path, what, arguments=(), named=None):
    """`tool` on `path` exits 2 with the one line `NAME: NAMED: ...WHAT...` on stderr."""
    result = run(tool, [path, *arguments])
    if result is None:
        return
    case = f"{name} {path} {list(arguments)}"
    lines = result.stderr.splitlines()
    check(result.returncode == 2, f"{case}: exit {result.returncode}, expected 2")
    check("Traceback" not in result.stderr, f"{case}: a traceback:\n{result.stderr}")
    check(len(lines) == 1 and result.stderr.endswith("\n"),
          f"{case}: {len(lines)} lines on stderr, expected 1:\n{result.stderr}")
    prefix = f"{name}: {named or path}: "
    check(result.stderr.startswith(prefix), f"{case}: stderr does not start with "
                                            f"{prefix!r}:\n{result.stderr}")
    check(what in result.stderr, f"{case}: {what!r} not in {result.stderr!r}")
    check(result.stdout == "", f"{case}: stdout {result.stdout!r}")


def both_refuse(plot_py, validate, path, what):
    refused(plot_py, "plot.py", path, what)
    refused(validate, "validate-france-2020", path, what)


def changed(good, path, change):
    """A copy of `good` at `path`, its bytes passed through change(bytearray)."""
    with open(good, "rb") as f:
        data = bytearray(f.read())
    change(data)
    with open(path, "wb") as f:
        f.write(data)
    return path


def flip(offset):
    def change(data):
        data[offset if offset >= 0 else len(data) + offset] ^= 0x01
    return change


def sealed_h5(path, fill):
    """A sealed HDF5 file whose content fill(h5py.File) writes."""
    with h5py.File(path, "w", userblock_size=USER_BLOCK) as f:
        fill(f)
    return seal(path)


def main():
    plot_py, validate, sortie, scenario, work = sys.argv[1:6]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    real = os.path.join(work, "real.h5")
    subprocess.run([sortie, "run", scenario, "--set", "population.size=20000", "--replicates",
                    "2", "--quiet", "-o", real], check=True)
    good = require_sealed(real)
    size = os.path.getsize(good)
    at = lambda name: os.path.join(work, name)  # noqa: E731

    # A sealed result still plots, without a word on stderr.
    result = run(plot_py, [good, "-o", at("good.png")])
    check(result is not None and result.returncode == 0 and result.stderr == "",
          f"sealed {good}: {result and (result.returncode, result.stderr)}")
    check(os.path.getsize(at("good.png")) > 10_000, "sealed file: no PNG written")

    # Not a file, or not a finished one.
    both_refuse(plot_py, validate, at("missing.h5"), "no such file")
    os.mkdir(at("directory.h5"))
    both_refuse(plot_py, validate, at("directory.h5"), "not a regular file (a directory)")
    os.mkfifo(at("fifo.h5"))
    both_refuse(plot_py, validate, at("fifo.h5"), "not a regular file (a FIFO)")
    shutil.copy(good, at("run.h5.partial"))
    both_refuse(plot_py, validate, at("run.h5.partial"),
                "unfinished file (.partial): the run that writes it has not finished or was "
                "killed")
    # Asked for the final name while only the unfinished file exists: named too.
    both_refuse(plot_py, validate, at("run.h5"), "run.h5.partial exists")

    # Truncated and damaged.
    for name, cut in (("short-by-1.h5", size - 1), ("half.h5", size // 2)):
        both_refuse(plot_py, validate, changed(good, at(name), lambda d, n=cut: d.__delitem__(
            slice(n, None))), f"truncated: {cut} bytes of the {size} its seal records")
    both_refuse(plot_py, validate, changed(good, at("longer.h5"), lambda d: d.extend(b"\0")),
                "damaged")
    digest_line = len("sortie sealed file 1\nsha256 ")
    for name, offset in (("flip-digest.h5", digest_line + 10), ("flip-size.h5", digest_line + 70),
                         ("flip-padding.h5", USER_BLOCK - 1), ("flip-superblock.h5", USER_BLOCK),
                         ("flip-superblock-8.h5", USER_BLOCK + 8),
                         ("flip-middle.h5", size // 2), ("flip-last.h5", -1)):
        both_refuse(plot_py, validate, changed(good, at(name), flip(offset)), "damaged")

    # Not sealed, or sealed by a newer sortie.
    with h5py.File(at("unsealed.h5"), "w") as f:
        f.attrs["complete"] = 1
    both_refuse(plot_py, validate, at("unsealed.h5"),
                "not a sortie result (no seal): an HDF5 file without sortie's seal")
    with h5py.File(at("empty-block.h5"), "w", userblock_size=USER_BLOCK) as f:
        f.attrs["complete"] = 1
    both_refuse(plot_py, validate, at("empty-block.h5"), "not a sortie result (no seal)")
    with open(at("text.h5"), "w") as f:
        f.write("scenario,day,icu\nbaseline,0,1\n")
    both_refuse(plot_py, validate, at("text.h5"), "not a sortie result (no seal)")
    open(at("empty.h5"), "w").close()
    both_refuse(plot_py, validate, at("empty.h5"), "not a sortie result (no seal)")
    both_refuse(plot_py, validate, changed(good, at("version-2.h5"), lambda d: d.__setitem__(
        slice(0, USER_BLOCK), header("0" * 64, size, version=2))),
        "sealed by a newer sortie (seal version 2; this tool reads version 1)")

    # Sealed, but not what the tools read: not HDF5, incomplete, without scenarios or datasets.
    with open(at("sealed-text.h5"), "wb") as f:
        f.write(b"\0" * USER_BLOCK + b"not HDF5 at all\n")
    seal(at("sealed-text.h5"))
    both_refuse(plot_py, validate, at("sealed-text.h5"), "sealed, but HDF5 cannot open it")

    def incomplete(f):
        f.attrs["complete"] = 0
    both_refuse(plot_py, validate, sealed_h5(at("incomplete.h5"), incomplete), "complete = 1")

    def no_scenario(f):
        f.attrs["complete"] = 1
    refused(plot_py, "plot.py", sealed_h5(at("no-scenario.h5"), no_scenario),
            "no scenario in the file")
    refused(validate, "validate-france-2020", at("no-scenario.h5"), "holds no scenario")

    def no_counts(f):
        f.attrs["complete"] = 1
        f.create_group("baseline").create_dataset("state", data=[b"S", b"C"])
    refused(plot_py, "plot.py", sealed_h5(at("no-counts.h5"), no_counts),
            "not a result file plot.py can read")

    def wrong_labels(f):
        with h5py.File(good, "r") as source:
            for name in source:
                source.copy(source[name], f, name=name)
                del f[name]["state"]
                f[name]["state"] = [b"X"] * source[name]["state"].shape[0]
            for name, value in source.attrs.items():
                f.attrs[name] = value
    refused(plot_py, "plot.py", sealed_h5(at("wrong-labels.h5"), wrong_labels),
            "not a result file plot.py can read (ValueError")

    def fit_without_parameters(f):
        f.attrs["complete"] = 1
        f.attrs["kind"] = "fit"
    refused(plot_py, "plot.py", sealed_h5(at("fit.h5"), fit_without_parameters),
            "not a fit file plot.py can read")

    # A sealed run that is not France's first wave: validate-france-2020 says so.
    refused(validate, "validate-france-2020", good, "run all of metropolitan France")

    # plot.py's other files: the reference CSV and the PNG.
    refused(plot_py, "plot.py", good, "cannot read: No such file or directory",
            ["--reference", at("missing.csv")], named=at("missing.csv"))
    with open(at("bad.csv"), "w") as f:
        f.write("date,icu\n2020-13-45,3\n")
    refused(plot_py, "plot.py", good, "not a reference table plot.py can read (ValueError",
            ["--reference", at("bad.csv")], named=at("bad.csv"))
    with open(at("not-a-number.csv"), "w") as f:
        f.write("date,region_code,icu\n2020-03-01,11,many\n")
    refused(plot_py, "plot.py", good, "column 'icu' holds 'many', not a number",
            ["--reference", at("not-a-number.csv")], named=at("not-a-number.csv"))
    png = os.path.join(work, "no-such-folder", "r.png")
    refused(plot_py, "plot.py", good, "cannot write the PNG", ["-o", png], named=png)

    if failures:
        sys.exit(f"{len(failures)} check(s) failed")
    print("plot.py and validate-france-2020 refuse every bad file with one line, exit 2")


if __name__ == "__main__":
    main()
