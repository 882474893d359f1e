"""Low-level file operations used by the journal: copies land under a temporary name and
are renamed into place, so a full disk or a crash never leaves a half file under the
final name; moves and hardlinks fall back to copying across filesystems."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

from core.errors import Conflict, DiskFull

_CROSS_DEVICE = {errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP}


def _raise_for(exc: OSError, what: str) -> None:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        raise DiskFull(
            f"No space left on device while {what}",
            hint="Free space in the library folder; the import is retried automatically.",
        ) from exc


def make_dirs(folder: Path) -> list[str]:
    """Create `folder` and missing parents; return the folders created (outermost first)."""
    missing: list[Path] = []
    current = folder
    while not current.exists():
        missing.append(current)
        current = current.parent
    folder.mkdir(parents=True, exist_ok=True)
    return [str(p) for p in reversed(missing)]


def copy_file(source: Path, destination: Path) -> None:
    partial = destination.with_name(f".{destination.name}.omni-part")
    try:
        shutil.copy2(source, partial)
        os.replace(partial, destination)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        _raise_for(exc, f"copying {source.name}")
        raise


def hardlink_or_copy(source: Path, destination: Path) -> str:
    """Hardlink (so a torrent keeps seeding the same data); copy when the library is on
    another filesystem or links are not allowed. Returns 'hardlink' or 'copy'."""
    try:
        os.link(source, destination)
        return "hardlink"
    except OSError as exc:
        if exc.errno not in _CROSS_DEVICE:
            _raise_for(exc, f"linking {source.name}")
            raise
    copy_file(source, destination)
    return "copy"


def move_file(source: Path, destination: Path) -> str:
    """Rename; across filesystems copy, check the size, then remove the source."""
    try:
        os.rename(source, destination)
        return "move"
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            _raise_for(exc, f"moving {source.name}")
            raise
    copy_file(source, destination)
    if destination.stat().st_size != source.stat().st_size:
        destination.unlink()
        raise Conflict(f"Copy of {source.name} has the wrong size; the original was kept")
    source.unlink()
    return "copy+delete"


def unique_path(path: Path) -> Path:
    """'Title.epub' -> 'Title (2).epub' -> ... : the first name not taken."""
    if not path.exists():
        return path
    for n in range(2, 1000):
        candidate = path.with_name(f"{path.stem} ({n}){path.suffix}")
        if not candidate.exists():
            return candidate
    raise Conflict(f"Too many files named like {path.name}")


def remove_empty_dirs(folders: list[str], *, stop_at: Path | None = None) -> None:
    """Remove folders we created, innermost first, only while they are empty."""
    for folder in sorted(folders, key=len, reverse=True):
        path = Path(folder)
        if stop_at is not None and path == stop_at:
            continue
        try:
            path.rmdir()
        except OSError:
            continue
