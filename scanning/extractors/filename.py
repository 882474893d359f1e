"""The weakest source: what a path says. The entry points (`parse_path`, `PARSERS`, `as_json`)
for every kind: ebooks and audiobooks are read by `scanning.extractors.book_names` (layouts,
`Author - Series NN - Title`, calibre's folders, Audiobookshelf's), comics like
`Series v2 #012 (2019)` here."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePath

from scanning.extractors import common
from scanning.extractors.base import ExtractedMetadata, build
from scanning.extractors.book_names import CONFIDENCE, audiobook_folder, parse_audiobook, parse_ebook

__all__ = ["CONFIDENCE", "PARSERS", "as_json", "audiobook_folder", "parse_audiobook", "parse_ebook", "parse_path"]
_YEAR_SUFFIX = re.compile(r"\s*[\(\[]((?:1[5-9]|20)\d\d)[\)\]]\s*$")
_COMIC = re.compile(
    r"^(?P<series>.+?)"
    r"(?:\s+v(?:ol(?:ume)?)?\.?\s*(?P<volume>\d{1,4}))?"
    r"(?:\s+#?(?P<issue>\d{1,4}(?:\.\d+)?[a-z]?)|\s+#(?P<issue2>[\w.]+))"
    r"(?:\s+\(of\s+\d+\))?"
    r"(?:\s*\((?P<year>(?:19|20)\d\d)\))?",
    re.I,
)


def _clean(name: str) -> str:
    """NFC, underscores as spaces, whitespace runs as one space, no leading or trailing ' .-'.
    (str.split() and re's \\s agree on what whitespace is; the outer spaces go either way.)"""
    text = unicodedata.normalize("NFC", name).replace("_", " ")
    return " ".join(text.split()).strip(" .-")


def _year(text: str) -> tuple[str, int | None]:
    match = _YEAR_SUFFIX.search(text)
    return (text[: match.start()].strip(), int(match.group(1))) if match else (text, None)


def _meta(source_parts: dict[str, object]) -> ExtractedMetadata:
    return build("filename", CONFIDENCE, **source_parts)


def parse_comic(path: str) -> ExtractedMetadata:
    p = PurePath(path)
    stem = _clean(p.stem)
    match = _COMIC.match(stem)
    if not match:
        stem_no_year, year = _year(stem)
        return _meta({"title": stem_no_year, "series": stem_no_year, "year": year})
    issue = (match.group("issue") or match.group("issue2") or "").lstrip("0") or "0"
    series = _clean(match.group("series").rstrip("#"))
    year = int(match.group("year")) if match.group("year") else common.find_year(stem[match.end() :])
    return _meta(
        {
            "series": series,
            "volume": match.group("volume") or "",
            "issue": issue,
            "series_index": common.parse_number(issue),
            "year": year,
            "title": f"{series} #{issue}",
        }
    )


PARSERS = {"ebook": parse_ebook, "comic": parse_comic, "audiobook": parse_audiobook}


def parse_path(path: str, kind: str) -> ExtractedMetadata:
    return PARSERS[kind](path)


def as_json(meta: ExtractedMetadata) -> dict[str, object]:
    """The command-line view: title, authors, series, series_index, volume, issue, year + extras."""
    out: dict[str, object] = {
        "title": meta.title,
        "authors": [p.name for p in meta.authors],
        "series": meta.series or None,
        "series_index": meta.series_index,
        "volume": meta.volume or None,
        "issue": meta.issue or None,
        "year": meta.year,
    }
    narrators = [p.name for p in meta.people if p.role == "narrator"]
    if narrators:
        out["narrators"] = narrators
    if meta.isbn13:
        out["isbn"] = meta.isbn13
    return out
