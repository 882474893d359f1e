"""Where each user is in each book, and their status for it (want to read / reading / read).

Several devices may save progress for the same book: the last write wins by server time
(`updated_at` is set here, never taken from a client). Saving progress on a book without a status
(or wanted) marks it "reading"; 100 % or the reader saying "read" marks it read with `finished_at`.
Callers resolve the item through reading.visibility first (a hidden book answers 404)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from core.errors import InvalidInput
from media.models import LibraryFile, MediaItem
from reading.models import ReadingProgress, ReadingStatus
from reading.visibility import visible_items

FINISHED_PERCENT = 100.0
CONTINUE_LIMIT = 12


def progress_for(user, item: MediaItem) -> ReadingProgress | None:
    return ReadingProgress.objects.filter(user=user, item=item).first()


def _status_after(current: str, percent: float, asked: str | None) -> str:
    if asked is not None:
        return asked
    if percent >= FINISHED_PERCENT:
        return ReadingStatus.READ
    if current in ("", ReadingStatus.WANT_TO_READ):
        return ReadingStatus.READING
    return current


def _apply_status(row: ReadingProgress, status: str, now) -> None:
    row.status = status
    if status in (ReadingStatus.READING, ReadingStatus.READ) and row.started_at is None:
        row.started_at = now
    if status == ReadingStatus.READ:
        row.finished_at = row.finished_at or now
    else:
        row.finished_at = None


def save_progress(
    user,
    item: MediaItem,
    *,
    locator: dict,
    percent: float,
    file: LibraryFile | None = None,
    device: str = "",
    status: str | None = None,
) -> ReadingProgress:
    """Record the position (last write wins) and move the status as the module says."""
    if file is not None and file.item_id != item.pk:
        raise InvalidInput("That file belongs to another book.", hint="Send a file_id of this book or none.")
    if status is not None and status not in ReadingStatus.values:
        raise InvalidInput(f"Unknown status {status!r}.", hint="want, reading or read")
    percent = max(0.0, min(FINISHED_PERCENT, float(percent)))
    now = timezone.now()
    with transaction.atomic():
        row, _ = ReadingProgress.objects.select_for_update().get_or_create(user=user, item=item)
        _apply_status(row, _status_after(row.status, percent, status), now)
        row.locator = locator
        row.percent = percent
        row.file = file if file is not None else row.file
        row.device = device[:100]
        row.updated_at = now
        row.save()
    return row


def set_status(user, item: MediaItem, status: str) -> ReadingProgress:
    """The reader says want to read / reading / read; the position stays where it was."""
    if status not in ReadingStatus.values:
        raise InvalidInput(f"Unknown status {status!r}.", hint="want, reading or read")
    now = timezone.now()
    with transaction.atomic():
        row, _ = ReadingProgress.objects.select_for_update().get_or_create(user=user, item=item)
        _apply_status(row, status, now)
        if status == ReadingStatus.READ:
            row.percent = FINISHED_PERCENT
        row.updated_at = now
        row.save()
    return row


def clear_status(user, item: MediaItem) -> None:
    """No status any more; a row that holds no position either is removed."""
    row = progress_for(user, item)
    if row is None:
        return
    if not row.locator and not row.percent:
        row.delete()
        return
    row.status = ""
    row.finished_at = None
    row.save(update_fields=["status", "finished_at"])


def continue_reading(user, limit: int = CONTINUE_LIMIT) -> list[ReadingProgress]:
    """Books, comics and audiobooks in progress, latest first: one query (visibility is a subquery)."""
    return list(_in_progress(user).select_related("item")[:limit])


def _in_progress(user) -> QuerySet[ReadingProgress]:
    return (
        ReadingProgress.objects.filter(user=user, status=ReadingStatus.READING)
        .filter(item__in=visible_items(user).values("pk"))
        .order_by("-updated_at")
    )


def statuses_for(user, item_ids: list[int]) -> dict[int, str]:
    """item id -> status, for badges on lists (one query)."""
    rows = ReadingProgress.objects.filter(user=user, item_id__in=item_ids).exclude(status="")
    return dict(rows.values_list("item_id", "status"))


def as_dict(item: MediaItem, row: ReadingProgress | None) -> dict:
    """The API's shape, also embedded in the reader pages so they open at the right place."""
    if row is None:
        return {
            "item_id": item.pk,
            "file_id": None,
            "status": "",
            "locator": {},
            "percent": 0.0,
            "device": "",
            "started_at": None,
            "finished_at": None,
            "updated_at": None,
        }
    return {
        "item_id": item.pk,
        "file_id": row.file_id,
        "status": row.status,
        "locator": row.locator,
        "percent": row.percent,
        "device": row.device,
        "started_at": row.started_at,
        "finished_at": row.finished_at,
        "updated_at": row.updated_at,
    }


def read_item_ids(user, item_ids: list[int]) -> set[int]:
    """Of `item_ids`, the ones `user` has marked read (core.reading_state's rule)."""
    return set(ReadingProgress.objects.filter(user=user, item_id__in=item_ids, status=ReadingStatus.READ)
               .values_list("item_id", flat=True))
