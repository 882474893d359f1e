"""What a scan reads becomes provenance. Every value a file gives is a candidate of its own
source (sidecar OPF, the EPUB's own OPF, ComicInfo, audio tags, the file name, a Calibre
library), those the scan's merge did not keep too (so agreeing sources reinforce each other
and a trust change can flip a value between the sources of one file), and the values the scan
put on an item are its resolved fields, credited to the source that gave each one, with that
source's confidence.

The scan itself only queues what each file said (`queue_scanned_values`, scanning's
provenance hook, registered in search.apps: one JSON row per file in the batch's own
insert), so a first import stays as fast as before; `record_pending` turns the queue into
provenance in bulk, in the job queued after each scan, and for one item when its page is
opened first. Nothing is replaced: a scan never overwrites a known value."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.bulk import insert_rows
from core.jobs import submit_job
from core.models import Job, JobState
from media.scanned_values import ScannedValues, Value
from search.merge import is_empty
from search.models import DataSource, FieldCandidate, PendingScanValues, ResolvedField
from search.services.candidates import clean_value, data_source, normalise_values

JOB_KIND = "search.record_scan_provenance"
CHUNK = 500

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


def queue_scanned_values(records: list[ScannedValues]) -> None:
    """The scan's hook: keep what each file said, to be recorded after the scan."""
    rows = [(r.item_id, json.dumps(_json(r))) for r in records]
    insert_rows(PendingScanValues, ("item_id", "data"), rows)


def _json(record: ScannedValues) -> dict[str, Any]:
    data: dict[str, Any] = {"written": _written_json(record), "fields": record.fields}
    if record.overridden:
        data["overridden"] = [_overridden_json(name, value, record.fields) for name, value in record.overridden]
    return data


def _overridden_json(name: str, value: Value, fields: dict[str, Value]) -> list[Any]:
    """[field, source, confidence] for a value equal to the file's kept one, else [field, value,
    source, confidence] (a sidecar and the file mostly agree: their long values are kept once)."""
    kept = fields.get(name)
    return [name, *value[1:]] if kept is not None and kept[0] == value[0] else [name, *value]


def _overridden(parsed: dict[str, Any], fields: dict[str, Value]) -> tuple[tuple[str, Value], ...]:
    """The queued overridden values back as (field, (value, source, confidence))."""
    return tuple((name, (fields[name][0], *rest) if len(rest) == 2 else tuple(rest))  # type: ignore[misc]
                 for name, *rest in parsed.get("overridden", ()))


def _written_json(record: ScannedValues) -> bool | list[str]:
    return True if record.written == record.fields.keys() else sorted(record.written)  # True: all of them


def queue_recording() -> Job | None:
    """After a scan: the job that records the queued values (one at a time)."""
    active = Job.objects.filter(kind=JOB_KIND, state__in=(JobState.QUEUED, JobState.RUNNING)).exists()
    if active or not PendingScanValues.objects.exists():
        return None
    return submit_job(JOB_KIND, target="scan-provenance")


def record_pending(item_ids: list[int] | None = None, *,
                   progress: Callable[..., None] | None = None) -> dict[str, int]:
    """Turn queued scanned values (of `item_ids`, or all) into candidates and resolved fields,
    oldest first, a chunk per transaction; returns how many files' values were recorded."""
    report = progress or (lambda *a, **k: None)
    queue = PendingScanValues.objects.order_by("pk")
    if item_ids is not None:
        queue = queue.filter(item_id__in=item_ids)
    total, done, last = queue.count(), 0, 0
    while rows := list(queue.filter(pk__gt=last).values_list("pk", "item_id", "data")[:CHUNK]):
        with transaction.atomic():
            records = [_record(item_id, data) for _, item_id, data in rows]
            record_scanned_values(records)
            PendingScanValues.objects.filter(pk__in=[pk for pk, _, _ in rows]).delete()
        last, done = rows[-1][0], done + len(rows)
        report(done, total, f"{done} scanned files' values recorded")
    return {"recorded": done}


def _record(item_id: int, data: str) -> ScannedValues:
    parsed = json.loads(data)
    fields = {name: tuple(value) for name, value in parsed["fields"].items()}
    written = frozenset(fields if parsed["written"] is True else parsed["written"])
    return ScannedValues(item_id, "", fields, written, _overridden(parsed, fields))  # type: ignore[arg-type]


def record_scanned_values(records: list[ScannedValues]) -> None:
    """Store the candidates and resolved fields of scanned files (first value of a source wins)."""
    sources: dict[str, DataSource] = {}

    def source_of(scan_source: str) -> DataSource:
        name = source_name(scan_source)
        return sources.get(name) or sources.setdefault(name, data_source(name))

    candidates: dict[tuple[int, str, int], Row] = {}
    resolved: dict[tuple[int, str], Row] = {}
    now = timezone.now()
    for record in records:
        for field, (value, scan_source, confidence) in _candidates(record):
            source, confidence = source_of(scan_source), max(0.0, min(1.0, confidence))
            candidates.setdefault((record.item_id, field, source.pk),
                                  (record.item_id, field, value, source.pk, confidence, "", now))
        for field, (value, scan_source, confidence) in _written(record).items():
            source, confidence = source_of(scan_source), max(0.0, min(1.0, confidence))
            row = (record.item_id, field, value, source.pk, confidence, round(source.trust * confidence, 4), False, now)
            resolved.setdefault((record.item_id, field), row)
    insert_rows(FieldCandidate, CANDIDATE_COLUMNS, list(candidates.values()), on_conflict="ignore")
    insert_rows(ResolvedField, RESOLVED_COLUMNS, list(resolved.values()), on_conflict="ignore")


def _candidates(record: ScannedValues) -> list[tuple[str, Value]]:
    """Each source's values of the file, the kept ones and those the scan overrode, cleaned as
    a provider's would be (authors split, a title without its series part, genres from
    subjects); nothing is added that a source did not say (a series guessed from its title)."""
    by_source: dict[str, dict[str, tuple[Any, float]]] = defaultdict(dict)
    for field, (value, scan_source, confidence) in (*record.fields.items(), *record.overridden):
        by_source[scan_source].setdefault(field, (value, confidence))
    out: list[tuple[str, Value]] = []
    for scan_source, fields in by_source.items():
        cleaned = normalise_values({f: v for f, (v, _) in fields.items()}, {f: c for f, (_, c) in fields.items()})
        for field, (value, confidence) in cleaned.items():
            if ("subjects" if field == "genres" else field) in fields:
                out.append((field, (value, scan_source, confidence)))
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
