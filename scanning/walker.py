"""Walk a library folder: one `os.scandir` per directory, sorted for a stable order,
following valid symlinks (with loop protection), logging broken ones and unreadable
folders, skipping OS junk. Directories are yielded one at a time with their book files
and their sidecars (`metadata.opf`, `cover.jpg`), so callers can group audiobook folders."""

from __future__ import annotations

import logging
import operator
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

logger = logging.getLogger(__name__)

JUNK_NAMES = frozenset(
    {
        ".ds_store",
        "thumbs.db",
        "desktop.ini",
        ".directory",
        "@eadir",
        "$recycle.bin",
        ".trash",
        ".trashes",
        ".spotlight-v100",
        ".fseventsd",
        "lost+found",
    }
)
SIDECAR_NAMES = frozenset({"metadata.opf", "cover.jpg", "cover.jpeg", "cover.png", "folder.jpg"})


class FileEntry(NamedTuple):  # a tuple: cheap to make 100k times, immutable
    path: str
    name: str
    size: int
    mtime_ns: int
    ext: str  # lower-case, without the dot


class Directory(NamedTuple):
    path: str
    files: tuple[FileEntry, ...]
    sidecars: dict[str, str]  # lower-case name -> path


@dataclass
class WalkProblems:
    broken_links: list[str] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)


_BY_NAME = operator.attrgetter("name")


def is_junk(name: str) -> bool:
    return name.startswith("._") or name.lower() in JUNK_NAMES or name.startswith(".~")


def _entries(path: str, problems: WalkProblems) -> list[os.DirEntry]:
    try:
        with os.scandir(path) as it:
            return sorted(it, key=_BY_NAME)
    except PermissionError as exc:
        logger.warning("Permission denied reading %s: %s", path, exc)
        problems.unreadable.append((path, f"permission denied: {exc.strerror}"))
    except OSError as exc:
        logger.warning("Cannot read folder %s: %s", path, exc)
        problems.unreadable.append((path, str(exc)))
    return []


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def walk(root: str, extensions: frozenset[str], problems: WalkProblems | None = None) -> Iterator[Directory]:
    """Yield every directory under `root` (depth first, sorted) that has book files or sidecars.
    `extensions` are lower-case without the dot. Symlinked folders are followed, but a folder
    is walked once: links back into the tree and loops are skipped by real path."""
    problems = problems if problems is not None else WalkProblems()
    if not os.path.isdir(root):
        problems.unreadable.append((root, "not a readable folder"))
        return
    real_root = os.path.realpath(root)
    stack: list[tuple[str, bool]] = [(root, False)]
    linked_seen: set[str] = set()  # real paths of folders walked through symlinks
    while stack:
        current, via_link = stack.pop()
        if via_link:
            real = os.path.realpath(current)
            if real in linked_seen or _inside(real, real_root):
                logger.info("Folder %s was already walked as %s; skipped", current, real)
                continue
            linked_seen.add(real)
        files, sidecars, subdirs = _scan_directory(current, extensions, problems)
        stack.extend((path, via_link or linked) for path, linked in reversed(subdirs))
        if files or sidecars:
            yield Directory(current, tuple(files), sidecars)


def _scan_directory(
    current: str, extensions: frozenset[str], problems: WalkProblems
) -> tuple[list[FileEntry], dict[str, str], list[tuple[str, bool]]]:
    files: list[FileEntry] = []
    sidecars: dict[str, str] = {}
    subdirs: list[tuple[str, bool]] = []
    for entry in _entries(current, problems):
        name = entry.name
        low = name.lower()
        if low in JUNK_NAMES or name.startswith(("._", ".~")):
            continue
        try:
            if entry.is_dir(follow_symlinks=True):
                subdirs.append((entry.path, entry.is_symlink()))
                continue
            if entry.is_symlink() and not os.path.exists(entry.path):
                logger.warning("Broken symlink skipped: %s", entry.path)
                problems.broken_links.append(entry.path)
                continue
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
    return files, sidecars, subdirs


def count_files(root: str, extensions: frozenset[str], *, limit: int | None = None) -> int:
    """A quick count for progress totals: names only, no stat of files. With `limit`, stops
    once more than `limit` files are found."""
    count, stack = 0, [root]
    while stack and (limit is None or count <= limit):
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
