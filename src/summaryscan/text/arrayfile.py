"""Named numpy arrays in one cache file, mapped read-only into every process that reads it.

Built data that every worker process needs (the segmentation lattice's hash tables) are
written once into the user's cache folder (:func:`segment.cache_dir`) and then read with
``mmap``: no process computes them again, none copies them, and the worker processes of
a batch share the same pages of the page cache. The file is a magic line, a JSON header
line (the caller's ``meta``; each array's dtype, shape, offset and CRC-32) and the arrays'
bytes, each at a 64-byte boundary. :func:`load` raises ``ValueError`` on a file that is
not whole (wrong magic, header, size or checksum), so the caller rebuilds it; :func:`save`
writes atomically (a temporary file renamed), so a reader never sees half a file.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import zlib
from typing import Iterable

import numpy as np

_MAGIC = b"summaryscan-arrays\n"
_ALIGN = 64


def save(path: str, meta: dict, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` (name -> array) and ``meta`` (JSON) to ``path``, atomically."""
    arrays = {name: np.ascontiguousarray(a) for name, a in arrays.items()}
    specs, offset = [], 0
    for name, a in arrays.items():
        specs.append({"name": name, "dtype": a.dtype.str, "shape": list(a.shape), "offset": offset,
                      "crc": zlib.crc32(a)})
        offset += -(-a.nbytes // _ALIGN) * _ALIGN
    header = json.dumps({"meta": meta, "byteorder": sys.byteorder, "arrays": specs, "size": offset},
                        sort_keys=True, ensure_ascii=False).encode("utf-8") + b"\n"
    head = _MAGIC + header
    start = -(-len(head) // _ALIGN) * _ALIGN

    def parts():
        yield head.ljust(start, b"\0")
        for a in arrays.values():
            yield a.tobytes()
            yield b"\0" * (-a.nbytes % _ALIGN)
    write_atomically(path, parts())


def write_atomically(path: str, parts: Iterable[bytes]) -> None:
    """Write ``parts`` to ``path`` through a temporary file renamed when whole (readable by
    all: a cache, shared by the users' processes), so no reader ever sees half a file."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            for part in parts:
                fh.write(part)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def load(path: str) -> tuple[dict, dict[str, np.ndarray]]:
    """``(meta, arrays)`` of a file :func:`save` wrote; the arrays are read-only views of one
    shared mapping of the file. ``ValueError`` when the file is damaged."""
    with open(path, "rb") as fh:
        if fh.read(len(_MAGIC)) != _MAGIC:
            raise ValueError("not a summaryscan array file")
        try:
            header = json.loads(fh.readline())
        except json.JSONDecodeError as exc:
            raise ValueError(f"damaged header: {exc}") from None
        start = -(-fh.tell() // _ALIGN) * _ALIGN
        size = os.fstat(fh.fileno()).st_size
    if header.get("byteorder") != sys.byteorder or size != start + header.get("size", -1):
        raise ValueError("array file of another byte order, or cut short")
    whole = np.memmap(path, np.uint8, "r", start, header["size"]) if header["size"] else np.zeros(0, np.uint8)
    arrays = {}
    for s in header["arrays"]:
        dtype = np.dtype(s["dtype"])
        n = int(np.prod(s["shape"], dtype=np.int64)) * dtype.itemsize
        a = np.ndarray(s["shape"], dtype, buffer=whole, offset=s["offset"]) if n else np.zeros(s["shape"], dtype)
        if zlib.crc32(a) != s["crc"]:
            raise ValueError(f"array {s['name']} is damaged")
        arrays[s["name"]] = a
    return header["meta"], arrays
