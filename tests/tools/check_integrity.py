#!/usr/bin/python3
"""Integrity of every file sortie writes or reads back, driven through the real command
(docs/reliability.md lists each failure mode and the case here that shows it).

usage: check_integrity.py SORTIE SCENARIOS_DIR WORK_DIR CASE

Exit 0 when the case holds, 1 with a FAIL line when it does not, 77 when this machine cannot
run it (CTest's SKIP_RETURN_CODE).
"""
import os
import shutil
import signal
import stat
import subprocess
import sys
import time

import h5py

SORTIE, SCENARIOS, WORK, CASE = sys.argv[1:5]
WELL_MIXED = os.path.join(SCENARIOS, "validation", "well-mixed.yaml")
LOCKDOWN = os.path.join(SCENARIOS, "france-2020", "lockdown.yaml")
SMALL = ["--set", "population.size=3000", "--set", "end=2020-03-31", "--quiet"]
# Long enough to be caught in the middle: about 5 s on one core.
LONG = [LOCKDOWN, "--set", "population.size=60000", "--set", "end=2020-06-30",
        "--replicates", "3", "--threads", "1", "--quiet"]
SKIP = 77


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def sortie(*args, timeout=120, **kwargs):
    """Runs sortie; a hang is a failure of the case, not of the test harness."""
    try:
        done = subprocess.run([SORTIE, *args], capture_output=True, text=True, timeout=timeout,
                              **kwargs)
    except subprocess.TimeoutExpired:
        fail(f"sortie {' '.join(args)} still running after {timeout} s")
    if done.returncode < 0 or "internal error" in done.stderr:
        fail(f"sortie {' '.join(args)} crashed (exit {done.returncode}): {done.stderr}")
    return done


def expect(done, code, *needles):
    if done.returncode != code:
        fail(f"exit {done.returncode}, expected {code}: {done.stderr.strip()}")
    for needle in needles:
        if needle not in done.stderr:
            fail(f"stderr lacks '{needle}': {done.stderr.strip()}")


