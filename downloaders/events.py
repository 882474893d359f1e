"""What the owner is told about downloads (core.events): a release sent to the download client,
and a download that failed, with the reason."""

from __future__ import annotations

from core import events
from core.events import EventType, Level
from downloaders.models import AttemptState, DownloadAttempt
from media.models import MediaItem


def announce_move(attempt: DownloadAttempt, previous: str, to: str) -> None:
    """Called by `status.move` after each change of state."""
    if to == AttemptState.SENT and previous == AttemptState.PENDING:
        _emit(attempt, EventType.RELEASE_GRABBED, Level.INFO, f"Grabbed {attempt.release_title}",
              f"Sent to the download client{' automatically' if attempt.automatic else ''}"
              f"{f' from {attempt.indexer}' if attempt.indexer else ''}")
    elif to == AttemptState.FAILED:
        _emit(attempt, EventType.DOWNLOAD_FAILED, Level.ERROR, f"Download failed: {attempt.release_title}",
              attempt.error or "No reason given")


def _emit(attempt: DownloadAttempt, kind: str, level: str, title: str, message: str) -> None:
    item = MediaItem.objects.filter(pk=attempt.item_id).values_list("title", "kind").first()
    events.emit(kind, title=title, message=message, level=level, url=f"/library/{attempt.item_id}/",
                data={"attempt_id": attempt.pk, "item_id": attempt.item_id, "item_title": item[0] if item else "",
                      "media_kind": item[1] if item else "", "release": attempt.release_title,
                      "indexer": attempt.indexer, "protocol": attempt.protocol, "size": attempt.size,
                      "reason": attempt.error if kind == EventType.DOWNLOAD_FAILED else ""})
