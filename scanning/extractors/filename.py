"""The weakest source: what a path says. The entry points (`parse_path`, `PARSERS`, `as_json`)
for every kind: ebooks and audiobooks are read by `scanning.extractors.book_names` (layouts,
`Author - Series NN - Title`, calibre's folders, Audiobookshelf's), comics like
`Series v2 #012 (2019)` by `scanning.extractors.comic_names`."""

from __future__ import annotations

from scanning.extractors.base import ExtractedMetadata, build
from scanning.extractors.book_names import CONFIDENCE, audiobook_folder, parse_audiobook, parse_ebook
from scanning.extractors.comic_names import issue_number, parse_comic_name

__all__ = ["CONFIDENCE", "PARSERS", "as_json", "audiobook_folder", "parse_audiobook", "parse_ebook", "parse_path"]


def _meta(source_parts: dict[str, object]) -> ExtractedMetadata:
    return build("filename", CONFIDENCE, **source_parts)


def parse_comic(path: str) -> ExtractedMetadata:
    """See scanning.extractors.comic_names; the title is made up (`Series #3`) when the name has none."""
    name = parse_comic_name(path)
    made_up = f"{name.series} #{name.issue}" if name.series and name.issue else name.series
    return _meta(
        {
            "series": name.series,
            "volume": name.volume,
            "issue": name.issue,
            "series_index": issue_number(name.issue) if name.issue else None,
            "year": name.year,
            "title": name.title or made_up,
            "issue_count": name.issue_count,
            "special": name.special,
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
    if meta.issue_count is not None:
        out["issue_count"] = meta.issue_count
    if meta.special:
        out["special"] = meta.special
    if meta.isbn13:
        out["isbn"] = meta.isbn13
    return out