def fresh(name):
    folder = os.path.join(WORK, name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    return folder


def small_run(folder, name="run.h5", *extra):
    path = os.path.join(folder, name)
    expect(sortie("run", WELL_MIXED, *SMALL, "--replicates", "2", *extra, "-o", path), 0)
    return path


def flip(path, offset, count=64):
    """Inverts `count` bytes from `offset` (clipped to the file)."""
    with open(path, "r+b") as f:
        f.seek(offset)
        data = f.read(count)
        f.seek(offset)
        f.write(bytes(b ^ 0xFF for b in data))


def offsets(path):
    """Where to damage a file: in the seal's digest line, HDF5's superblock, the middle, the
    end (for checkpoint files: the digest header, the start and middle of the payload)."""
    size = os.path.getsize(path)
    return [30, min(520, size - 1), size // 2, size - 1]


def damaged_copies(pristine):
    """(description, path of a damaged copy) for each way of damaging `pristine`."""
    size = os.path.getsize(pristine)
    for offset in offsets(pristine):
        damaged = pristine + f".flip{offset}"
        shutil.copyfile(pristine, damaged)
        flip(damaged, offset)
        yield f"64 bytes flipped at {offset} of {size}", damaged
    for keep in (size - 1, size // 2):
        damaged = pristine + f".cut{keep}"
        shutil.copyfile(pristine, damaged)
        os.truncate(damaged, keep)
        yield f"truncated to {keep} of {size} bytes", damaged


def leftovers(folder):
    return [n for n in os.listdir(folder) if n.endswith((".partial", ".lock"))]


# ---- full disk --------------------------------------------------------------------------------

def limit_file_size(limit):
    import resource
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def case_full_disk_file_size_limit():
    folder = fresh("fsize")
    out = os.path.join(folder, "out.h5")
    done = sortie("run", WELL_MIXED, *SMALL, "--replicates", "4", "-o", out,
                  preexec_fn=limit_file_size(20000))
    expect(done, 3, "File too large", out)
    if os.path.exists(out) or leftovers(folder):
        fail(f"a failed write left files: {os.listdir(folder)}")


def case_full_disk_tmpfs():
    folder = fresh("tmpfs")
    if os.geteuid() != 0:
        print("SKIP: mounting a tmpfs needs root")
        sys.exit(SKIP)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", folder]).returncode:
        print("SKIP: this machine cannot mount a tmpfs")
        sys.exit(SKIP)
    try:
        out = os.path.join(folder, "out.h5")
        done = sortie("run", WELL_MIXED, *SMALL, "--replicates", "8", "-o", out)
        expect(done, 3, "No space left on device", out)
        if os.path.exists(out) or leftovers(folder):
            fail(f"a failed write left files: {os.listdir(folder)}")
    finally:
        subprocess.run(["umount", folder])


def case_full_disk_checkpoint():
    folder = fresh("fsize-checkpoint")
    out = os.path.join(folder, "out.h5")
    done = sortie("run", WELL_MIXED, *SMALL, "--checkpoint-every", "5", "-o", out,
                  preexec_fn=limit_file_size(8000))
    expect(done, 3, "File too large", ".checkpoint/")
    checkpoint = out + ".checkpoint"
    left = os.listdir(checkpoint) if os.path.isdir(checkpoint) else []
    if os.path.exists(out) or [n for n in left if n.endswith(".partial")]:
        fail(f"a failed checkpoint left files: {os.listdir(folder)} {left}")


# ---- damaged files are refused ------------------------------------------------------------------

def refused_for_its_seal(done, path):
    """Exit 2, the file named, and the seal's verdict (not a later parse error)."""
    return done.returncode == 2 and path in done.stderr and any(
        word in done.stderr for word in ("damaged", "truncated", "no seal"))


def case_damaged_result():
    folder = fresh("damaged-result")
    pristine = small_run(folder)
    expect(sortie("summary", pristine), 0)
    for what, damaged in damaged_copies(pristine):
        done = sortie("summary", damaged, timeout=30)
        if not refused_for_its_seal(done, damaged):
            fail(f"summary of a result with {what}: exit {done.returncode}, {done.stderr}")
    partial = pristine + ".partial"
    shutil.copyfile(pristine, partial)
    expect(sortie("summary", partial), 2, "unfinished file (.partial)")


def case_damaged_slice():
    folder = fresh("damaged-slice")
    slices = [small_run(folder, f"slice{i}.h5", "--task-count", "2", "--task-index", str(i))
              for i in (0, 1)]
    out = os.path.join(folder, "joined.h5")
    for what, damaged in damaged_copies(slices[0]):
        done = sortie("collect", damaged, slices[1], "-o", out, timeout=30)
        if not refused_for_its_seal(done, damaged) or os.path.exists(out):
            fail(f"collect of a slice with {what}: exit {done.returncode}, {done.stderr}")
        done = sortie("run", WELL_MIXED, *SMALL, "--replicates", "2", "--only-missing", damaged,
                      "-o", os.path.join(folder, "rest.h5"), timeout=30)
        if not refused_for_its_seal(done, damaged):
            fail(f"--only-missing with a slice with {what}: exit {done.returncode}, "
                 f"{done.stderr}")
    expect(sortie("collect", *slices, "-o", out), 0)
    # A slice the run reads may not be its output, even with --force.
    expect(sortie("run", WELL_MIXED, *SMALL, "--replicates", "2", "--only-missing", slices[0],
                  "--force", "-o", slices[0]), 2, "also an input of this run")
    expect(sortie("collect", *slices, "--force", "-o", slices[1]), 2,
           "also an input of this run")


def interrupted_checkpoint(folder):
    """A checkpoint folder holding a finished replicate (.done) and an unfinished one
    (.state), left by SIGTERM."""
    out = os.path.join(folder, "r.h5")
    checkpoint = out + ".checkpoint"
    run = subprocess.Popen([SORTIE, "run", *LONG, "--checkpoint-every", "7", "-o", out],
                           stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and run.poll() is None:
        names = os.listdir(checkpoint) if os.path.isdir(checkpoint) else []
        if any(n.endswith(".done") for n in names) and any(n.endswith(".state") for n in names):
            run.send_signal(signal.SIGTERM)
            break
        time.sleep(0.05)
    if run.wait(timeout=60) != 130:
        fail("could not interrupt a run with a finished and an unfinished replicate")
    return out, checkpoint


def case_damaged_checkpoint():
    folder = fresh("damaged-checkpoint")
    out, checkpoint = interrupted_checkpoint(folder)
    pristine = checkpoint + ".pristine"
    shutil.copytree(checkpoint, pristine)
    kinds = {"state": None, "done": None, "manifest": None}
    for name in sorted(os.listdir(pristine)):
        for kind in kinds:
            if name.endswith(kind) and kinds[kind] is None:
                kinds[kind] = name
    for kind, name in kinds.items():
        for offset in offsets(os.path.join(pristine, name)):
            shutil.rmtree(checkpoint)
            shutil.copytree(pristine, checkpoint)
            flip(os.path.join(checkpoint, name), offset)
            done = sortie("run", *LONG, "--checkpoint-every", "7", "--resume", "-o", out,
                          timeout=60)
            if done.returncode != 2 or name not in done.stderr or os.path.exists(out):
                fail(f"--resume with a {kind} file flipped at {offset}: exit "
                     f"{done.returncode}, {done.stderr}")
    shutil.rmtree(checkpoint)
    shutil.copytree(pristine, checkpoint)
    expect(sortie("run", *LONG, "--checkpoint-every", "7", "--resume", "-o", out), 0)


# ---- the output path ----------------------------------------------------------------------------

def case_two_runs_one_output():
    folder = fresh("lock")
    out = os.path.join(folder, "out.h5")
    first = subprocess.Popen([SORTIE, "run", *LONG, "--seed", "11", "-o", out],
                             stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while not os.path.exists(out + ".lock"):
        if time.time() > deadline or first.poll() is not None:
            fail("the first run never took its lock")
        time.sleep(0.02)
    started = time.time()
    second = sortie("run", *LONG, "--seed", "22", "-o", out)
    expect(second, 3, "another sortie is writing it")
    if time.time() - started > 5:
        fail("the second run was not refused at once")
    if first.wait(timeout=120) != 0:
        fail(f"the first run failed: {first.stderr.read()}")
    with h5py.File(out, "r") as f:
        if "--seed 11" not in f.attrs["command_line"]:
            fail("the file does not hold the data of the run that exited 0")
    if leftovers(folder):
        fail(f"the lock file was left behind: {os.listdir(folder)}")


def case_output_not_a_result():
    folder = fresh("not-a-result")
    fifo = os.path.join(folder, "fifo")
    os.mkfifo(fifo)
    for target in (fifo, folder, "/dev/null"):
        for force in ([], ["--force"]):
            done = sortie("run", WELL_MIXED, *SMALL, *force, "-o", target, timeout=30)
            expect(done, 2, "not a regular file")
    if not stat.S_ISFIFO(os.stat(fifo).st_mode):
        fail("the FIFO was replaced")
    scenario = os.path.join(folder, "scenario.yaml")
    shutil.copyfile(WELL_MIXED, scenario)
    with open(scenario) as f:
        text = f.read().replace("../", os.path.join(os.path.abspath(SCENARIOS), ""))
    with open(scenario, "w") as f:
        f.write(text)
    child = os.path.join(folder, "child.yaml")
    with open(child, "w") as f:
        f.write(f"extends: {scenario}\n")
    for force in ([], ["--force"]):
        expect(sortie("run", scenario, *SMALL, *force, "-o", scenario), 2,
               "also an input of this run")
        # The file a scenario extends is an input too.
        expect(sortie("run", child, *SMALL, *force, "-o", scenario), 2,
               "also an input of this run")
    with open(scenario) as f:
        if f.read() != text:
            fail("the scenario was overwritten")
    table = os.path.join(folder, "mine.csv")
    with open(table, "w") as f:
        f.write("a,b\n1,2\n")
    expect(sortie("run", WELL_MIXED, *SMALL, "-o", table), 2, "not a file written by sortie",
           "--force")
    with open(table) as f:
        if f.read() != "a,b\n1,2\n":
            fail("the user's file was overwritten")
    expect(sortie("run", WELL_MIXED, *SMALL, "--force", "-o", table), 0)
    expect(sortie("summary", table), 0)
    expect(sortie("run", WELL_MIXED, *SMALL, "-o", table), 0)  # now sortie's: replaced


def case_output_folder():
    folder = fresh("folder")
    missing = os.path.join(folder, "no-such-folder", "out.h5")
    started = time.time()
    expect(sortie("run", LOCKDOWN, "--replicates", "2", "--quiet", "-o", missing), 3,
           "does not exist")
    if time.time() - started > 10:
        fail("a missing folder must be refused before simulating")
    # sortie fit claims its output the same way, before it fits anything.
    fit_file = os.path.join(SCENARIOS, "..", "tests", "data", "fit-threads.yaml")
    expect(sortie("fit", fit_file, "--quiet", "-o", missing, timeout=30), 3, "does not exist")
    expect(sortie("fit", fit_file, "--quiet", "--force", "-o", fit_file, timeout=30), 2,
           "also an input of this run")
    read_only = os.path.join(folder, "read-only")
    os.makedirs(read_only)
    os.chmod(read_only, 0o555)
    os.chmod(folder, 0o755)
    as_user = []
    if os.geteuid() == 0:  # root writes anywhere: run as nobody, as a user would
        as_user = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
    out = os.path.join(read_only, "out.h5")
    started = time.time()
    done = subprocess.run([*as_user, SORTIE, "run", LOCKDOWN, "--replicates", "2", "--quiet",
                           "-o", out], capture_output=True, text=True, timeout=120)
    expect(done, 3, "Permission denied")
    if time.time() - started > 10:
        fail("a read-only folder must be refused before simulating")


CASES = {name[len("case_"):]: f for name, f in globals().items() if name.startswith("case_")}

if __name__ == "__main__":
    if CASE not in CASES:
        fail(f"unknown case {CASE}; expected one of {', '.join(CASES)}")
    os.makedirs(WORK, exist_ok=True)
    CASES[CASE]()
    print(f"{CASE}: ok")
