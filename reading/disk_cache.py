"""A folder of cached entries (files or folders) under the data directory with a size cap: the
least recently used entries are deleted when the total passes it. "Used" is the entry's mtime,
touched on every use, so the order survives restarts and is shared by every process.

Entries are written under a temporary name and renamed into place, so a reader never sees half
an entry; names starting with "." are work in progress and never counted or evicted (unless
they are stale: older than a day, left by a killed process)."""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

STALE_WORK_SECONDS = 24 * 3600


def entry_size(path: Path) -> int:
    try:
        if path.is_dir() and not path.is_symlink():
            return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
        return path.lstat().st_size
    except OSError:
        return 0


def remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink()


@dataclass(frozen=True)
class DiskCache:
    root: Path
    cap_bytes: int

    def path(self, name: str) -> Path:
        return self.root / name

    def get(self, name: str) -> Path | None:
        """The entry, marked as just used, or None."""
        path = self.path(name)
        try:
            os.utime(path)
        except FileNotFoundError:
            return None
        return path

    def work_path(self, name: str) -> Path:
        """Where to build an entry before `commit` (a hidden name in the same folder)."""
        self.root.mkdir(parents=True, exist_ok=True)
        return self.root / f".{name}.{os.getpid()}.{time.monotonic_ns()}.part"

    def commit(self, work: Path, name: str) -> Path:
        """Put a built entry in place (replacing an older one of that name), then evict."""
        final = self.path(name)
        if final.is_dir() and not final.is_symlink():  # a folder cannot be replaced by rename
            remove(final)
        os.replace(work, final)
        self.evict(keep=name)
        return final

    def entries(self) -> list[tuple[float, int, Path]]:
        """(last use, size, path) of every committed entry."""
        found = []
        if not self.root.is_dir():
            return found
        for path in self.root.iterdir():
            try:
                mtime = path.lstat().st_mtime
            except FileNotFoundError:
                continue
            if path.name.startswith("."):
                if time.time() - mtime > STALE_WORK_SECONDS:
                    remove(path)
                continue
            found.append((mtime, entry_size(path), path))
        return found

    def evict(self, *, keep: str = "") -> list[Path]:
        """Delete least recently used entries until the total fits the cap (never `keep`, the
        entry just made, even if it alone is over the cap). Returns what was deleted."""
        entries = sorted(self.entries())
        total = sum(size for _, size, _ in entries)
        removed = []
        for _, size, path in entries:
            if total <= self.cap_bytes:
                break
            if path.name == keep:
                continue
            remove(path)
            removed.append(path)
            total -= size
        return removed
