"""What happened, told once: any app calls `emit(kind, title=..., ...)` when something worth
telling the owner happens (a book wanted, a release grabbed, a download failed, ...). The
notifications app (which sits on top of every app) records each event and sends it to the
connections that asked for it; it installs itself as the event store when it is ready.

Core holds only the vocabulary and this one function, so every app can emit without importing
the notifications app, and imports keep flowing one way. Emitting never breaks the caller: an
event that cannot be recorded is logged and dropped."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from django.db import models

logger = logging.getLogger(__name__)


class EventType(models.TextChoices):
    BOOK_WANTED = "book_wanted", "Book wanted"
    RELEASE_GRABBED = "release_grabbed", "Release grabbed"
    DOWNLOAD_FAILED = "download_failed", "Download failed"
    IMPORTED = "imported", "Imported"
    UPGRADE = "upgrade", "Upgraded (a better file replaced one)"
    IMPORT_FAILED = "import_failed", "Import failed"
    METADATA_REVIEW = "metadata_review", "Metadata needs review"
    HEALTH_RAISED = "health_raised", "Health problem raised"
    HEALTH_CLEARED = "health_cleared", "Health problem cleared"


class Level(models.TextChoices):
    INFO = "info", "Info"
    SUCCESS = "success", "Success"
    WARNING = "warning", "Warning"
    ERROR = "error", "Error"


@dataclass(frozen=True)
class Event:
    kind: str
    title: str
    message: str = ""
    level: str = Level.INFO
    url: str = ""  # a page of this app about it, e.g. /media/12/
    data: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    id: int | None = None


class EventStore(Protocol):
    def record(self, event: Event) -> None: ...

    def recent(self, limit: int, viewer=None) -> list[Event]: ...


_store: EventStore | None = None


def install_store(store: EventStore | None) -> None:
    """Called by the notifications app when Django is ready (None: back to logging only)."""
    global _store
    _store = store


def emit(kind: str, *, title: str, message: str = "", level: str = Level.INFO, url: str = "",
         data: dict[str, Any] | None = None) -> None:
    """Tell the owner something happened. Inside a transaction, the event is recorded with it
    (a rolled-back change tells nothing) and sent after the commit."""
    event = Event(kind=str(kind), title=title[:300], message=message[:2000], level=str(level), url=url,
                  data=data or {})
    logger.info("Event %s: %s%s", event.kind, event.title, f" ({event.message})" if event.message else "")
    if _store is None:
        return
    try:
        _store.record(event)
    except Exception:  # an event must never break the work that emits it
        logger.exception("Event %s could not be recorded", event.kind)


def recent(limit: int = 10, *, viewer=None) -> list[Event]:
    """The newest events, newest first (the dashboard's "What happened"); with a `viewer`, only
    those about books they may see (core.visibility) or about no book."""
    if _store is None:
        return []
    return _store.recent(limit, viewer=viewer)
