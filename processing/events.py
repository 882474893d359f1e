"""Import events: one notification per finished run (imported, failed, needs review) and
per undo, for the dashboard's "recent imports". Written by the services only."""

from __future__ import annotations

from pathlib import PurePath

from django.db.models import QuerySet

from core import events as core_events
from core.events import EventType as CoreKind
from core.events import Level
from media.models import MediaItem
from processing.models import EventKind, ImportEvent, ImportRun, PostProcessStatus

_KIND_OF_STATUS = {
    PostProcessStatus.COMPLETED: EventKind.IMPORTED,
    PostProcessStatus.FAILED: EventKind.FAILED,
    PostProcessStatus.NEEDS_REVIEW: EventKind.NEEDS_REVIEW,
    PostProcessStatus.UNDONE: EventKind.UNDONE,
}


def _title(run: ImportRun) -> str:
    if run.media_item_id:
        title = MediaItem.objects.filter(pk=run.media_item_id).values_list("title", flat=True).first()
        if title:
            return title
    return PurePath(run.storage_path).name or run.storage_path


def _imported_message(result: dict) -> str:
    filed = [p for p in result.get("placed", []) if p.get("outcome") != "skipped_existing"]
    if not filed:
        summary = result.get("note") or "Nothing new to file"
    else:
        folder = str(PurePath(filed[0]["path"]).parent)
        summary = f"Filed {len(filed)} file{'s' if len(filed) != 1 else ''} in {folder}"
    return "; ".join([summary, *result.get("notes", [])])


def message_for(run: ImportRun, kind: str) -> str:
    if kind == EventKind.IMPORTED:
        return _imported_message(run.result or {})
    if kind == EventKind.UNDONE:
        return f"Import #{run.pk} undone: {len((run.result or {}).get('undo', []))} file operation(s) reversed"
    return run.error or "No reason recorded"


def record_for_run(run_id: int) -> ImportEvent | None:
    """The event for the run's current (final) status; None while it is not final."""
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None:
        return None
    kind = _KIND_OF_STATUS.get(run.post_process_status)
    if kind is None:
        return None
    event = ImportEvent.objects.create(
        kind=kind,
        run=run,
        media_item_id=run.media_item_id,
        title=_title(run)[:500],
        message=message_for(run, kind)[:1000],
        step=run.error_step if kind in (EventKind.FAILED, EventKind.NEEDS_REVIEW) else "",
    )
    announce(run, event)
    return event


_ANNOUNCED = {
    EventKind.IMPORTED: (CoreKind.IMPORTED, Level.SUCCESS, "Imported"),
    EventKind.FAILED: (CoreKind.IMPORT_FAILED, Level.ERROR, "Import failed"),
    EventKind.NEEDS_REVIEW: (CoreKind.METADATA_REVIEW, Level.WARNING, "Import needs review"),
}


def announce(run: ImportRun, event: ImportEvent) -> None:
    """Tell the owner (core.events): imported with the files (an upgrade when a better file
    replaced one), failed with the reason, or waiting for a review. Undos are not announced."""
    if event.kind not in _ANNOUNCED:
        return
    kind, level, label = _ANNOUNCED[event.kind]
    placed = (run.result or {}).get("placed", []) if event.kind == EventKind.IMPORTED else []
    files = [p["path"] for p in placed if p.get("outcome") != "skipped_existing"]
    if any(p.get("outcome") == "replaced" for p in placed):
        kind, label = CoreKind.UPGRADE, "Upgraded"
    core_events.emit(kind, title=f"{label}: {event.title}", message=event.message, level=level,
                     url=f"/imports/{run.pk}/",
                     data={"run_id": run.pk, "item_id": run.media_item_id, "attempt_id": run.download_attempt_id,
                           "files": files, "step": event.step, "error": run.error})


def recent_events(*, kind: str | None = None, after_id: int | None = None) -> QuerySet[ImportEvent]:
    """Newest first; `after_id` gives only events newer than one the caller has seen."""
    events = ImportEvent.objects.all()
    if kind:
        events = events.filter(kind=kind)
    if after_id:
        events = events.filter(pk__gt=after_id)
    return events
