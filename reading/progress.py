"""Where a user is in a book: saved by the web readers, the player and (later) KOReader, read back
on any device. Last write wins; the server stamps `updated_at`.

(R4 wrote this to the issue-19 contract so the readers can be tested end to end; R3 owns the
module and may replace it: keep the two signatures.)"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from core.errors import InvalidInput
from media.models import LibraryFile, MediaItem
from reading.models import ReadingProgress, ReadingStatus

MAX_LOCATOR_CHARS = 4_000


def progress_for(user, item: MediaItem) -> ReadingProgress | None:
    return ReadingProgress.objects.filter(user=user, item=item).first()


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
    """Store the user's place in `item`. A first save marks the book "reading"; 100 % or
    status "read" marks it finished."""
    _check(item, locator, percent, file, status)
    now = timezone.now()
    with transaction.atomic():
        progress, _ = ReadingProgress.objects.select_for_update().get_or_create(user=user, item=item)
        progress.locator = locator
        progress.percent = round(float(percent), 3)
        progress.file = file or progress.file
        progress.device = device[:100]
        progress.status = status or progress.status or ReadingStatus.READING
        if progress.percent >= 100 and status is None:
            progress.status = ReadingStatus.READ
        progress.started_at = progress.started_at or now
        progress.finished_at = now if progress.status == ReadingStatus.READ else None
        progress.updated_at = now
        progress.save()
    return progress


def _check(item, locator, percent, file, status) -> None:
    if not isinstance(locator, dict) or len(str(locator)) > MAX_LOCATOR_CHARS:
        raise InvalidInput(f"locator must be an object of at most {MAX_LOCATOR_CHARS} characters")
    if not 0 <= float(percent) <= 100:
        raise InvalidInput("percent must be between 0 and 100")
    if file is not None and file.item_id != item.pk:
        raise InvalidInput("that file belongs to another book")
    if status is not None and status not in ReadingStatus.values:
        raise InvalidInput(f"status must be one of {', '.join(ReadingStatus.values)}")


def as_dict(item: MediaItem, progress: ReadingProgress | None) -> dict:
    """The API's shape (also embedded in the reader pages so they open at the right place)."""
    if progress is None:
        return {
            "item_id": item.pk,
            "file_id": None,
            "status": "",
            "locator": {},
            "percent": 0.0,
            "device": "",
            "updated_at": None,
        }
    return {
        "item_id": item.pk,
        "file_id": progress.file_id,
        "status": progress.status,
        "locator": progress.locator,
        "percent": progress.percent,
        "device": progress.device,
        "updated_at": progress.updated_at.isoformat(),
    }
