"""Which source gave each value a scanned file has (see media.scanned_values, where the scan
hands them to the metadata app)."""

from __future__ import annotations

from media.scanned_values import Value
from scanning.extractors import ExtractedMetadata

UNSTATED_CONFIDENCE = 0.5  # a value whose extractor gave no confidence

_SIMPLE = {
    "title": "title",
    "subtitle": "subtitle",
    "language": "language",
    "publisher": "publisher",
    "published": "published",
    "year": "year",
    "description": "description",
    "isbn13": "isbn13",
    "page_count": "page_count",
    "duration_seconds": "duration_seconds",
    "issue": "issue_number",
    "volume": "volume",
}


def scanned_fields(meta: ExtractedMetadata) -> dict[str, Value]:
    """Every value the file's metadata gives, with the source and confidence of each."""
    confidence, origin, source = meta.confidence.get, meta.origins.get, meta.source
    out: dict[str, Value] = {}
    for attr, name in _SIMPLE.items():
        value = getattr(meta, attr)
        if value is not None and value != "":
            out[name] = (value, origin(attr) or source, confidence(attr) or UNSTATED_CONFIDENCE)
    lists = {
        "authors": ("people", [p.name for p in meta.people if p.role in ("author", "writer")]),
        "narrators": ("people", [p.name for p in meta.people if p.role == "narrator"]),
        "series": ("series", {"name": meta.series, "index": meta.series_index} if meta.series else None),
        "subjects": ("subjects", list(meta.subjects)),
        "identifiers": ("identifiers", dict(meta.identifiers)),
    }
    for name, (attr, value) in lists.items():
        if value:
            out[name] = (value, origin(attr) or source, confidence(attr) or UNSTATED_CONFIDENCE)
    return out
