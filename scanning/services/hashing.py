"""Content hashes. The partial hash (size + three 64 KiB samples) is cheap and finds
candidates; the full SHA-256 confirms a move or a duplicate. Files up to
`SAMPLE * 3` bytes are hashed whole, so both hashes are the same single read.

The scan process takes only the cheap hashes of a new file (`quick_hashes`); the full hash
of a bigger file is completed where the file is read for its metadata (the extraction
process), or at once when its partial hash matches a known file (`completed`).

Only regular files are hashed (core.files.open_regular: a FIFO or a device file put in a
book's place is refused, never waited on), and every read is planned from the size of the
open file: nothing is read "to the end", so a file that grows while it is read (or a device)
cannot make a hash read without bound."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from core.files import read_at, regular_fd

SAMPLE = 64 * 1024
CHUNK = 1024 * 1024
FULL_HASH_MAX_BYTES = 64 * 1024 * 1024  # larger files (audiobooks) are matched on size + partial hash


@dataclass(frozen=True)
class Hashes:
    partial: str
    full: str  # '' when the file is larger than FULL_HASH_MAX_BYTES


def _sampled(fd: int, size: int) -> str:
    digest = hashlib.sha256(str(size).encode() + b":")
    for offset in (0, size // 2 - SAMPLE // 2, size - SAMPLE):
        digest.update(read_at(fd, SAMPLE, offset))
    return digest.hexdigest()


def full_hash(path: str) -> str:
    digest = hashlib.sha256()
    with regular_fd(path) as (fd, st):
        for offset in range(0, st.st_size, CHUNK):
            digest.update(read_at(fd, min(CHUNK, st.st_size - offset), offset))
    return digest.hexdigest()


def quick_hashes(path: str) -> Hashes:
    """Both hashes of a small file (one read); only the partial hash of a bigger one."""
    with regular_fd(path) as (fd, st):
        if st.st_size > SAMPLE * 3:
            return Hashes(_sampled(fd, st.st_size), "")
        data = read_at(fd, st.st_size)
    full = hashlib.sha256(data).hexdigest()
    partial = hashlib.sha256(str(len(data)).encode() + b":" + data).hexdigest()
    return Hashes(partial, full)


def completed(hashes: Hashes, path: str, size: int, *, full_limit: int = FULL_HASH_MAX_BYTES) -> Hashes:
    """The hashes with the full SHA-256 filled in (files over `full_limit` keep none)."""
    if hashes.full or size > full_limit:
        return hashes
    return Hashes(hashes.partial, full_hash(path))


def file_hashes(path: str, size: int) -> Hashes:
    """Both hashes whatever the size: for the importer, which files a download once and
    wants it recognisable later by the scanner and by the next import."""
    return completed(quick_hashes(path), path, size, full_limit=size)


def exists(path: str) -> bool:
    return os.path.lexists(path) and os.path.exists(path)
