"""Is this `.zip` / `.rar` a comic (a renamed cbz/cbr)? Decided by what it holds, from its
member list alone (no member is read): mostly page images, no book file. A zip of EPUBs or
of a software release is not a comic. `.7z`/`.cb7` are not read (see the README)."""

from __future__ import annotations

import zipfile
from pathlib import PurePath

from scanning.extractors.safety import IMAGE_EXTENSIONS, open_book

COMIC_SHARE = 0.8  # of the members that are not metadata, this many must be images
_METADATA = (".xml", ".txt", ".nfo", ".sfv", ".db", ".ini", ".url", ".json", ".md", ".diz")
_BOOKS = (".epub", ".mobi", ".azw", ".azw3", ".pdf", ".cbz", ".cbr", ".djvu", ".m4b", ".mp3")
MAX_MEMBERS = 100_000  # a member list longer than this is not a comic anyone reads


def holds_a_comic(names: list[str]) -> bool:
    """Members (directories and hidden files aside) that are mostly images and no book."""
    files = [n for n in names if not n.endswith("/") and not PurePath(n).name.startswith(".")]
    files = [n for n in files if "__macosx/" not in n.lower()]
    lowered = [n.lower() for n in files]
    if any(n.endswith(_BOOKS) for n in lowered):
        return False
    pages = [n for n in lowered if not n.endswith(_METADATA)]
    images = sum(1 for n in pages if n.endswith(IMAGE_EXTENSIONS))
    return images > 0 and images >= COMIC_SHARE * len(pages)


def zip_members(path: str) -> list[str] | None:
    """The member names of a zip, None when it is not a readable zip."""
    try:
        with open_book(path) as handle, zipfile.ZipFile(handle) as zf:
            infos = zf.infolist()
            return [i.filename for i in infos] if len(infos) <= MAX_MEMBERS else None
    except Exception:  # not a zip, truncated, unreadable: not a comic either way
        return None


def rar_members(path: str) -> list[str] | None:
    """The member names of a RAR archive (rarfile reads the headers itself: no tool needed)."""
    import rarfile

    try:
        with open_book(path) as handle, rarfile.RarFile(handle) as rf:
            names = rf.namelist()
            return names if len(names) <= MAX_MEMBERS else None
    except Exception:
        return None


def is_comic_archive(path: str) -> bool:
    suffix = PurePath(path).suffix.lower()
    names = zip_members(path) if suffix == ".zip" else rar_members(path) if suffix == ".rar" else None
    return names is not None and holds_a_comic(names)
