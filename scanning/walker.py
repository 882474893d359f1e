"""Walk a library folder: one `os.scandir` per directory, sorted for a stable order,
following valid symlinks (with loop protection), logging broken ones and unreadable
folders, skipping OS junk. Directories are yielded one at a time with their book files
and their sidecars (`metadata.opf`, `cover.jpg`), so callers can group audiobook folders."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

JUNK_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini", ".directory", "@eadir", "$recycle.bin",
                        ".trash", ".trashes", ".spotlight-v100", ".fseventsd", "lost+found"})
SIDECAR_NAMES = frozenset({"metadata.opf", "cover.jpg", "cover.jpeg", "cover.png", "folder.jpg"})


@dataclass(frozen=True)
class FileEntry:
    path: str
    name: str
    size: int
    mtime_ns: int
    ext: str  # lower-case, without the dot


@dataclass(frozen=True)
class Directory:
    path: str
    files: tuple[FileEntry, ...]
    sidecars: dict[str, str] = field(default_factory=dict)  # lower-case name -> path


@dataclass
class WalkProblems:
    broken_links: list[str] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)


def is_junk(name: str) -> bool:
    return name.startswith("._") or name.lower() in JUNK_NAMES or name.startswith(".~")


def _entries(path: str, problems: WalkProblems) -> list[os.DirEntry]:
    try:
        with os.scandir(path) as it:
            return sorted(it, key=lambda e: e.name)
    except PermissionError as exc:
        logger.warning("Permission denied reading %s: %s", path, exc)
        problems.unreadable.append((path, f"permission denied: {exc.strerror}"))
    except OSError as exc:
        logger.warning("Cannot read folder %s: %s", path, exc)
        problems.unreadable.append((path, str(exc)))
    return []


def _follow(entry: os.DirEntry, walked_roots: list[str]) -> bool:
    """A symlinked folder is followed once, unless it points into a tree already walked
    (its files are reached by their real path, and loops end here)."""
    target = os.path.realpath(entry.path)
    if any(target == r or target.startswith(r.rstrip(os.sep) + os.sep) for r in walked_roots):
        logger.info("Symlinked folder %s points into a walked tree (%s); not followed again", entry.path, target)
        return False
    walked_roots.append(target)
    return True


def walk(root: str, extensions: frozenset[str], problems: WalkProblems | None = None) -> Iterator[Directory]:
    """Yield every directory under `root` (depth first, sorted) that has book files or sidecars.
    `extensions` are lower-case without the dot."""
    problems = problems if problems is not None else WalkProblems()
    if not os.path.isdir(root):
        problems.unreadable.append((root, "not a readable folder"))
        return
    stack = [root]
    walked_roots = [os.path.realpath(root)]
    while stack:
        current = stack.pop()
        files, sidecars, subdirs = [], {}, []
        for entry in _entries(current, problems):
            name = entry.name
            if is_junk(name):
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=True)
                if not is_dir and entry.is_symlink() and not os.path.exists(entry.path):
                    logger.warning("Broken symlink skipped: %s", entry.path)
                    problems.broken_links.append(entry.path)
                    continue
                if is_dir:
                    if not entry.is_symlink() or _follow(entry, walked_roots):
                        subdirs.append(entry.path)
                    continue
                low = name.lower()
                if low in SIDECAR_NAMES:
                    sidecars[low] = entry.path
                    continue
                ext = low.rsplit(".", 1)[-1] if "." in low else ""
                if ext in extensions:
                    st = entry.stat(follow_symlinks=True)
                    files.append(FileEntry(entry.path, name, st.st_size, st.st_mtime_ns, ext))
            except PermissionError as exc:
                logger.warning("Permission denied: %s (%s)", entry.path, exc.strerror)
                problems.unreadable.append((entry.path, f"permission denied: {exc.strerror}"))
            except OSError as exc:
                problems.unreadable.append((entry.path, str(exc)))
        stack.extend(reversed(subdirs))
        if files or sidecars:
            yield Directory(current, tuple(files), sidecars)


def count_files(root: str, extensions: frozenset[str]) -> int:
    """A quick count for progress totals: names only, no stat of files."""
    count, stack = 0, [root]
    while stack:
        try:
            with os.scandir(stack.pop()) as it:
                for entry in it:
                    if is_junk(entry.name):
                        continue
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(entry.path)
                            continue
                    except OSError:
                        continue
                    name = entry.name.lower()
                    if "." in name and name.rsplit(".", 1)[-1] in extensions:
                        count += 1
        except OSError:
            continue
    return count
