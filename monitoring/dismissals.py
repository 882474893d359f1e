"""Books the monitors must never add again: removed items (their provider ids and ISBN are
remembered when the item is deleted) and books marked unwanted."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from core.errors import Conflict, NotFound
from media.models import Identifier, MediaItem, MediaStatus
from monitoring.models import BookState, MonitoredBook
from search.providers.registry import PROVIDERS

ISBN = "isbn"  # the `provider` of a dismissal by ISBN-13


def _keys(item: MediaItem) -> list[tuple[str, str]]:
    pairs = [(s, v) for s, v in Identifier.objects.filter(item=item).values_list("scheme", "value")
             if s in PROVIDERS and v]
    isbns = {item.isbn13} | {v for s, v in Identifier.objects.filter(item=item, scheme="isbn13")
                             .values_list("scheme", "value")}
    return pairs + [(ISBN, i) for i in sorted(isbns) if i]


def dismiss_keys(item: MediaItem, reason: str, *, keep_earlier: bool = False) -> int:
    """Record every provider id and ISBN of the item as dismissed for its kind (`keep_earlier`:
    a dismissal already there keeps its reason)."""
    count = 0
    for provider, external_id in _keys(item):
        if keep_earlier and MonitoredBook.objects.filter(provider=provider, external_id=external_id[:128],
                                                         kind=item.kind, state=BookState.DISMISSED).exists():
            count += 1
            continue
        MonitoredBook.objects.update_or_create(
            provider=provider, external_id=external_id[:128], kind=item.kind,
            defaults={"state": BookState.DISMISSED, "title": item.title[:500], "reason": reason[:500], "item": None,
                      "resolved_at": timezone.now()})
        count += 1
    return count


def remember_removed_item(sender, instance: MediaItem, **kwargs) -> None:
    dismiss_keys(instance, f"Removed from the library on {timezone.now():%Y-%m-%d}", keep_earlier=True)


@transaction.atomic
def mark_unwanted(item_id: int) -> dict:
    """The user does not want this book: it is never added again by a monitor, and a wanted item
    without files is removed from the wanted list (an owned one stays in the library)."""
    item = MediaItem.objects.filter(pk=item_id).first()
    if item is None:
        raise NotFound(f"No item #{item_id}")
    count = dismiss_keys(item, f"Marked unwanted on {timezone.now():%Y-%m-%d}")
    removed = False
    if item.status in (MediaStatus.WANTED, MediaStatus.REQUESTED) and not item.files.exists():
        item.delete()
        removed = True
    elif not count:
        raise Conflict(f"'{item.title}' has no provider id or ISBN to remember; nothing to dismiss")
    return {"item_id": item_id, "dismissed_keys": count, "removed_from_wanted": removed}


def dismissed(provider: str, external_id: str, isbn13: str, kind: str) -> bool:
    keys = [(provider, external_id)] + ([(ISBN, isbn13)] if isbn13 else [])
    for p, e in keys:
        if MonitoredBook.objects.filter(provider=p, external_id=e, kind=kind, state=BookState.DISMISSED).exists():
            return True
    return False
