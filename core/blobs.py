"""Content-addressed files: bytes stored once under a folder, named by their SHA-256
(media.covers keeps covers this way). No Django: the folder is given, not read from settings."""

from __future__ import annotations

import errno
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from core.errors import DiskFull

_made_dirs: set[str] = set()


def _write(target: str, data: bytes) -> None:
    with open(target, "wb") as handle:
        handle.write(data)


@dataclass(frozen=True)
class BlobStore:
    """`root`: the absolute folder; `prefix`: how stored paths begin (the folder relative to
    the data directory, which is what rows record)."""

    root: str
    prefix: str

    def location(self, data: bytes, extension: str) -> tuple[str, str, str]:
        """(stored path, absolute folder, absolute file) of these bytes."""
        digest = hashlib.sha256(data).hexdigest()
        folder = os.path.join(self.root, digest[:2])
        name = f"{digest}.{extension}"
        return f"{self.prefix}/{digest[:2]}/{name}", folder, os.path.join(folder, name)

    def store(self, data: bytes, extension: str) -> str:
        """Write the bytes once; return their stored path. A file of the right size is
        trusted (a crash mid-write leaves a short file, which is rewritten next time).
        Nothing is ever deleted or overwritten with other bytes."""
        relative, folder, target = self.location(data, extension)
        try:
            if os.path.getsize(target) == len(data):
                return relative
        except OSError:
            pass
        if folder not in _made_dirs:
            os.makedirs(folder, exist_ok=True)
            _made_dirs.add(folder)
        try:
            _write(target, data)
        except FileNotFoundError:  # the folder was removed while we ran
            os.makedirs(folder, exist_ok=True)
            _write(target, data)
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                Path(target).unlink(missing_ok=True)
                raise DiskFull(
                    f"Disk full while writing to {self.root}",
                    hint="Free some space; the job resumes where it stopped.",
                ) from exc
            raise
        return relative
