"""Sealed files for the tests of the Python tools (tools/sortie_seal.py reads the seal).

sortie writes every HDF5 file sealed: a 512-byte user block holding `sortie sealed file 1`,
`sha256 <hex digest of the bytes from 512 to the end>` and `bytes <file size>`, NUL-padded.
seal() writes that header into a file made with h5py's userblock_size=512 (the tests' own
damaged or odd files); require_sealed() checks that a file sortie wrote is sealed.
"""
import hashlib
import os


USER_BLOCK = 512


def header(digest, size, version=1):
    text = f"sortie sealed file {version}\nsha256 {digest}\nbytes {size}\n".encode()
    return text + b"\0" * (USER_BLOCK - len(text))


def seal(path, version=1):
    """Writes the seal of `path`, an HDF5 file with a 512-byte user block, into that block."""
    sha = hashlib.sha256()
    with open(path, "r+b") as f:
        f.seek(USER_BLOCK)
        for chunk in iter(lambda: f.read(1 << 20), b""):
            sha.update(chunk)
        f.seek(0)
        f.write(header(sha.hexdigest(), os.path.getsize(path), version))
    return path


def is_sealed(path):
    with open(path, "rb") as f:
        return f.read(21) == b"sortie sealed file 1\n"


def require_sealed(path):
    """`path`, which sortie must have sealed: a test that reads a real result fails if sortie
    stops sealing its files."""
    if not is_sealed(path):
        raise AssertionError(f"{path}: sortie wrote it without a seal")
    return path
