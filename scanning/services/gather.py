"""Everything the scanner knows about one file before touching the database: hashes,
embedded metadata, its sidecars (`<stem>.opf`, `metadata.opf`, cover images: see
scanning.sidecars), the path, and the match keys."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path, PurePath
from typing import Any

from core.files import read_limited
from core.text import comparison_key
from scanning.extractors import (
    Cover,
    ExtractedMetadata,
    ExtractionError,
    ExtractOptions,
    MissingTool,
    calibre_db,
    extract,
    merge,
)
from scanning.extractors.base import FrozenMap
from scanning.extractors.filename import CONFIDENCE as NAME_CONFIDENCE
from scanning.extractors.filename import audiobook_folder, parse_path
from scanning.extractors.opf import parse_opf
from scanning.extractors.safety import image_media_type
from scanning.services.hashing import Hashes, completed
from scanning.sidecars import OPF, cover_paths, folder_as_scanned, own_sidecar
from scanning.walker import Directory, FileEntry

SIDECAR_OPF_CONFIDENCE = 0.95
_MAX_SIDECAR_BYTES = 4 * 1024 * 1024
KIND_BY_EXTRACTOR = {"ebook": "ebook", "comic": "comic", "audiobook": "audiobook"}


@dataclass(frozen=True)
class Prepared:
    """One file ready for the catalogue writer."""

    entry: FileEntry
    kind: str
    hashes: Hashes
    meta: ExtractedMetadata | None  # None when the file is corrupt
    error: str = ""
    keys: tuple[str, ...] = ()
    existing_file_id: int | None = None  # set when a known path changed on disk


@dataclass(frozen=True)
class PrepareSetup:
    """What every file of a scan is prepared with: the scanned folder and the extraction
    options (a scan reads no covers: see scanning.models.PendingCover)."""

    root: str
    options: ExtractOptions


class SidecarCache:
    """Sidecars are read once per directory even when it holds EPUB + MOBI + PDF."""

    def __init__(self) -> None:
        self._dir = ""
        self._read: dict[str, Any] = {}  # sidecar path -> what it gave (ExtractedMetadata, Cover or None)

    def for_file(
        self, directory: Directory, name: str, *, with_cover: bool = True
    ) -> tuple[ExtractedMetadata | None, Cover | None]:
        """The OPF and, when asked for, the cover image that belong to the book file `name`:
        its own (`<stem>.opf`, `<stem>.jpg`) before the folder's generic ones. The walk's
        folder has them only where they are unambiguous (see scanning.sidecars.settle)."""
        if directory.path != self._dir:
            self._dir, self._read = directory.path, {}
        opf = self._once(own_sidecar(directory.sidecars, name, ("opf",)) or directory.sidecars.get(OPF), _read_opf)
        if not with_cover:
            return opf, None
        covers = (self._once(path, _read_cover) for path in cover_paths(directory, name))
        return opf, next(filter(None, covers), None)

    def _once(self, path: str | None, read: Callable[[str], Any]) -> Any:
        if path is None:
            return None
        if path not in self._read:
            self._read[path] = read(path)
        return self._read[path]


def _read_small(path: str | None) -> bytes | None:
    """A sidecar's bytes; None when it is unreadable, not a regular file or too big."""
    if not path:
        return None
    try:
        return read_limited(path, _MAX_SIDECAR_BYTES)
    except OSError:
        return None


def _read_opf(path: str) -> ExtractedMetadata | None:
    data = _read_small(path)
    if data is None:
        return None
    try:
        return parse_opf(data, source="metadata.opf", confidence=SIDECAR_OPF_CONFIDENCE).metadata
    except ExtractionError:
        return None


def _read_cover(path: str) -> Cover | None:
    data = _read_small(path)
    media_type = image_media_type(data) if data else None
    return Cover(data, media_type) if data and media_type else None


