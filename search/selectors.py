"""Read-only queries of the metadata app."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from core.visibility import hidden_items
from media.models import Author, Contribution, MediaItem, Series
from search.models import FieldCandidate, MetadataChange, MetadataField, ResolvedField, SearchProvider
from search.providers.registry import PROVIDERS, provider_info


def provider_rows(media_type: str | None = None) -> list[SearchProvider]:
    from search.services.providers import ensure_providers

    ensure_providers()
    rows = [r for r in SearchProvider.objects.order_by("priority", "name") if r.adapter in PROVIDERS]
    if media_type:
        rows = [r for r in rows if media_type in (r.media_types or provider_info(r.adapter).media_kinds)
                and media_type in provider_info(r.adapter).media_kinds]
    return rows


def series_rows(viewer) -> QuerySet[Series]:
    """Series as `viewer` sees them, with `known`: their books the viewer may see. A series
    whose every book is hidden from the viewer is left out (it does not exist for them)."""
    hidden = hidden_items(viewer)
    if hidden is None:
        return Series.objects.annotate(known=Count("items"))
    seen = MediaItem.objects.filter(series=OuterRef("pk")).exclude(hidden).order_by()
    known = Subquery(seen.values("series").annotate(n=Count("pk")).values("n"))
    books = MediaItem.objects.filter(series=OuterRef("pk"))
    return Series.objects.annotate(known=Coalesce(known, 0)).exclude(Q(Exists(books)) & Q(known=0))


def author_rows(viewer) -> QuerySet[Author]:
    """Authors as `viewer` sees them, with `books`: their books the viewer may see. An author
    whose every book is hidden from the viewer is left out (they do not exist for them)."""
    hidden = hidden_items(viewer, "item_id")
    if hidden is None:
        return Author.objects.annotate(books=Count("contributions__item", distinct=True))
    seen = Contribution.objects.filter(author=OuterRef("pk")).exclude(hidden).order_by()
    books = Subquery(seen.values("author").annotate(n=Count("item", distinct=True)).values("n"))
    contributed = Contribution.objects.filter(author=OuterRef("pk"))
    return Author.objects.annotate(books=Coalesce(books, 0)).exclude(Q(Exists(contributed)) & Q(books=0))


def item_metadata(item: MediaItem, *, history: int = 50) -> dict[str, Any]:
    resolved = {r.field: r for r in ResolvedField.objects.filter(item=item).select_related("source")}
    candidates: dict[str, list[dict]] = {}
    for c in FieldCandidate.objects.filter(item=item).select_related("source").order_by("-confidence"):
        candidates.setdefault(c.field, []).append({
            "value": c.value, "source": c.source.name, "source_label": c.source.label, "trust": c.source.trust,
            "confidence": c.confidence, "score": round(c.source.trust * c.confidence, 4),
            "external_id": c.external_id, "updated_at": c.updated_at.isoformat()})
    fields = []
    for field, label in MetadataField.choices:
        state = resolved.get(field)
        if state is None and field not in candidates:
            continue
        fields.append({"field": field, "label": label, "value": state.value if state else None,
                       "source": state.source.name if state and state.source_id else None,
                       "source_label": state.source.label if state and state.source_id else None,
                       "confidence": state.confidence if state else None, "score": state.score if state else None,
                       "locked": bool(state and state.locked), "candidates": candidates.get(field, [])})
    changes = [{"id": c.id, "field": c.field, "old_value": c.old_value, "new_value": c.new_value,
                "old_source": c.old_source, "new_source": c.new_source, "reason": c.reason,
                "user": c.user.get_username() if c.user_id else None, "created_at": c.created_at.isoformat(),
                "reverted_at": c.reverted_at.isoformat() if c.reverted_at else None}
               for c in MetadataChange.objects.filter(item=item).select_related("user")[:history]]
    return {"item_id": item.pk, "title": item.title, "kind": item.kind, "status": item.status, "fields": fields,
            "history": changes}


KIND_FIELDS = {"audiobook": ("narrators", "duration_seconds"), "comic": ("issue_number", "volume")}
KIND_ONLY = frozenset(f for fields in KIND_FIELDS.values() for f in fields)


def display_value(field: str, value: Any) -> str:
    """A value as one line of text (the page's cell and the edit box's starting text)."""
    if value is None:
        return ""
    if field == "series" and isinstance(value, dict):
        index = value.get("index")
        return f"{value.get('name', '')}" + (f" #{float(index):g}" if index is not None else "")
    if field == "identifiers" and isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ("; " if field in ("authors", "narrators") else ", ").join(str(v) for v in value)
    return str(value)


def detail_fields(item: MediaItem, meta: dict[str, Any]) -> list[dict[str, Any]]:
    """Every field the item page shows: the final value (or the catalogue's, when no source
    has spoken yet), its source and confidence, the candidates behind it and the edit box."""
    from search.services.apply import current_value
    from search.services.manual import EDITABLE_FIELDS, LIST_FIELDS

    known = {f["field"]: f for f in meta["fields"]}
    labels = dict(MetadataField.choices)
    rows = []
    for field in MetadataField.values:
        if field in KIND_ONLY and field not in KIND_FIELDS.get(item.kind, ()) and field not in known:
            continue
        if field not in EDITABLE_FIELDS and field not in known:
            continue
        row = dict(known.get(field) or {"field": field, "label": labels[field], "value": None, "source": None,
                                         "source_label": None, "confidence": None, "score": None,
                                         "locked": False, "candidates": []})
        if row["value"] is None:
            row["value"] = current_value(item, field)
        row["display"] = display_value(field, row["value"])
        row["editable"] = field in EDITABLE_FIELDS
        row["list"] = field in LIST_FIELDS
        row["multiline"] = field == "description"
        if field == "series":
            value = row["value"] if isinstance(row["value"], dict) else {}
            row["series_name"] = value.get("name") or ""
            row["series_index"] = "" if value.get("index") is None else f"{float(value['index']):g}"
            chrono = item.series_chrono_index
            row["series_chrono"] = "" if chrono is None else f"{float(chrono):g}"
        for candidate in row["candidates"]:
            candidate["display"] = display_value(field, candidate["value"])
        rows.append(row)
    return rows
