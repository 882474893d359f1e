"""An *arr-compatible subset (Readarr's API v1 shapes) for tools that already speak to Readarr:
dashboards (homepage, Organizr) and scripts. These answers are Readarr's bare JSON, not the
envelope; errors stay in the envelope. Like Readarr they take the key as `X-Api-Key` or
`?apikey=`. Only the fields those consumers read are filled. A reader's key sees only the books
of the libraries they may see (core.visibility), as everywhere else."""

from __future__ import annotations

import platform
import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

import django
from django.conf import settings
from django.db import connection
from django.db.models import Prefetch
from django.http import HttpResponse
from ninja import Query, Router, Schema
from ninja.security import APIKeyQuery
from pydantic import BeforeValidator, Field

from core.api.auth import API_AUTH, check_role
from core.visibility import without_hidden
from downloaders.models import ACTIVE_STATES, AttemptState, DownloadAttempt
from media.models import MediaItem
from monitoring.calendar import ical_feed, releases

router = Router(tags=["arr-compatible"])
STARTED_AT = datetime.now(UTC)
MAX_RECORDS = 500


class ApiKeyQueryParam(APIKeyQuery):
    """`?apikey=<key>`, as *arr tools send it."""

    param_name = "apikey"

    def authenticate(self, request, key):
        from core.models import ApiKey

        user = ApiKey.user_for(key or "") if key else None
        if user is None:
            return None
        request.user = user
        request.authenticated_by = "api_key"
        check_role(request, user)
        return user


ARR_AUTH = [*API_AUTH, ApiKeyQueryParam()]


class SystemStatusOut(Schema):
    appName: str
    instanceName: str
    version: str
    startTime: datetime
    isDebug: bool
    isProduction: bool
    isLinux: bool
    isDocker: bool
    osName: str
    runtimeName: str
    runtimeVersion: str
    databaseType: str
    authentication: str
    urlBase: str
    branch: str


@router.get(
    "/system/status",
    auth=ARR_AUTH,
    response=SystemStatusOut,
    summary="Readarr-shaped system status (bare JSON, no envelope)",
)
def system_status(request):
    from importlib.metadata import PackageNotFoundError, version

    try:
        app_version = version("omnireadarr")
    except PackageNotFoundError:
        app_version = "0.0.0"
    return {
        "appName": "OmniReadarr",
        "instanceName": "OmniReadarr",
        "version": app_version,
        "startTime": STARTED_AT,
        "isDebug": settings.DEBUG,
        "isProduction": not settings.DEBUG,
        "isLinux": platform.system() == "Linux",
        "isDocker": _in_docker(),
        "osName": platform.system().lower(),
        "runtimeName": "python",
        "runtimeVersion": f"{platform.python_version()} (django {django.get_version()})",
        "databaseType": "postgreSQL" if connection.vendor == "postgresql" else "sqLite",
        "authentication": "forms",
        "urlBase": "",
        "branch": "main",
    }


def _in_docker() -> bool:
    from pathlib import Path

    return Path("/.dockerenv").exists()


class QueueRecordOut(Schema):
    id: int
    bookId: int
    title: str
    status: str = Field(description="queued, delay, downloadClientUnavailable, downloading or completed")
    trackedDownloadStatus: str = Field(description="ok, warning or error")
    trackedDownloadState: str = Field(description="downloading or importPending")
    size: int
    sizeleft: int
    timeleft: str | None
    estimatedCompletionTime: datetime | None
    protocol: str
    downloadClient: str
    indexer: str
    downloadId: str
    errorMessage: str
    outputPath: str


class QueuePageOut(Schema):
    page: int
    pageSize: int
    sortKey: str
    sortDirection: str
    totalRecords: int
    records: list[QueueRecordOut]


class QueueParams(Schema):
    page: int = Field(1, ge=1, le=100_000)
    pageSize: int = Field(20, ge=1, le=MAX_RECORDS)


@router.get(
    "/queue",
    auth=ARR_AUTH,
    response=QueuePageOut,
    summary="Readarr-shaped download queue: active downloads (bare JSON, no envelope)",
)
def queue(request, params: Query[QueueParams]):
    attempts = _active(request.auth).order_by("created_at", "id")
    start = (params.page - 1) * params.pageSize
    records = [_queue_record(a) for a in attempts[start : start + params.pageSize]]
    return {
        "page": params.page,
        "pageSize": params.pageSize,
        "sortKey": "timeleft",
        "sortDirection": "ascending",
        "totalRecords": attempts.count(),
        "records": records,
    }


def _active(viewer):
    return without_hidden(DownloadAttempt.objects.filter(state__in=ACTIVE_STATES), viewer, "item_id")


