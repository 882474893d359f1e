"""The dashboard's numbers and problem list. Other apps add problems (review queue,
provider outages, failed downloads) through `register_problem_source`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from core import events
from core.models import Job, JobState
from core.visibility import without_hidden
from media.models import FileState, LibraryFile, MediaItem, MediaKind, MediaStatus
from media.selectors import ACQUISITION_STATUSES, items_for_listing


@dataclass(frozen=True)
class Problem:
    level: str  # error | warning
    message: str
    url: str = ""
    count: int | None = None


HAPPENED_SHOWN = 10
ProblemSource = Callable[[], list[Problem]]
_SOURCES: list[ProblemSource] = []


def register_problem_source(source: ProblemSource) -> ProblemSource:
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def _builtin_problems() -> list[Problem]:
    problems = []
    failed_jobs = Job.objects.filter(state=JobState.FAILED).count()
    if failed_jobs:
        problems.append(Problem("error", "failed background jobs", "/activity/?state=failed", failed_jobs))
    states = dict(
        LibraryFile.objects.filter(state__in=(FileState.MISSING, FileState.CORRUPT))
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    if states.get(FileState.MISSING):
        problems.append(
            Problem(
                "warning",
                "files missing from disk",
                "/library/?missing_files=true",
                states[FileState.MISSING],
            )
        )
    if states.get(FileState.CORRUPT):
        problems.append(
            Problem("error", "corrupt files", "/library/?missing_files=true", states[FileState.CORRUPT])
        )
    failed_imports = MediaItem.objects.filter(status=MediaStatus.POST_PROCESSED_FAILED).count()
    if failed_imports:
        problems.append(Problem("error", "failed imports", "/wanted/", failed_imports))
    return problems


def problems() -> list[Problem]:
    found = _builtin_problems()
    for source in _SOURCES:
        found += source()
    return found


SCAN_JOB_KIND = "scanning.scan_folder"  # the scanning app's job kind (media cannot import scanning)
COVER_JOB_KIND = "scanning.make_thumbnails"  # the same app's cover job


def scan_running() -> bool:
    return Job.objects.filter(kind=SCAN_JOB_KIND, state__in=(JobState.QUEUED, JobState.RUNNING)).exists()


def live_counts(viewer=None) -> dict[str, Any]:
    """The part of the dashboard that changes while a scan imports: counts and recent books
    (the page polls it while a scan runs, see static/js/dashboard.js). The counts and recent books
    are of the books `viewer` may see (None: every one)."""
    items = MediaItem.objects.all() if viewer is None else without_hidden(MediaItem.objects.all(), viewer)
    counts = {
        (k, s): n
        for k, s, n in items.order_by()
        .values_list("kind", "status")
        .annotate(n=Count("id"))
        .values_list("kind", "status", "n")
    }
    kinds = [
        {
            "kind": value,
            "label": label,
            "url": f"/library/?kind={value}",
            "total": sum(n for (k, s), n in counts.items() if k == value and s not in ACQUISITION_STATUSES),
            "wanted": sum(n for (k, s), n in counts.items() if k == value and s in ACQUISITION_STATUSES),
        }
        for value, label in MediaKind.choices
    ]
    by_status = [
        {"status": value, "label": label, "count": sum(n for (k, s), n in counts.items() if s == value)}
        for value, label in MediaStatus.choices
    ]
    recent = items_for_listing().exclude(status__in=ACQUISITION_STATUSES)
    if viewer is not None:
        recent = without_hidden(recent, viewer)
    recent = recent.order_by("-added_at", "-id")[:8]
    return {
        "kinds": kinds,
        "by_status": [s for s in by_status if s["count"]],
        "recent": recent,
        "scan_running": scan_running(),
        "library_total": sum(k["total"] for k in kinds),
    }


def dashboard_context(viewer=None) -> dict[str, Any]:
    return {
        **live_counts(viewer),
        "problems": problems(),
        "failed_jobs": Job.objects.filter(state=JobState.FAILED).order_by("-finished_at")[:5],
        "happened": events.recent(HAPPENED_SHOWN, viewer=viewer),  # the same events the notifications send
    }
