"""What a scan reads becomes provenance as the scan writes it. Every value a file gives is a
candidate of its own source (sidecar OPF, the EPUB's own OPF, ComicInfo, audio tags, the
file name, a Calibre library), and the values the scan put on an item are its resolved
fields, credited to the source that gave each one, with that source's confidence. Runs as
scanning's provenance hook (registered in search.apps) inside each batch's transaction:
two bulk inserts per batch, nothing replaced (a scan never overwrites a known value)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils import timezone

from core.bulk import insert_rows
from scanning.provenance import ScannedValues, Value
from search.merge import is_empty
from search.models import DataSource, FieldCandidate, ResolvedField
from search.services.candidates import clean_value, data_source, normalise_values

# ExtractedMetadata.source -> DataSource.name
SCAN_SOURCES = {
    "metadata.opf": "opf",
    "opf": "opf",
    "epub": "embedded_epub",
    "mobi": "embedded_mobi",
    "pdf": "embedded_pdf",
    "audio": "embedded_audio",
    "comicinfo": "comicinfo",
    "comic": "embedded_comic",
    "filename": "filename",
    "calibre": "calibre",
}
CANDIDATE_COLUMNS = ("item_id", "field", "value", "source_id", "confidence", "external_id", "updated_at")
RESOLVED_COLUMNS = ("item_id", "field", "value", "source_id", "confidence", "score", "locked", "updated_at")
Row = tuple[Any, ...]


def source_name(scan_source: str) -> str:
    """The data source of an extractor's source name ('<book>.opf' is a sidecar OPF too)."""
    if scan_source in SCAN_SOURCES:
        return SCAN_SOURCES[scan_source]
    return "opf" if scan_source.endswith(".opf") else scan_source[:48]


def record_scanned_values(records: list[ScannedValues]) -> None:
    """Store the candidates and resolved fields of one scan batch (first value of a source wins)."""
    sources: dict[str, DataSource] = {}
    candidates: dict[tuple[int, str, int], Row] = {}
    resolved: dict[tuple[int, str], Row] = {}
    now = timezone.now()
    for record in records:
        for field, (value, scan_source, confidence) in _candidates(record).items():
            name = source_name(scan_source)
            source = sources.get(name) or sources.setdefault(name, data_source(name))
            confidence = max(0.0, min(1.0, confidence))
            key = (record.item_id, field, source.pk)
            candidates.setdefault(key, (*key[:2], value, source.pk, confidence, "", now))
        for field, (value, scan_source, confidence) in _written(record).items():
            source = sources.get(source_name(scan_source)) or data_source(source_name(scan_source))
            confidence = max(0.0, min(1.0, confidence))
            row = (record.item_id, field, value, source.pk, confidence, round(source.trust * confidence, 4), False, now)
            resolved.setdefault((record.item_id, field), row)
    insert_rows(FieldCandidate, CANDIDATE_COLUMNS, list(candidates.values()), on_conflict="ignore")
    insert_rows(ResolvedField, RESOLVED_COLUMNS, list(resolved.values()), on_conflict="ignore")


def _candidates(record: ScannedValues) -> dict[str, Value]:
    """Each source's values of the file, cleaned as a provider's would be (authors split, a
    series taken out of a title, genres from subjects); nothing the file did not say."""
    by_source: dict[str, dict[str, tuple[Any, float]]] = defaultdict(dict)
    for field, (value, scan_source, confidence) in record.fields.items():
        by_source[scan_source][field] = (value, confidence)
    out: dict[str, Value] = {}
    for scan_source, fields in by_source.items():
        cleaned = normalise_values({f: v for f, (v, _) in fields.items()}, {f: c for f, (_, c) in fields.items()})
        for field, (value, confidence) in cleaned.items():
            if field in record.fields or field == "genres":
                out[field] = (value, scan_source, confidence)
    return out


def _written(record: ScannedValues) -> dict[str, Value]:
    """The item's values the file gave, as the catalogue holds them (a title keeps its series
    part: only a merge that changes the item may take it out)."""
    out: dict[str, Value] = {}
    for field in record.written:
        value, scan_source, confidence = record.fields[field]
        value = clean_value(field, value, {})
        if not is_empty(value):
            out[field] = (value, scan_source, confidence)
    if "subjects" in out:  # genres have no column: the resolved field is where they live
        genres = normalise_values({"subjects": out["subjects"][0]}, {}).get("genres")
        if genres is not None:
            out["genres"] = (genres[0], *out["subjects"][1:])
    return out
