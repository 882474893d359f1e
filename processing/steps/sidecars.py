"""Sidecars: a cover (best valid cover) then an OPF 2.0 that Calibre reads, written through
the journal so undo removes them. The cover is written first: the OPF refers to it.
A book in a folder of its own gets `cover.jpg` and `metadata.opf`. Where books share the
folder (the default `Author/Series/Title.epub` puts a series, or an author's standalone
books, side by side), or other books or another item's sidecars are already there, they are
named after the book: `Title.jpg`, `Title.opf`. A generic sidecar in a folder of several
books describes none of them (the scan ignores it), so the importer never writes one there."""

from __future__ import annotations

import contextlib
from pathlib import Path

from core.errors import InvalidInput
from core.files import read_limited
from processing import covers, journal, layout
from processing.context import BaseStep, ImportContext
from processing.epub import read_epub_cover
from processing.opf import OpfCreator, OpfMetadata, OpfSeries, parse_opf, write_opf
from processing.steps.locate import AUDIO_FORMATS, COMIC_FORMATS, EBOOK_FORMATS
from processing.types import WantedItem

BOOK_FORMATS = frozenset((*EBOOK_FORMATS, *AUDIO_FORMATS, *COMIC_FORMATS))

UNIQUE_SCHEME = "omnireadarr"
MAX_OPF_BYTES = 4 * 1024 * 1024
MAX_FOLDER_COVER_BYTES = 20 * 1024 * 1024


def _read(opf_path: Path) -> OpfMetadata | None:
    try:
        return parse_opf(read_limited(opf_path, MAX_OPF_BYTES))
    except (OSError, InvalidInput):
        return None


def owner_of(opf_path: Path) -> str:
    """The omnireadarr item id an existing sidecar belongs to ('' if foreign or unreadable)."""
    meta = _read(opf_path)
    return meta.identifier(UNIQUE_SCHEME) if meta is not None else ""


def written_by_import(folder: Path) -> tuple[str, list[Path]]:
    """The item id a generic `metadata.opf` in `folder` was written for by an import, with that
    OPF and the cover it names: that item's own even in a folder of several books (earlier
    imports named only the later books' sidecars after them). ('', []) when there is none."""
    opf = folder / "metadata.opf"
    meta = _read(opf) if opf.is_file() else None
    owner = meta.identifier(UNIQUE_SCHEME) if meta is not None else ""
    if not owner:
        return "", []
    cover = folder / meta.cover_href if meta.cover_href and "/" not in meta.cover_href else None
    return owner, [opf, cover] if cover is not None and cover.is_file() else [opf]


def sidecar_names(book_dir: Path, stem: str, item_id: int, *, shared: bool) -> tuple[Path, Path]:
    """(cover, opf) paths: 'cover.jpg'/'metadata.opf' in a folder of the book's own that no
    other item's sidecars use, else named after the book."""
    opf, cover = book_dir / "metadata.opf", book_dir / "cover.jpg"
    foreign = owner_of(opf) != str(item_id) if opf.exists() else cover.exists()
    if shared or foreign:
        return book_dir / f"{stem}.jpg", book_dir / f"{stem}.opf"
    return cover, opf


def _shares_folder(ctx: ImportContext) -> bool:
    """The book's folder is (or is made to be) shared with other books: by the template,
    or because book files other than the ones just placed are in it."""
    assert ctx.book_dir is not None
    if not layout.has_own_folder(ctx.item, template=ctx.options.templates.get(ctx.item.kind)):
        return True
    placed = {p.path.name for p in ctx.placed}
    own_parts = AUDIO_FORMATS if ctx.item.kind == "audiobook" else ()
    return any(
        p.suffix[1:].lower() in BOOK_FORMATS and p.suffix[1:].lower() not in own_parts and p.name not in placed
        for p in ctx.book_dir.iterdir()
    )


def opf_for(item: WantedItem, cover_href: str) -> OpfMetadata:
    creators = [
        OpfCreator(name, sort, "author")
        for name, sort in zip(item.authors, item.author_sorts or ("",) * len(item.authors), strict=False)
    ]
    creators += [OpfCreator(name, "", "narrator") for name in item.narrators]
    identifiers = [("isbn", item.isbn13)] if item.isbn13 else []
    identifiers += [(s, v) for s, v in item.identifiers if s not in ("isbn", "isbn13", UNIQUE_SCHEME)]
    return OpfMetadata(
        title=item.title,
        creators=tuple(creators),
        identifiers=tuple(identifiers),
        series=(OpfSeries(item.series, item.series_index or None),) if item.series else (),
        language=item.language,
        publisher=item.publisher,
        date=item.published,
        description=item.description,
        cover_href=cover_href,
    )


def _candidates(ctx: ImportContext) -> list[covers.CoverCandidate]:
    found = []
    if ctx.item.cover_file and ctx.item.cover_file.is_file():
        found.append(covers.CoverCandidate("provider", ctx.item.cover_file.read_bytes(), "stored cover"))
    embedded = ctx.embedded_cover or next(
        (data for p in ctx.placed if p.format == "epub" and (data := read_epub_cover(p.path))), None
    )
    if embedded:
        found.append(covers.CoverCandidate("embedded", embedded, "inside the book"))
    for path in ctx.require_located().covers:
        with contextlib.suppress(OSError):  # too big, gone, or no longer a regular file
            found.append(covers.CoverCandidate("folder", read_limited(path, MAX_FOLDER_COVER_BYTES), path.name))
    return found


def _replace_own(ctx: ImportContext, path: Path) -> None:
    """A re-import of the same item: its earlier sidecar goes to the recycle folder."""
    if path.exists():
        journal.recycle(ctx.run_id, path, ctx.options.recycle_dir, ctx.options.library_dir)


class SidecarsStep(BaseStep):
    name = "sidecars"

    def applies(self, ctx: ImportContext) -> bool:
        return ctx.book_dir is not None

    def run(self, ctx: ImportContext) -> dict:
        assert ctx.book_dir is not None
        template = ctx.options.templates.get(ctx.item.kind)
        stem = (
            ctx.placed[0].path.stem if ctx.item.kind != "audiobook" else layout.book_stem(ctx.item, template=template)
        )
        cover_path, opf_path = sidecar_names(ctx.book_dir, stem, ctx.item.id, shared=_shares_folder(ctx))
        choice = covers.choose_cover(_candidates(ctx), min_size=ctx.options.min_cover_size)
        cover_href = ""
        if choice.chosen is not None:
            _replace_own(ctx, cover_path)
            with journal.journaled_write(ctx.run_id, cover_path) as target:
                covers.write_cover_jpeg(choice.chosen, target)
            cover_href = cover_path.name
            ctx.sidecars["cover"] = str(cover_path)
        _replace_own(ctx, opf_path)
        with journal.journaled_write(ctx.run_id, opf_path) as target:
            write_opf(target, opf_for(ctx.item, cover_href), unique_id=(UNIQUE_SCHEME, str(ctx.item.id)))
        ctx.sidecars["opf"] = str(opf_path)
        return {
            "cover": ctx.sidecars.get("cover", ""),
            "cover_choice": choice.explain(),
            "opf": str(opf_path),
        }
