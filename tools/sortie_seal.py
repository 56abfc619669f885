"""Checks the seal of an HDF5 file written by sortie (result, slice and fit files), for the
Python tools next to this module (plot.py, validate-france-2020).

A sealed file starts with a 512-byte HDF5 user block (HDF5 and h5py skip it) that holds ASCII
lines, then NUL bytes up to byte 512:

    sortie sealed file 1
    sha256 <64 lowercase hex digits: SHA-256 of the bytes from offset 512 to the end>
    bytes <the file's total size in bytes>

verify(path) returns when the file is intact and raises BadFile otherwise; BadFile.what says
what is wrong in a few words, to be printed as `TOOL: FILE: what is wrong`. Standard library
only (hashlib), reading in chunks of a few MiB: result files can be hundreds of MB.
"""
import hashlib
import os
import re
import stat

USER_BLOCK = 512
VERSION = 1
MAGIC = b"sortie sealed file "
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
CHUNK = 4 << 20
_HEADER = re.compile(rb"sortie sealed file 1\nsha256 ([0-9a-f]{64})\nbytes (0|[1-9][0-9]{0,19})\n")


class BadFile(Exception):
    """A file a tool cannot use: `path` and `what` is wrong with it, on one line."""

    def __init__(self, path, what):
        super().__init__(f"{path}: {what}")
        self.path = path
        self.what = what


def one_line(text):
    """`text` fit for a one-line message: line breaks and other control characters escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


def report(tool, error):
    """The line `TOOL: FILE: what is wrong` for a BadFile."""
    return f"{tool}: {one_line(error.path)}: {one_line(error.what)}"


def _kind(mode):
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "not a plain file"


def _no_seal(head):
    if head.startswith(HDF5_SIGNATURE):
        return "not a sortie result (no seal): an HDF5 file without sortie's seal"
    return "not a sortie result (no seal)"


def verify(path):
    """Raises BadFile unless `path` is an intact sealed file."""
    path = os.fspath(path)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        if path.endswith(".partial") or not os.path.exists(path + ".partial"):
            raise BadFile(path, "no such file") from None
        raise BadFile(path, f"no such file, but {path}.partial exists: the run that writes it "
                            "has not finished or was killed") from None
    except OSError as e:
        raise BadFile(path, f"cannot open: {e.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise BadFile(path, f"not a regular file ({_kind(info.st_mode)})")
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb", buffering=0) as f:
        if path.endswith(".partial"):
            raise BadFile(path, "unfinished file (.partial): the run that writes it has not "
                                "finished or was killed")
        try:
            _check(f, info.st_size, path)
        except OSError as e:
            raise BadFile(path, f"cannot read: {e.strerror or e}") from None


def _check(f, size, path):
    head = f.read(USER_BLOCK)
    if not head.startswith(MAGIC):
        raise BadFile(path, _no_seal(head))
    version = head[len(MAGIC):].split(b"\n", 1)[0]
    if version != b"1":
        if re.fullmatch(rb"[1-9][0-9]{0,8}", version) and int(version) > VERSION:
            raise BadFile(path, f"sealed by a newer sortie (seal version {int(version)}; "
                                f"this tool reads version {VERSION})")
        raise BadFile(path, "damaged: its seal's first line is not 'sortie sealed file 1'")
    if len(head) < USER_BLOCK:
        raise BadFile(path, f"truncated: {size} bytes, less than its {USER_BLOCK}-byte seal")
    header = _HEADER.match(head)
    if header is None or head[header.end():].strip(b"\0"):
        raise BadFile(path, "damaged: its seal (the first 512 bytes) is not well formed")
    digest, recorded = header.group(1).decode(), int(header.group(2))
    if size < recorded:
        raise BadFile(path, f"truncated: {size} bytes of the {recorded} its seal records")
    if size > recorded:
        raise BadFile(path, f"damaged: {size} bytes, {size - recorded} more than the {recorded} "
                            "its seal records")
    sha = hashlib.sha256()
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    read = USER_BLOCK
    while True:
        n = f.readinto(buffer)
        if not n:
            break
        sha.update(view[:n])
        read += n
    if read != recorded:
        raise BadFile(path, f"changed while being read: {read} bytes read, {recorded} recorded")
    if sha.hexdigest() != digest:
        raise BadFile(path, "damaged: its content does not match its seal (SHA-256 differs)")


# ---- Reading a sealed file with h5py: what both tools need once the seal is checked --------

# What h5py and numpy raise on a file that is intact but not what a tool expects.
READ_ERRORS = (OSError, KeyError, ValueError, IndexError, TypeError, RuntimeError)


def why(error):
    """An exception raised while reading a file, in words, on one line."""
    # A KeyError's str() is the repr of its key: its message in quotes.
    text = error.args[0] if isinstance(error, KeyError) and error.args else error
    return f"{type(error).__name__}: {str(text).strip() or 'no details'}"


def names_in_run_order(f):
    """The names of the root's links in the order the run wrote them (sortie's files track
    creation order); in name order for a file whose root does not (h5py's RuntimeError)."""
    import h5py
    names = []
    try:
        f.id.links.iterate(
            lambda name: names.append(name.decode() if isinstance(name, bytes) else str(name)),
            idx_type=h5py.h5.INDEX_CRT_ORDER)
    except (TypeError, ValueError, KeyError, RuntimeError):
        names = list(f)
    return names
