"""Where a visible file's bytes really are. The path comes from the database, never from the
request; it must still resolve (symlinks followed) to a place inside a library root (a scan
folder, a library's rename target or the import library), so a symlink planted in a library
(`book.epub -> /etc/shadow`, or to the app's own database) is never served."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from django.conf import settings

from core.paths import is_inside
from media.models import LibraryFile
from scanning.models import ScanFolder


class OutsideLibrary(OSError):
    def __init__(self, path: str) -> None:
        super().__init__(errno.EACCES, "the file resolves to a place outside every library", path)


def library_roots() -> list[str]:
    roots = [str(settings.LIBRARY_DIR)]
    for path, target in ScanFolder.objects.values_list("path", "target_root"):
        roots += [p for p in (path, target) if p]
    return roots


def real_path(library_file: LibraryFile) -> Path:
    """The file's real path, or OutsideLibrary (an OSError: callers answer 404 for it as for a
    missing file)."""
    path = Path(library_file.path)
    if not any(is_inside(path, root) for root in library_roots()):
        raise OutsideLibrary(os.fspath(path))
    return path.resolve()
