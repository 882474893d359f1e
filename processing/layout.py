"""Where an imported item goes in the library: the renamer's template engine
(`core/naming.py`) with one template per media kind (Import settings), so imports and
renames produce the same paths.

Defaults: `${author.sortname}/${bookseries.title}/${title}.${ext}` (ebooks; a standalone book
sits directly under its author), audiobooks as one folder per book with their parts in order,
comics as `Series/Series #NNN`. Empty segments are dropped, values are legalised by
`core/paths.py`. Where books share a folder, their sidecars are named after them (see
`processing.steps.sidecars`)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path

from core import naming
from core.naming import NamingContext, render
from core.paths import legalize_component
from processing.types import WantedItem

DEFAULT_TEMPLATES: Mapping[str, str] = {
    "ebook": "${author.sortname}/${bookseries.title}/${title}.${ext}",
    "audiobook": "${author.sortname}/${bookseries.title}/${title}/${originalFilename}.${ext}",
    "comic": "${bookseries.title}/${bookseries.title} #${issue}.${ext}",
}


def _series_index(value: str) -> Decimal | None:
    try:
        return Decimal(value) if value else None
    except InvalidOperation:
        return None


def naming_context(item: WantedItem, ext: str, original_filename: str = "") -> NamingContext:
    return NamingContext(
        title=item.title or "Untitled",
        authors=item.authors or ("Unknown Author",),
        author_sort_names=item.author_sorts or item.authors or ("Unknown Author",),
        narrators=item.narrators,
        series_title=item.series or (item.title if item.kind == "comic" else ""),
        series_index=_series_index(item.series_index),
        year=item.year,
        language=item.language,
        format=ext.lower(),
        publisher=item.publisher,
        isbn=item.isbn13,
        issue=item.issue_number,
        ext=ext.lower(),
        original_filename=original_filename,
        kind=item.kind,
    )


def library_path(item: WantedItem, ext: str, *, template: str | None = None, original_filename: str = "") -> Path:
    """Relative path of one file, e.g. 'Le Guin, Ursula K/Earthsea/A Wizard of Earthsea.epub'."""
    chosen = template or DEFAULT_TEMPLATES.get(item.kind, DEFAULT_TEMPLATES["ebook"])
    return Path(render(chosen, naming_context(item, ext, original_filename)))


def library_relative_dir(item: WantedItem, *, template: str | None = None) -> Path:
    """The folder of the item's files (an audiobook's folder holds all its parts)."""
    return library_path(item, "bin", template=template, original_filename="part").parent


def has_own_folder(item: WantedItem, *, template: str | None = None) -> bool:
    """Whether the item's folder is its own (see core.naming.has_own_folder)."""
    chosen = template or DEFAULT_TEMPLATES.get(item.kind, DEFAULT_TEMPLATES["ebook"])
    return naming.has_own_folder(chosen, naming_context(item, "bin", original_filename="part"))


def book_stem(item: WantedItem, *, template: str | None = None) -> str:
    return library_path(item, "bin", template=template, original_filename=item.title).stem


def part_name(part: int, total: int, original: Path) -> str:
    """Audiobook parts keep their order in the file name: '01 - Chapter One.mp3'."""
    width = max(2, len(str(total)))
    stem = legalize_component(original.stem) or "part"
    return legalize_component(f"{part:0{width}d} - {stem}{original.suffix.lower()}", keep_extension=True)
