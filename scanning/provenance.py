"""Which source gave each value a scanned file has, and what its other metadata layers said
that the scan did not keep (see media.scanned_values, where the scan hands them to the
metadata app)."""

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
_ROLES = {"authors": ("author", "writer"), "narrators": ("narrator",)}
_LISTS = {"subjects": list, "identifiers": dict}


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


def overridden_fields(meta: ExtractedMetadata) -> tuple[tuple[str, Value], ...]:
    """What the file's other layers said (a sidecar OPF, the EPUB's own OPF, the file name...)
    that the merge did not keep, as (field, (value, source, confidence)); a series comes with
    the index its own source gave."""
    out: list[tuple[str, Value]] = []
    for attr, value, source, confidence in meta.overridden:
        confidence = confidence or UNSTATED_CONFIDENCE
        if attr in _SIMPLE:
            out.append((_SIMPLE[attr], (value, source, confidence)))
        elif attr in _LISTS:
            out.append((attr, (_LISTS[attr](value), source, confidence)))
        elif attr == "series":
            out.append(("series", ({"name": value, "index": _series_index(meta, source)}, source, confidence)))
        elif attr == "people":
            for name, roles in _ROLES.items():
                names = [p.name for p in value if p.role in roles]  # type: ignore[attr-defined]
                if names:
                    out.append((name, (names, source, confidence)))
    return tuple(out)


def _series_index(meta: ExtractedMetadata, source: str) -> float | None:
    """The series index `source` gave: one it was overridden on, else the kept one if it is its."""
    lost = [value for attr, value, origin, _ in meta.overridden if attr == "series_index" and origin == source]
    if lost:
        return lost[0]  # type: ignore[return-value]
    return meta.series_index if meta.origin("series_index") == source else None