def describe(
    entry: FileEntry,
    kind: str,
    directory: Directory,
    root: str,
    sidecars: SidecarCache,
    options: ExtractOptions,
    curated: ExtractedMetadata | None = None,
) -> ExtractedMetadata:
    """Merge sidecar OPF (strongest), embedded metadata, then the path (weakest); over them
    all, for a book of a calibre library, calibre's own metadata (`curated`).
    Raises ExtractionError when the file itself is unreadable."""
    embedded = extract(Path(entry.path), options)
    from_path = parse_path(_relative_posix(entry.path, root), kind)
    opf, side_cover = (
        sidecars.for_file(directory, entry.name, with_cover=options.with_cover) if kind != "comic" else (None, None)
    )
    layers = [m for m in (opf, embedded, from_path) if m is not None]
    meta = calibre_db.curated(curated, *layers) if curated is not None else merge(*layers)
    if meta.cover is None and side_cover is not None and options.with_cover:
        meta = replace(meta, cover=side_cover, confidence=FrozenMap({**meta.confidence, "cover": 0.8}))
    if not meta.title:
        meta = replace(
            meta,
            title=PurePath(entry.name).stem,
            confidence=FrozenMap({**meta.confidence, "title": NAME_CONFIDENCE}),
            origins=FrozenMap({**meta.origins, "title": "filename"}),
        )
    return meta


def _relative_posix(path: str, root: str) -> str:
    """`path` below `root`, '/'-separated. relpath's result is already normal (no '', '.'
    or inner '..' parts), so on POSIX going through PurePath would give it back unchanged."""
    relative = os.path.relpath(path, root)
    return relative if os.sep == "/" else PurePath(relative).as_posix()


def match_keys(meta: ExtractedMetadata, kind: str, path: str, root: str = "") -> tuple[str, ...]:
    """Keys in order of strength. Audiobooks are one per folder, but a file directly in the
    scanned folder `root` is a book of its own (Audiobookshelf's rule); comics one per issue."""
    if kind == "audiobook":
        folder = audiobook_folder(path)
        if root and os.path.normpath(folder) == os.path.normpath(root):
            return (f"file:{PurePath(path).as_posix()}",)
        return (f"folder:{folder.as_posix()}",)
    keys = [f"isbn:{kind}:{meta.isbn13}"] if meta.isbn13 else []
    if kind == "comic" and meta.series and meta.issue:
        keys.append(f"comic:{comparison_key(meta.series)}|{meta.volume}|{meta.issue.lstrip('0') or '0'}")
    else:
        author = comparison_key(meta.authors[0].name) if meta.authors else ""
        keys.append(f"{kind}:{comparison_key(meta.title)}|{author}")
    return tuple(k[:600] for k in keys)


def prepare(
    entry: FileEntry,
    kind: str,
    directory: Directory,
    setup: PrepareSetup,
    sidecars: SidecarCache,
    hashes: Hashes,
    existing_file_id: int | None = None,
    curated: ExtractedMetadata | None = None,
) -> Prepared:
    """Raises MissingTool. Completes the file's full hash where the scan left it out.
    `curated`: the file's metadata in the calibre library it belongs to, if any."""
    with contextlib.suppress(OSError):  # unreadable: extraction says why
        hashes = completed(hashes, entry.path, entry.size)
    try:
        meta = describe(entry, kind, directory, setup.root, sidecars, setup.options, curated)
    except MissingTool:
        raise
    except ExtractionError as exc:
        return Prepared(entry, kind, hashes, None, exc.reason[:2000], (), existing_file_id)
    calibre_key = calibre_db.match_key(meta, kind) if curated is not None else ""
    keys = (calibre_key,) if calibre_key else match_keys(meta, kind, entry.path, setup.root)
    return Prepared(entry, kind, hashes, meta, "", keys, existing_file_id)


def read_cover(path: str, kind: str, options: ExtractOptions) -> Cover | None:
    """The cover of one file: embedded, else a cover image beside it that belongs to it (not
    for comics, whose folder image belongs to the series). In a calibre library the cover beside
    the file is the one the user chose, and comes first. Raises ExtractionError and MissingTool."""
    if kind == "comic":
        return _embedded_cover(path, options)
    if calibre_db.in_book_folder(path):
        return _cover_beside(path) or _embedded_cover(path, options)
    return _embedded_cover(path, options) or _cover_beside(path)


def _embedded_cover(path: str, options: ExtractOptions) -> Cover | None:
    return extract(Path(path), replace(options, with_cover=True)).cover


def _cover_beside(path: str) -> Cover | None:
    """A cover image beside the file that is its own (named after it, or its folder's when the
    folder holds only this book)."""
    folder = folder_as_scanned(os.path.dirname(path))
    return next(filter(None, map(_read_cover, cover_paths(folder, os.path.basename(path)))), None)
