"""Content hashes. The partial hash (size + three 64 KiB samples) is cheap and finds
candidates; the full SHA-256 confirms a move or a duplicate. Files up to
`SAMPLE * 3` bytes are hashed whole, so both hashes are the same single read.

The scan process takes only the cheap hashes of a new file (`quick_hashes`); the full hash
of a bigger file is completed where the file is read for its metadata (the extraction
process), or at once when its partial hash matches a known file (`completed`)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

SAMPLE = 64 * 1024
FULL_HASH_MAX_BYTES = 64 * 1024 * 1024  # larger files (audiobooks) are matched on size + partial hash


@dataclass(frozen=True)
class Hashes:
    partial: str
    full: str  # '' when the file is larger than FULL_HASH_MAX_BYTES


def partial_hash(path: str, size: int) -> str:
    digest = hashlib.sha256(str(size).encode() + b":")
    with open(path, "rb") as handle:
        if size <= SAMPLE * 3:
            digest.update(handle.read())
        else:
            for offset in (0, size // 2 - SAMPLE // 2, size - SAMPLE):
                handle.seek(offset)
                digest.update(handle.read(SAMPLE))
    return digest.hexdigest()


def full_hash(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def quick_hashes(path: str, size: int) -> Hashes:
    """Both hashes of a small file (one read); only the partial hash of a bigger one."""
    if size <= SAMPLE * 3:
        with open(path, "rb") as handle:
            data = handle.read()
        full = hashlib.sha256(data).hexdigest()
        partial = hashlib.sha256(str(len(data)).encode() + b":" + data).hexdigest()
        return Hashes(partial, full)
    return Hashes(partial_hash(path, size), "")


def completed(hashes: Hashes, path: str, size: int, *, full_limit: int = FULL_HASH_MAX_BYTES) -> Hashes:
    """The hashes with the full SHA-256 filled in (files over `full_limit` keep none)."""
    if hashes.full or size > full_limit:
        return hashes
    return Hashes(hashes.partial, full_hash(path))


def file_hashes(path: str, size: int) -> Hashes:
    """Both hashes whatever the size: for the importer, which files a download once and
    wants it recognisable later by the scanner and by the next import."""
    return completed(quick_hashes(path, size), path, size, full_limit=size)


def exists(path: str) -> bool:
    return os.path.lexists(path) and os.path.exists(path)
