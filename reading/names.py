"""The file name a download gets: `Author - Title.ext`, made safe by core.paths (no `/` from a
title, no reserved characters, 255 bytes with the extension kept). A book with several files of
one format (an audiobook in parts) keeps each file's own name after it, so they stay apart."""

from __future__ import annotations

from pathlib import PurePosixPath

from core.paths import clean_value, legalize_component
from media.models import ContributorRole, LibraryFile, MediaItem

MAX_AUTHORS = 3
_CREATOR_ROLES = (ContributorRole.AUTHOR, ContributorRole.WRITER)


def base_name(authors: list[str], title: str) -> str:
    """'Ursula K. Le Guin - A Wizard of Earthsea'; 'A & B & C et al. - Title'; the title alone
    without authors; 'Untitled' without either."""
    names = [clean_value(a) for a in authors if clean_value(a)]
    author = " & ".join(names[:MAX_AUTHORS]) + (" et al." if len(names) > MAX_AUTHORS else "")
    title = clean_value(title) or "Untitled"
    return f"{author} - {title}" if author else title


def safe_file_name(stem: str, extension: str) -> str:
    extension = extension.lower().lstrip(".")
    return legalize_component(f"{stem}.{extension}") or f"download.{extension}"


def item_authors(item: MediaItem) -> list[str]:
    contributions = list(item.contributions.select_related("author").order_by("position"))
    for role in _CREATOR_ROLES:
        names = [c.author.name for c in contributions if c.role == role]
        if names:
            return names
    return []


def item_base_name(item: MediaItem) -> str:
    return base_name(item_authors(item), item.title)


def file_extension(library_file: LibraryFile) -> str:
    name = PurePosixPath(library_file.path).name.lower()
    return "kepub.epub" if name.endswith(".kepub.epub") else (library_file.format or name.rsplit(".", 1)[-1])


def download_name(library_file: LibraryFile) -> str:
    """The name of one file of a book; the file's own stem is added when the book has other
    present files of the same format."""
    item = library_file.item
    if item is None:
        return legalize_component(PurePosixPath(library_file.path).name) or "download"
    stem = item_base_name(item)
    siblings = item.files.filter(state=library_file.state, format=library_file.format).exclude(pk=library_file.pk)
    if siblings.exists():
        stem = f"{stem} - {clean_value(PurePosixPath(library_file.path).stem)}"
    return safe_file_name(stem, file_extension(library_file))
