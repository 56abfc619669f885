"""Sealed files for the tests of the Python tools (tools/sortie_seal.py reads the seal).

sortie writes every HDF5 file sealed: a 512-byte user block holding `sortie sealed file 1`,
`sha256 <hex digest of the bytes from 512 to the end>` and `bytes <file size>`, NUL-padded.
seal() writes that header into a file made with h5py's userblock_size=512; sealed_copy() gives
a sealed file with the content of a sortie file, itself if it is already sealed (files written
before sortie sealed them are copied, object by object).
"""
import hashlib
import os

import h5py

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


def sealed_copy(path, copy):
    """`path` if sortie sealed it, else `copy`: its groups (in creation order, which plot.py
    keeps) and root attributes copied into a file with a user block, sealed."""
    if is_sealed(path):
        return path
    with h5py.File(path, "r") as source, \
            h5py.File(copy, "w", userblock_size=USER_BLOCK, track_order=True) as target:
        names = []
        source.id.links.iterate(names.append, idx_type=h5py.h5.INDEX_CRT_ORDER)
        for name in (n.decode() for n in names):
            source.copy(source[name], target, name=name)
        for name, value in source.attrs.items():
            target.attrs[name] = value
    return seal(copy)
