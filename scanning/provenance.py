"""What a scan wrote into the catalogue and which source gave each value (sidecar OPF, the
EPUB's own OPF, ComicInfo, audio tags, the file name, a Calibre library...), handed to the
apps that keep provenance. The metadata app registers its hook from its AppConfig.ready();
scanning imports none of them. Plain values only, in the metadata app's field names."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scanning.extractors import ExtractedMetadata

UNSTATED_CONFIDENCE = 0.5  # a value whose extractor gave no confidence
Value = tuple[Any, str, float]  # (value, source, confidence)


@dataclass(frozen=True)
class ScannedValues:
    """What one file said about its item. `written` are the fields whose value on the item
    came from this file (all of them for the file an item was made from; for a further
    format, only the blanks it filled)."""

    item_id: int
    kind: str
    fields: dict[str, Value]
    written: frozenset[str]


Hook = Callable[[list[ScannedValues]], None]
_hooks: list[Hook] = []
_after_scan: list[Callable[[], object]] = []

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


def register_hook(hook: Hook) -> None:
    """`hook(records)` runs after each batch the scan writes, inside its transaction."""
    if hook not in _hooks:
        _hooks.append(hook)


def register_after_scan(hook: Callable[[], object]) -> None:
    """`hook()` runs after a scan job (to queue the work the batches left for later)."""
    if hook not in _after_scan:
        _after_scan.append(hook)


def scan_finished() -> None:
    for hook in _after_scan:
        hook()


def has_hooks() -> bool:
    return bool(_hooks)


def notify(records: list[ScannedValues]) -> None:
    if records:
        for hook in _hooks:
            hook(records)


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
