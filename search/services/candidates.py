"""Candidate values per field, their merge into the final value (trust x confidence),
manual edits and locks (which always win), and a revertable history."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from core import isbn as isbn_tools
from core.errors import Conflict, InvalidInput
from media.models import MediaItem
from search.defaults import DATA_SOURCES, UNKNOWN_SOURCE_TRUST
from search.merge import MANUAL_SOURCE, Candidate, is_empty, resolve, value_key
from search.models import (
    ChangeReason,
    DataSource,
    EnrichmentRun,
    FieldCandidate,
    MetadataChange,
    MetadataField,
    ResolvedField,
    SourceKind,
)
from search.normalise import author_names, detect_series, genres_for, language_code
from search.providers.common import parse_date
from search.services.apply import apply_value, current_value
from search.services.manual import clean_manual_value
from search.services.trust import effective_trust

logger = logging.getLogger(__name__)
FIELDS = frozenset(MetadataField.values)
DEFAULT_CONFIDENCE = 0.8


def data_source(name: str) -> DataSource:
    defaults = {n: (label, kind, trust) for n, label, kind, trust in DATA_SOURCES}
    label, kind, trust = defaults.get(name, (name.replace("_", " ").title(), SourceKind.EMBEDDED,
                                             UNKNOWN_SOURCE_TRUST))
    source, _ = DataSource.objects.get_or_create(name=name[:48], defaults={"label": label, "kind": kind,
                                                                          "trust": trust})
    return source


def normalise_values(values: Mapping[str, Any], confidence: Mapping[str, float]) -> dict[str, tuple[Any, float]]:
    """Clean what a source says into candidate values: authors split, series taken out of
    titles, languages as ISO 639-1, valid ISBN-13 only, genres derived from subjects."""
    out: dict[str, tuple[Any, float]] = {}
    for field, value in values.items():
        if field == "series_index" or field not in FIELDS:
            continue
        conf = confidence.get(field, DEFAULT_CONFIDENCE)
        out[field] = (clean_value(field, value, values), conf)
    title = out.get("title")
    if title and isinstance(title[0], str):
        guess = detect_series(title[0])
        if guess:
            if "series" not in out:
                out["series"] = ({"name": guess.series, "index": float(guess.index)}, title[1] * 0.8)
            out["title"] = (guess.title, title[1])
    if "published" in out and "year" not in out:
        _, year = parse_date(out["published"][0])
        if year:
            out["year"] = (year, out["published"][1])
    if "subjects" in out and "genres" not in out:
        out["genres"] = (genres_for(out["subjects"][0] or []), out["subjects"][1])
    return {k: v for k, v in out.items() if not is_empty(v[0])}


def _position(index: Any) -> float | None:
    try:
        return float(index) if index not in (None, "") else None
    except (TypeError, ValueError):
        return None


def clean_value(field: str, value: Any, values: Mapping[str, Any]) -> Any:
    """One field of what a source says, cleaned (nothing derived from other fields)."""
    if field in ("authors", "narrators"):
        return author_names(value if isinstance(value, list | tuple) else str(value or ""))
    if field == "language":
        return language_code(value)
    if field == "isbn13":
        return isbn_tools.to_isbn13(str(value or "")) or None
    if field == "series":
        if isinstance(value, str):
            value = {"name": value, "index": values.get("series_index")}
        if not isinstance(value, dict) or not str(value.get("name") or "").strip():
            return None
        series = {"name": " ".join(str(value["name"]).split()), "index": _position(value.get("index"))}
        # the chronological (in-universe) position: only hand edits give it, and only then is it set
        return series | ({"chrono": _position(value["chrono"])} if "chrono" in value else {})
    if field in ("subjects", "genres"):
        return [str(v).strip() for v in (value if isinstance(value, list | tuple) else [value]) if str(v).strip()]
    if field == "identifiers":
        return {str(k)[:32]: str(v)[:128] for k, v in dict(value or {}).items() if v}
    if isinstance(value, str):
        return " ".join(value.split()) if field != "description" else value.strip()
    return value


@transaction.atomic
def record_candidates(item: MediaItem, source_name: str, values: Mapping[str, Any],
                      confidences: Mapping[str, float] | float | None = None, *, external_id: str = "",
                      user=None, apply: bool = True, run: EnrichmentRun | None = None) -> list[MetadataChange]:
    """Store what `source_name` says about `item` (one candidate per field and source,
    replacing that source's previous one) and re-merge the touched fields."""
    if isinstance(confidences, int | float):
        confidence_map = dict.fromkeys(values, float(confidences))
    else:
        confidence_map = dict(confidences or {})
    source = data_source(source_name)
    cleaned = normalise_values(values, confidence_map)
    now = timezone.now()
    for field, (value, conf) in cleaned.items():
        FieldCandidate.objects.update_or_create(
            item=item, field=field, source=source,
            defaults={"value": value, "confidence": max(0.0, min(1.0, conf)), "external_id": external_id[:128],
                      "updated_at": now})
    if not apply:
        return []
    reason = ChangeReason.MANUAL if source_name == MANUAL_SOURCE else ChangeReason.MERGE
    return resolve_item(item, fields=list(cleaned), reason=reason, user=user, run=run)


def resolve_item(item: MediaItem, *, fields: list[str] | None = None, reason: str = ChangeReason.MERGE,
                 user=None, run: EnrichmentRun | None = None) -> list[MetadataChange]:
    """Recompute the final value of each field; locked fields are left alone, empty
    results never erase existing data; every change is written to the history (with the
    automatic identification run that caused it, if any)."""
    wanted = fields or sorted(FIELDS)
    rows = FieldCandidate.objects.filter(item=item, field__in=wanted).select_related("source")
    by_field: dict[str, list[Candidate]] = {}
    trusts: dict[int, float] = {}  # a source on probation counts for less
    for row in rows:
        if row.source_id not in trusts:
            trusts[row.source_id] = effective_trust(row.source)
        by_field.setdefault(row.field, []).append(Candidate(row.field, row.value, row.source.name,
                                                            trusts[row.source_id],
                                                            row.confidence, row.updated_at.timestamp()))
    resolved = {r.field: r for r in ResolvedField.objects.filter(item=item, field__in=wanted)
                .select_related("source")}
    changes = []
    for field in wanted:
        state = resolved.get(field)
        if state is not None and state.locked and reason not in (ChangeReason.MANUAL, ChangeReason.REVERT):
            continue
        result = resolve(field, by_field.get(field, []))
        if result is None:
            continue
        change = _store(item, field, state, result, reason=reason, user=user, run=run)
        if change is not None:
            changes.append(change)
    return changes


def _store(item: MediaItem, field: str, state: ResolvedField | None, result, *, reason: str,
           user, run: EnrichmentRun | None = None) -> MetadataChange | None:
    source = DataSource.objects.get(name=result.source)
    old_value = state.value if state is not None else current_value(item, field)
    old_source = state.source.name if state is not None and state.source_id else ""
    if state is None:
        state = ResolvedField(item=item, field=field)
    same = old_value is not None and value_key(field, old_value) == value_key(field, result.value) \
        and old_value == result.value
    state.value, state.source, state.confidence = result.value, source, result.confidence
    state.score, state.updated_at = result.score, timezone.now()
    state.save()
    if same:
        return None
    apply_value(item, field, result.value)
    return MetadataChange.objects.create(item=item, field=field, old_value=old_value, new_value=result.value,
                                         old_source=old_source, new_source=source.name, reason=reason, user=user,
                                         run=run)


def _restore_catalogue_value(item: MediaItem, change: MetadataChange, *, user) -> MetadataChange:
    """No source knows the field: put back the catalogue's value from before the edit."""
    state = ResolvedField.objects.filter(item=item, field=change.field).first()
    current = current_value(item, change.field)
    apply_value(item, change.field, change.old_value)
    if state is not None:
        state.value, state.source, state.confidence, state.score = change.old_value, None, 0.0, 0.0
        state.updated_at = timezone.now()
        state.save()
    return MetadataChange.objects.create(item=item, field=change.field, old_value=current,
                                         new_value=change.old_value, old_source=MANUAL_SOURCE, new_source="",
                                         reason=ChangeReason.REVERT, user=user)


def _check_field(field: str) -> None:
    if field not in FIELDS:
        raise InvalidInput(f"Unknown field {field!r}", hint=f"Fields: {', '.join(sorted(FIELDS))}")


@transaction.atomic
def set_manual_value(item: MediaItem, field: str, value: Any, *, user=None, lock: bool = False) -> list[MetadataChange]:
    """A person's value: stored as the 'manual' source, which always wins and survives refreshes."""
    _check_field(field)
    value = clean_manual_value(field, value)
    if is_empty(value):
        raise InvalidInput(f"A manual {field} cannot be empty", hint="Lock the field instead to keep it as it is.")
    changes = record_candidates(item, MANUAL_SOURCE, {field: value}, 1.0, user=user)
    if lock:
        lock_field(item, field, locked=True)
    return changes


def lock_field(item: MediaItem, field: str, *, locked: bool) -> ResolvedField:
    _check_field(field)
    state, _ = ResolvedField.objects.get_or_create(item=item, field=field,
                                                   defaults={"value": current_value(item, field)})
    state.locked = locked
    state.save(update_fields=["locked"])
    return state


@transaction.atomic
def revert_change(change_id: int, *, user=None) -> list[MetadataChange]:
    """Undo one change. A manual edit is undone by dropping the manual value (the other
    sources decide again); any other change by pinning the old value as a manual one."""
    change = MetadataChange.objects.select_for_update().select_related("item").get(pk=change_id)
    if change.reverted_at is not None:
        raise Conflict(f"Change #{change.pk} was already reverted")
    item = change.item
    # a cover is a file: reverting puts the earlier file back (pinned), whatever the providers offer
    if change.reason == ChangeReason.MANUAL and change.old_source != MANUAL_SOURCE and change.field != "cover":
        FieldCandidate.objects.filter(item=item, field=change.field, source__name=MANUAL_SOURCE).delete()
        changes = resolve_item(item, fields=[change.field], reason=ChangeReason.REVERT, user=user)
        if not FieldCandidate.objects.filter(item=item, field=change.field).exists():
            changes = [_restore_catalogue_value(item, change, user=user)]
    elif is_empty(change.old_value):
        raise Conflict(f"Change #{change.pk} filled an empty field; lock or edit the field instead")
    else:
        FieldCandidate.objects.update_or_create(
            item=item, field=change.field, source=data_source(MANUAL_SOURCE),
            defaults={"value": change.old_value, "confidence": 1.0, "updated_at": timezone.now()})
        changes = resolve_item(item, fields=[change.field], reason=ChangeReason.REVERT, user=user)
    change.reverted_at = timezone.now()
    change.save(update_fields=["reverted_at"])
    return changes
