"""Extract: what the downloaded files say about themselves.

The library scanner's extractors (`scanning/extractors`) read every format, so a download
and a scanned file of the same book say the same thing; the file or folder name is the
fallback. `extract_metadata()` is the only entry point the pipeline uses."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from core.files import open_regular
from processing.context import BaseStep, ImportContext
from processing.epub import read_epub_cover
from processing.steps.locate import Located
from processing.types import ExtractedMetadata
from scanning.extractors.base import ExtractionError, MissingTool
from scanning.extractors.registry import extract as scan_extract
from scanning.extractors.registry import extractor_for

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


def _index_text(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def from_file(path: Path) -> ExtractedMetadata:
    """The library scanner's extractor for this format (EPUB/OPF, MOBI/AZW3 EXTH, PDF Info/XMP,
    ComicInfo.xml in CBZ/CBR, audio tags), narrowed to what identification needs."""
    meta = scan_extract(path)
    return ExtractedMetadata(
        meta.source.split("+")[0] or "file",
        title=meta.title or meta.series,  # a comic issue often has only Series + Number
        authors=tuple(p.name for p in meta.authors),
        isbn13=meta.isbn13,
        series=meta.series,
        series_index=_index_text(meta.series_index),
        language=meta.language,
        issue_number=meta.issue,
        narrators=tuple(p.name for p in meta.people if p.role == "narrator"),
    )


def _safe_read(path: Path) -> ExtractedMetadata:
    try:
        return from_file(path)
    except ExtractionError:
        return ExtractedMetadata("audio")


def audio_duration(located: Located) -> float | None:
    """Length of all parts together (mutagen's stream info); None if a part has none."""
    import mutagen

    total = 0.0
    for part in located.files:
        try:
            with open_regular(part.path) as handle:
                audio = mutagen.File(handle)
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
            narrators = _safe_read(part.path).narrators
            if narrators:
                break
    return replace(meta, narrators=narrators, duration_seconds=audio_duration(located))


def extract_metadata(located: Located) -> ExtractedMetadata:
    """Best metadata of a download: the files' own, else their (folder) name."""
    for candidate in located.files:
        if extractor_for(candidate.path) is None:
            continue
        try:
            meta = from_file(candidate.path)
        except (ExtractionError, MissingTool):
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