def _queue_record(attempt: DownloadAttempt) -> dict:
    left = round(attempt.size * max(0.0, 100.0 - attempt.progress) / 100)
    return {
        "id": attempt.pk,
        "bookId": attempt.item_id,
        "title": attempt.release_title,
        "status": _arr_status(attempt),
        "trackedDownloadStatus": "warning" if attempt.error or attempt.send_failures else "ok",
        "trackedDownloadState": "importPending" if attempt.state == AttemptState.DOWNLOADED else "downloading",
        "size": attempt.size,
        "sizeleft": 0 if attempt.state == AttemptState.DOWNLOADED else left,
        "timeleft": attempt.time_left or None,
        "estimatedCompletionTime": _eta(attempt.time_left),
        "protocol": attempt.protocol,
        "downloadClient": attempt.client_kind,
        "indexer": attempt.indexer,
        "downloadId": attempt.client_job_id,
        "errorMessage": attempt.error,
        "outputPath": attempt.storage_path,
    }


def _arr_status(attempt: DownloadAttempt) -> str:
    if attempt.state == AttemptState.PENDING:
        return "downloadClientUnavailable" if attempt.send_failures else "delay"
    return {AttemptState.SENT: "queued", AttemptState.DOWNLOADING: "downloading"}.get(attempt.state, "completed")


def _eta(time_left: str) -> datetime | None:
    """SABnzbd's `H:MM:SS` time left as a moment."""
    parts = time_left.split(":")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    hours, minutes, seconds = (int(p) for p in parts)
    return datetime.now(UTC) + timedelta(hours=hours, minutes=minutes, seconds=seconds)


class QueueStatusOut(Schema):
    totalCount: int
    count: int
    unknownCount: int
    errors: bool
    warnings: bool


@router.get(
    "/queue/status",
    auth=ARR_AUTH,
    response=QueueStatusOut,
    summary="Readarr-shaped queue counts (bare JSON, no envelope)",
)
def queue_status(request):
    active = _active(request.auth)
    total = active.count()
    return {
        "totalCount": total,
        "count": total,
        "unknownCount": 0,
        "errors": active.exclude(error="").exists(),
        "warnings": active.filter(send_failures__gt=0).exists(),
    }


class CalendarAuthorOut(Schema):
    authorName: str


class CalendarBookOut(Schema):
    id: int
    title: str
    authorTitle: str
    releaseDate: datetime
    monitored: bool
    grabbed: bool
    pageCount: int | None
    overview: str
    kind: str = Field(description="ebook, audiobook or comic (OmniReadarr's own field)")
    author: CalendarAuthorOut


def _iso_day(value: object) -> object:
    """A day as `YYYY-MM-DD` only (pydantic would also read a number as seconds since 1970)."""
    if isinstance(value, str) and not ISO_DAY.fullmatch(value):
        raise ValueError("a day as YYYY-MM-DD")
    if not isinstance(value, str | date):
        raise ValueError("a day as YYYY-MM-DD")
    return value


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
Day = Annotated[date, BeforeValidator(_iso_day)]


class CalendarParams(Schema):
    start: Day | None = Field(None, description="First day (default: today)")
    end: Day | None = Field(None, description="Last day (default: start + 7 days)")


@router.get(
    "/calendar",
    auth=ARR_AUTH,
    response=list[CalendarBookOut],
    summary="Readarr-shaped calendar: wanted items released between start and end (bare JSON, no envelope)",
)
def calendar(request, params: Query[CalendarParams]):
    start = params.start or datetime.now(UTC).date()
    end = params.end or start + timedelta(days=7)
    attempts = Prefetch("download_attempts", to_attr="active_attempts",
                        queryset=DownloadAttempt.objects.filter(state__in=ACTIVE_STATES))
    return [_calendar_book(item, released)
            for item, released in releases(start, end, request.auth, prefetch=(attempts,), limit=MAX_RECORDS)]


class IcalParams(Schema):
    past_days: int = Field(30, ge=0, le=3660, description="Days before today")
    future_days: int = Field(365, ge=0, le=3660, description="Days after today")


@router.get(
    "/calendar.ics",
    auth=ARR_AUTH,
    summary="Release dates of wanted and monitored books as iCalendar (RFC 5545); subscribe with ?apikey=",
)
def calendar_ics(request, params: Query[IcalParams]):
    today = datetime.now(UTC).date()
    body = ical_feed(today - timedelta(days=params.past_days), today + timedelta(days=params.future_days), request.auth,
                     host=request.get_host().split(":")[0] or "omnireadarr")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="omnireadarr.ics"'
    return response


def _calendar_book(item: MediaItem, released: date) -> dict:
    authors = item.authors_display
    return {
        "id": item.pk,
        "title": item.title,
        "authorTitle": f"{authors} {item.title}".strip(),
        "releaseDate": datetime(released.year, released.month, released.day, tzinfo=UTC),
        "monitored": True,
        "grabbed": bool(item.active_attempts),
        "pageCount": item.page_count,
        "overview": item.description,
        "kind": item.kind,
        "author": {"authorName": authors},
    }
