"""Extract: what the downloaded files say about themselves.

TEMPORARY minimal readers, to be replaced by the scanning extractors (issue 3,
`scanning/extractors`) when they are merged: `extract_metadata()` is the only entry point
the pipeline uses. EPUB goes through `processing.opf` (kept: conversion and covers use it)."""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import replace
from pathlib import Path

from lxml import etree

from core.isbn import to_isbn13
from processing.context import BaseStep, ImportContext
from processing.epub import read_epub_cover, read_epub_package
from processing.steps.locate import Located
from processing.types import ExtractedMetadata

_NAME_SPLIT = re.compile(r"\s+-\s+")
_NOISE = re.compile(
    r"[\[(][^\])]*[\])]|\b(retail|epub|mobi|azw3|pdf|ebook|unabridged|mp3|m4b|cbz|cbr)\b", re.I
)


def guess_from_name(path: Path) -> ExtractedMetadata:
    """'Ursula K. Le Guin - A Wizard of Earthsea (retail).epub' -> author + title."""
    raw = path.name if path.is_dir() else path.stem
    text = _NOISE.sub(" ", raw.replace("_", " ").replace(".", " "))
    parts = [p.strip() for p in _NAME_SPLIT.split(text) if p.strip()]
    if len(parts) >= 2:
        return ExtractedMetadata("filename", title=parts[-1], authors=(parts[0],))
    return ExtractedMetadata("filename", title=" ".join(text.split()))


def _isbn_from(values: list[str]) -> str:
    return next((isbn for isbn in (to_isbn13(v) for v in values) if isbn), "")


def from_epub(path: Path) -> ExtractedMetadata:
    meta = read_epub_package(path).metadata
    series = meta.series[0] if meta.series else None
    return ExtractedMetadata(
        "opf",
        title=meta.title,
        authors=meta.authors,
        isbn13=_isbn_from([v for _, v in meta.identifiers]),
        series=series.name if series else "",
        series_index=(series.index or "") if series else "",
        language=meta.language,
    )


def from_pdf(path: Path) -> ExtractedMetadata:
    from pypdf import PdfReader

    info = PdfReader(path).metadata or {}
    author = str(info.get("/Author") or "")
    authors = tuple(a.strip() for a in re.split(r"\s*(?:;|&| and )\s*", author) if a.strip())
    return ExtractedMetadata("pdf", title=str(info.get("/Title") or ""), authors=authors)


def from_mobi(path: Path) -> ExtractedMetadata:
    """EXTH records of a MOBI/AZW3: 100 author, 104 ISBN, 503 title."""
    data = path.read_bytes()[:262_144]
    record0 = struct.unpack(">I", data[78:82])[0]
    mobi = data[record0 + 16 :]
    if mobi[:4] != b"MOBI" or not struct.unpack(">I", mobi[112:116])[0] & 0x40:
        return ExtractedMetadata("mobi")
    exth = mobi[struct.unpack(">I", mobi[4:8])[0] :]
    count, pos, records = struct.unpack(">I", exth[8:12])[0], 12, {}
    for _ in range(min(count, 500)):
        kind, length = struct.unpack(">II", exth[pos : pos + 8])
        records.setdefault(kind, []).append(exth[pos + 8 : pos + length].decode("utf-8", errors="replace"))
        pos += length
    return ExtractedMetadata(
        "mobi",
        title=(records.get(503) or [""])[0],
        authors=tuple(records.get(100, [])),
        isbn13=_isbn_from(records.get(104, [])),
    )


def from_cbz(path: Path) -> ExtractedMetadata:
    with zipfile.ZipFile(path) as archive:
        name = next((n for n in archive.namelist() if n.lower().endswith("comicinfo.xml")), None)
        if name is None:
            return ExtractedMetadata("comicinfo")
        root = etree.fromstring(archive.read(name), etree.XMLParser(resolve_entities=False, no_network=True))
    get = lambda tag: (root.findtext(tag) or "").strip()  # noqa: E731
    writers = tuple(w.strip() for w in get("Writer").split(",") if w.strip())
    return ExtractedMetadata(
        "comicinfo",
        title=get("Title") or get("Series"),
        authors=writers,
        series=get("Series"),
        issue_number=get("Number"),
        language=get("LanguageISO"),
    )


NARRATOR_TAGS = ("narrator", "composer", "performer")  # where audiobook taggers put the reader


def _split_names(value: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in re.split(r"\s*(?:;|&|,| and )\s*", value) if n.strip())


def from_audio(path: Path) -> ExtractedMetadata:
    import mutagen

    audio = mutagen.File(path, easy=True)
    tags = dict(audio.tags or {}) if audio is not None and audio.tags is not None else {}
    first = lambda key: str((tags.get(key) or [""])[0])  # noqa: E731
    authors = tuple(a for a in (first("albumartist") or first("artist"),) if a)
    narrator = next((first(key) for key in NARRATOR_TAGS if first(key)), "")
    return ExtractedMetadata(
        "audio-tags",
        title=first("album") or first("title"),
        authors=authors,
        narrators=_split_names(narrator),
    )


def audio_duration(located: Located) -> float | None:
    """Length of all parts together (mutagen's stream info); None if a part has none."""
    import mutagen

    total = 0.0
    for part in located.files:
        try:
            audio = mutagen.File(part.path)
        except Exception:
            return None
        length = getattr(getattr(audio, "info", None), "length", None)
        if not length:
            return None
        total += float(length)
    return round(total, 1)


def with_audio_facts(meta: ExtractedMetadata, located: Located) -> ExtractedMetadata:
    """An audiobook's metadata completed with its total duration (and a narrator from any part)."""
    narrators = meta.narrators
    if not narrators:
        for part in located.files[:6]:
            narrators = _safe_audio(part.path).narrators
            if narrators:
                break
    return replace(meta, narrators=narrators, duration_seconds=audio_duration(located))


def _safe_audio(path: Path) -> ExtractedMetadata:
    try:
        return from_audio(path)
    except Exception:
        return ExtractedMetadata("audio-tags")


READERS = {
    "epub": from_epub,
    "kepub": from_epub,
    "pdf": from_pdf,
    "mobi": from_mobi,
    "azw3": from_mobi,
    "azw": from_mobi,
    "cbz": from_cbz,
    "mp3": from_audio,
    "m4b": from_audio,
    "m4a": from_audio,
    "flac": from_audio,
    "ogg": from_audio,
    "opus": from_audio,
}


def extract_metadata(located: Located) -> ExtractedMetadata:
    """Best metadata of a download: the files' own, else their (folder) name."""
    for candidate in located.files:
        reader = READERS.get(candidate.format)
        if reader is None:
            continue
        try:
            meta = reader(candidate.path)
        except Exception:
            continue
        if meta.title:
            return meta
    named = located.root if located.kind == "audiobook" or len(located.files) > 1 else located.primary.path
    return guess_from_name(named)


class ExtractStep(BaseStep):
    name = "extract"

    def run(self, ctx: ImportContext) -> dict:
        located = ctx.require_located()
        ctx.extracted = extract_metadata(located)
        if located.kind == "audiobook":
            ctx.extracted = with_audio_facts(ctx.extracted, located)
        if located.primary.format == "epub":
            ctx.embedded_cover = read_epub_cover(located.primary.path)
        e = ctx.extracted
        return {
            "source": e.source,
            "title": e.title,
            "authors": list(e.authors),
            "isbn13": e.isbn13,
            "series": e.series,
            "issue_number": e.issue_number,
            "narrators": list(e.narrators),
            "duration_seconds": e.duration_seconds,
            "embedded_cover": bool(ctx.embedded_cover),
        }
