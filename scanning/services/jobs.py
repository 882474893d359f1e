"""Starting and cancelling scans, periodic rescans, and the deferred thumbnail pass."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from core.errors import ConfigurationError, Conflict
from core.jobs import cancel_job, submit_job
from core.models import Job, JobState
from media.models import MediaItem
from scanning.models import ScanFolder
from scanning.services.covers import make_thumbnail, store_pending_covers, thumbnail_path
from scanning.services.folders import get_folder

SCAN_KIND = "scanning.scan_folder"
THUMBNAIL_KIND = "scanning.make_thumbnails"
ACTIVE = (JobState.QUEUED, JobState.RUNNING)


def _target(folder_id: int) -> str:
    return f"scanfolder:{folder_id}"


def active_scan(folder_id: int) -> Job | None:
    return Job.objects.filter(kind=SCAN_KIND, target=_target(folder_id), state__in=ACTIVE).first()


def start_scan(folder_id: int, *, user=None) -> Job:
    """'Scan now'. One scan per folder at a time."""
    folder = get_folder(folder_id)
    if not folder.enabled:
        raise ConfigurationError(f"Scan folder {folder.path} is disabled", hint="Enable it first")
    running = active_scan(folder.pk)
    if running is not None:
        raise Conflict(
            f"A scan of {folder.path} is already {running.state} (job #{running.pk})",
            details={"job_id": running.pk},
        )
    return submit_job(SCAN_KIND, target=_target(folder.pk), params={"folder_id": folder.pk}, user=user)


def cancel_scan(folder_id: int) -> Job:
    get_folder(folder_id)
    running = active_scan(folder_id)
    if running is None:
        raise Conflict("No scan of this folder is queued or running")
    return cancel_job(running.pk)


def start_due_scans() -> dict[str, object]:
    """Periodic: queue a scan of every enabled folder whose interval has passed."""
    now, started = timezone.now(), []
    for folder in ScanFolder.objects.filter(enabled=True, scan_interval_hours__gt=0):
        due = (
            folder.last_scan_at is None
            or folder.last_scan_at + timedelta(hours=folder.scan_interval_hours) <= now
        )
        if due and active_scan(folder.pk) is None:
            started.append(start_scan(folder.pk).pk)
    return {"started_jobs": started}


def queue_covers() -> Job | None:
    """The cover job (covers queued by scans, then missing thumbnails); one at a time."""
    if Job.objects.filter(kind=THUMBNAIL_KIND, state__in=ACTIVE).exists():
        return None
    return submit_job(THUMBNAIL_KIND, target="covers")


def make_thumbnails(*, progress: Callable[..., None] | None = None, chunk: int = 500) -> dict[str, int]:
    """Store the covers scans queued, then make the grid thumbnails still missing (items are
    searchable before this runs)."""
    report = progress or (lambda *a, **k: None)
    covers = store_pending_covers(progress=progress)
    made, failed, done, last = covers["thumbnails"], 0, 0, 0  # storing a cover makes its thumbnail
    total = MediaItem.objects.exclude(cover_path="").count()
    while True:
        rows = list(
            MediaItem.objects.exclude(cover_path="")
            .filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "cover_path")[:chunk]
        )
        if not rows:
            break
        for pk, cover_path in rows:
            last, done = pk, done + 1
            if not thumbnail_path(cover_path).exists():
                made, failed = (made + 1, failed) if make_thumbnail(cover_path) else (made, failed + 1)
            report(done, total, f"{made} thumbnails made")
    summary = f"{covers['stored']} covers stored, {made} thumbnails made" + (f", {failed} failed" if failed else "")
    report(done, total, summary, force=True)  # the job keeps its last message
    return {"covers_stored": covers["stored"], "checked": done, "made": made, "failed": failed}
