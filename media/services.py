"""Writes to the catalogue made from the UI: hand edits with field locks and a revertible
history. (Deleting to the recycle folder lives in `media.recycle`.)

Locked fields are the seam for automatic metadata: `apply_metadata` skips them, so a
manual edit always wins over any provider."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from core import isbn as isbn_tools
from core.errors import InvalidInput, NotFound
from core.text import author_sort_name, fold
from media.models import (
    Author,
    Contribution,
    ContributorRole,
    ItemTag,
    MediaItem,
    MetadataEdit,
    Series,
)

TEXT_FIELDS = {
    "title": 500,
    "subtitle": 500,
    "description": 20_000,
    "language": 8,
    "publisher": 255,
    "published": 32,
    "issue_number": 16,
    "volume": 16,
}
EDITABLE_FIELDS = (*TEXT_FIELDS, "year", "isbn13", "series", "series_index", "authors", "tags")


def _clean_text(field: str, value: Any) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > TEXT_FIELDS[field]:
        raise InvalidInput(f"{field} is longer than {TEXT_FIELDS[field]} characters")
    if field == "title" and not text:
        raise InvalidInput("A title cannot be empty")
    return text


def _clean_list(field: str, value: Any) -> list[str]:
    if isinstance(value, str):
        value = [part for part in value.replace(";", ",").split(",")]
    if not isinstance(value, list | tuple):
        raise InvalidInput(f"{field} must be a list of names")
    names = [str(v).strip() for v in value if str(v).strip()]
    if any(len(n) > 255 for n in names):
        raise InvalidInput(f"A name in {field} is longer than 255 characters")
    return list(dict.fromkeys(names))


def clean_value(field: str, value: Any) -> Any:
    """The stored form of an edited value, or InvalidInput with a clear message."""
    if field in TEXT_FIELDS:
        return _clean_text(field, value)
    if field in ("authors", "tags"):
        return _clean_list(field, value)
    if field == "series":
        return "" if value is None else str(value).strip()[:255]
    if value in (None, ""):
        return None if field != "isbn13" else ""
    if field == "year":
        try:
            year = int(value)
        except (TypeError, ValueError):
            raise InvalidInput("year must be a whole number") from None
        if not 0 < year <= 9999:
            raise InvalidInput("year must be between 1 and 9999")
        return year
    if field == "isbn13":
        converted = isbn_tools.to_isbn13(str(value))
        if not converted:
            raise InvalidInput(f"{value!r} is not a valid ISBN-10 or ISBN-13")
        return converted
    if field == "series_index":
        try:
            return str(Decimal(str(value)).quantize(Decimal("0.01")))
        except InvalidOperation:
            raise InvalidInput("series_index must be a number such as 2 or 2.5") from None
    raise InvalidInput(f"{field} cannot be edited", hint=f"Editable fields: {', '.join(EDITABLE_FIELDS)}")


def current_value(item: MediaItem, field: str) -> Any:
    if field == "authors":
        return [
            c.author.name
            for c in item.contributions.select_related("author").filter(role=ContributorRole.AUTHOR)
        ]
    if field == "tags":
        return [t.name for t in item.tags.all()]
    if field == "series":
        return item.series.title if item.series_id else ""
    if field == "series_index":
        return None if item.series_index is None else str(item.series_index)
    return getattr(item, field)


def _set_authors(item: MediaItem, names: list[str]) -> None:
    item.contributions.filter(role=ContributorRole.AUTHOR).delete()
    for position, name in enumerate(names):
        author = Author.objects.filter(normalized=fold(name)).first() or Author.objects.create(
            name=name, sort_name=author_sort_name(name), normalized=fold(name)
        )
        Contribution.objects.get_or_create(
            item=item, author=author, role=ContributorRole.AUTHOR, defaults={"position": position}
        )


def _set_tags(item: MediaItem, names: list[str]) -> None:
    item.tags.all().delete()
    ItemTag.objects.bulk_create(
        [ItemTag(item=item, name=n[:128], normalized=fold(n)[:128]) for n in names], ignore_conflicts=True
    )


def _set_series(item: MediaItem, title: str) -> None:
    if not title:
        item.series = None
        return
    item.series = Series.objects.filter(
        normalized=fold(title), kind=item.kind
    ).first() or Series.objects.create(title=title, normalized=fold(title), kind=item.kind)


def _apply(item: MediaItem, field: str, value: Any) -> None:
    if field == "authors":
        _set_authors(item, value)
    elif field == "tags":
        _set_tags(item, value)
    elif field == "series":
        _set_series(item, value)
    elif field == "series_index":
        item.series_index = None if value is None else Decimal(value)
    else:
        setattr(item, field, value)
        if field == "title":
            from core.text import sort_title

            item.sort_title = sort_title(value)


@transaction.atomic
def update_metadata(
    item_id: int,
    changes: dict[str, Any],
    *,
    lock: set[str] | None = None,
    unlock: set[str] | None = None,
    user=None,
) -> MediaItem:
    """Apply hand edits, journal each changed field and update the locks. Edited fields are
    locked unless named in `unlock`."""
    item = MediaItem.objects.select_for_update().filter(pk=item_id).first()
    if item is None:
        raise NotFound(f"Item {item_id} does not exist")
    unknown = (set(changes) | set(lock or ()) | set(unlock or ())) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(
            f"Unknown fields: {', '.join(sorted(unknown))}",
            hint=f"Editable fields: {', '.join(EDITABLE_FIELDS)}",
        )
    cleaned = {field: clean_value(field, value) for field, value in changes.items()}
    locks = set(item.locked_fields) | set(lock or ()) | set(cleaned)
    locks -= set(unlock or ())
    for field, value in cleaned.items():
        old = current_value(item, field)
        if old == value:
            continue
        _apply(item, field, value)
        MetadataEdit.objects.create(
            item=item, field=field, old_value=old, new_value=value, locked=field in locks, user=user
        )
    item.locked_fields = sorted(locks)
    item.save()
    return item


@transaction.atomic
def revert_edit(edit_id: int, *, user=None) -> MediaItem:
    edit = MetadataEdit.objects.select_related("item").filter(pk=edit_id, reverted_at__isnull=True).first()
    if edit is None:
        raise NotFound(f"Edit {edit_id} does not exist or was already reverted")
    item = update_metadata(edit.item_id, {edit.field: edit.old_value}, user=user)
    edit.reverted_at = timezone.now()
    edit.save(update_fields=["reverted_at"])
    return item


def apply_metadata(item: MediaItem, values: dict[str, Any]) -> list[str]:
    """For automatic sources: set the given fields except locked ones; returns the fields set.
    The caller saves the item (and records provenance)."""
    applied = []
    for field, value in values.items():
        if field in item.locked_fields or field not in EDITABLE_FIELDS:
            continue
        _apply(item, field, clean_value(field, value))
        applied.append(field)
    return applied
