"""One field set by hand on many books at once (the library's multi-select): a preview that
counts what would change, then the same manual edit as the book page, item by item, in one
transaction (so a bad value changes nothing)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from core.errors import InvalidInput, NotFound
from media.models import MediaItem
from search.services.apply import current_value
from search.services.candidates import set_manual_value
from search.services.manual import EDITABLE_FIELDS, clean_manual_value

MAX_ITEMS = 5_000


def _items(item_ids: Sequence[int], field: str) -> list[MediaItem]:
    if field not in EDITABLE_FIELDS:
        raise InvalidInput(f"{field!r} cannot be edited here", hint=f"Editable: {', '.join(EDITABLE_FIELDS)}")
    ids = list(dict.fromkeys(item_ids))
    if not ids or len(ids) > MAX_ITEMS:
        raise InvalidInput(f"Select between 1 and {MAX_ITEMS:,} books")
    items = list(MediaItem.objects.filter(pk__in=ids).select_related("series"))
    missing = sorted(set(ids) - {i.pk for i in items})
    if missing:
        raise NotFound(f"No book with id {', '.join(map(str, missing[:10]))}", hint="Reload the list: it changed.")
    return items


def preview_bulk_edit(item_ids: Sequence[int], field: str, value: Any) -> dict[str, Any]:
    """How many of the selected books the value would change (nothing is written)."""
    items = _items(item_ids, field)
    cleaned = clean_manual_value(field, value)
    changing = [i.pk for i in items if current_value(i, field) != cleaned]
    return {
        "field": field,
        "value": cleaned,
        "selected": len(items),
        "would_change": len(changing),
        "unchanged": len(items) - len(changing),
        "changed": 0,
    }


@transaction.atomic
def apply_bulk_edit(item_ids: Sequence[int], field: str, value: Any, *, user=None, lock: bool = True) -> dict:
    items = _items(item_ids, field)
    cleaned = clean_manual_value(field, value)
    changed = 0
    for item in items:
        if current_value(item, field) != cleaned:
            set_manual_value(item, field, value, user=user, lock=lock)
            changed += 1
    return {
        "field": field,
        "value": cleaned,
        "selected": len(items),
        "would_change": changed,
        "unchanged": len(items) - changed,
        "changed": changed,
    }
