"""The health checks: each reads what the other apps record (connection tests, provider status,
heartbeats, jobs, downloads, imports, free disk space) and returns the problems it finds, each
with a stable key (so a problem is raised once and cleared once) and the fix."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection

from core.events import Level
from core.jobs import job_kinds
from core.models import Heartbeat, Job, JobState
from downloaders import services as download_services
from downloaders.models import MONITORED_STATES, ClientHealth, DownloadAttempt
from indexers.models import IndexerConfig
from media.search import pg_rum
from notifications.models import HealthSettings, ProgressMark
from processing.models import ImportRun, PostProcessStatus
from search.models import ProviderStatus, SearchProvider
from search.services.providers import status_text

JOB_VANISHED_GRACE = timedelta(minutes=5)  # past its time limit by this much: its worker is gone
MB = 1024 * 1024


@dataclass(frozen=True)
class Finding:
    key: str
    message: str
    fix: str
    level: str = Level.ERROR


@dataclass(frozen=True)
class Check:
    name: str
    title: str
    run: Callable[[HealthSettings, datetime], list[Finding]]


# an HTTP 401/403 in a client's message, not those digits inside a port or an address (":40399")
_REFUSED_STATUS = re.compile(r"(?<![\d.:])40[13](?!\d)")


def _key_refused(message: str) -> bool:
    text = message.lower()
    words = ("api key", "apikey", "password", "unauthor", "forbidden")
    return bool(_REFUSED_STATUS.search(text)) or any(word in text for word in words)


def download_clients(config: HealthSettings, now: datetime) -> list[Finding]:
    found = []
    for name, message in download_services.failing_clients():
        refused = _key_refused(message)
        what = "rejects the API key" if refused else "is unreachable"
        fix = (f"Copy the API key from {name}'s settings into OmniReadarr's download client settings, then Test."
               if refused else f"Start {name} or correct its address in the download client settings, then Test.")
        found.append(Finding(f"download_client:{name}", f"Download client {name} {what}: {message}", fix))
    return found


def indexers(config: HealthSettings, now: datetime) -> list[Finding]:
    found = []
    for row in IndexerConfig.objects.filter(enabled=True, last_test_ok=False).order_by("name"):
        refused = _key_refused(row.last_test_message)
        what = "rejects the API key" if refused else "is unreachable"
        fix = (f"Copy the API key from {row.name} into the indexer settings, then Test." if refused
               else f"Start {row.name} or correct its address in the indexer settings, then Test.")
        found.append(Finding(f"indexer:{row.pk}", f"Indexer {row.name} {what}: {row.last_test_message}", fix))
    return found


_PROVIDER_TROUBLE = (ProviderStatus.RATE_LIMITED, ProviderStatus.UNAVAILABLE, ProviderStatus.ERROR)


def providers(config: HealthSettings, now: datetime) -> list[Finding]:
    found = []
    for row in SearchProvider.objects.filter(enabled=True, status__in=_PROVIDER_TROUBLE).order_by("priority"):
        if row.status == ProviderStatus.RATE_LIMITED:
            fix = "Nothing to do if it passes: requests resume after the wait. Lower its rate in Data sources."
        else:
            fix = "Check the provider's API key and address in Data sources; other providers are asked meanwhile."
        found.append(Finding(f"provider:{row.name}", f"Metadata provider {status_text(row, now)}", fix,
                             Level.WARNING))
    return found


def _existing(path: Path) -> Path | None:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return None


def disk_space(config: HealthSettings, now: datetime) -> list[Finding]:
    found = []
    folders = {"library": Path(settings.LIBRARY_DIR), "downloads": Path(settings.DOWNLOADS_DIR)}
    for label, folder in folders.items():
        existing = _existing(folder)
        if existing is None:
            continue
        free_mb = shutil.disk_usage(existing).free // MB
        if free_mb < config.disk_free_min_mb:
            found.append(Finding(
                f"disk:{label}", f"Low disk space for the {label} folder {folder}: {free_mb} MB free "
                f"(less than {config.disk_free_min_mb} MB)",
                "Free space on that disk (empty the recycle bin, remove old downloads) or move the folder "
                "to a larger disk; the threshold is in Health settings."))
    return found


def heartbeats(config: HealthSettings, now: datetime) -> list[Finding]:
    found = []
    stale = timedelta(minutes=config.heartbeat_stale_minutes)
    commands = {"worker": "manage.py worker", "scheduler": "manage.py scheduler"}
    for role, command in commands.items():
        beat = Heartbeat.latest(role)
        if beat is not None and now - beat.seen_at <= stale:
            continue
        minutes = int((now - beat.seen_at).total_seconds() // 60) if beat else 0
        seen = "has never reported" if beat is None else f"has not been seen for {minutes} min"
        found.append(Finding(f"heartbeat:{role}", f"The {role} {seen}",
                             f"Start the {role} ({command}, or its container) and check its log."))
    return found


def job_failures(config: HealthSettings, now: datetime) -> list[Finding]:
    failed = Job.objects.filter(state=JobState.FAILED, finished_at__gte=now - timedelta(hours=1))
    count = failed.count()
    if count < config.job_failures_per_hour:
        return []
    kinds = sorted(set(failed.values_list("kind", flat=True)[:200]))
    return [Finding("jobs:failure_rate", f"{count} jobs failed in the last hour ({', '.join(kinds)})",
                    "Open Activity > Failed to read each job's error; fix its cause, then retry the jobs.",
                    Level.WARNING)]


def stalled_downloads(config: HealthSettings, now: datetime) -> list[Finding]:
    """A download whose progress has not moved for N hours (paused, stalled, or lost by the client)."""
    limit = timedelta(hours=config.download_stalled_hours)
    attempts = list(DownloadAttempt.objects.filter(state__in=MONITORED_STATES)
                    .values_list("pk", "progress", "release_title", "client_state"))
    marks = {m.attempt_id: m for m in ProgressMark.objects.filter(attempt_id__in=[a[0] for a in attempts])}
    found = []
    for pk, progress, title, client_state in attempts:
        mark = marks.get(pk)
        if mark is None or mark.progress != progress:
            ProgressMark.objects.update_or_create(attempt_id=pk, defaults={"progress": progress, "since": now})
            continue
        if now - mark.since >= limit:
            hours = int((now - mark.since).total_seconds() // 3600)
            paused = " (paused in the download client)" if client_state == ClientHealth.PAUSED else ""
            found.append(Finding(f"download_stalled:{pk}", f"Download {title!r} has stayed at {progress:.0f}% "
                                 f"for {hours} h{paused}",
                                 "Look at it in the download client (paused, no seeds, missing articles); "
                                 "cancel or blacklist it on the Downloads page to try another release.",
                                 Level.WARNING))
    ProgressMark.objects.exclude(attempt_id__in=[a[0] for a in attempts]).delete()
    return found


def long_imports(config: HealthSettings, now: datetime) -> list[Finding]:
    limit = now - timedelta(minutes=config.import_running_minutes)
    runs = ImportRun.objects.filter(post_process_status=PostProcessStatus.PROCESSING, started_at__lt=limit)
    return [Finding(f"import_running:{run.pk}", f"Import #{run.pk} ({run.storage_path}) has been running for "
                    f"{int((now - run.started_at).total_seconds() // 60)} min",
                    "Open the import to see its current step; cancel its job on the Activity page and re-run it "
                    "if it does not move.", Level.WARNING) for run in runs.order_by("started_at")[:50]]


def _time_limit(kind: str) -> timedelta:
    job_kind = job_kinds().get(kind)
    ms = job_kind.actor.options.get("time_limit") if job_kind else None
    return timedelta(milliseconds=ms or 3_600_000)


def vanished_jobs(config: HealthSettings, now: datetime) -> list[Finding]:
    """Running jobs that no worker can still be running: past their time limit since their last
    sign of life, or while no worker has been seen for the heartbeat threshold."""
    beat = Heartbeat.latest("worker")
    no_worker = beat is None or now - beat.seen_at > timedelta(minutes=config.heartbeat_stale_minutes)
    found = []
    for job in Job.objects.filter(state=JobState.RUNNING).order_by("updated_at")[:200]:
        overdue = now - job.updated_at > _time_limit(job.kind) + JOB_VANISHED_GRACE
        if not (overdue or (no_worker and now - job.updated_at > JOB_VANISHED_GRACE)):
            continue
        found.append(Finding(f"job_vanished:{job.pk}", f"Job #{job.pk} ({job.kind}) is marked running but its "
                             f"worker is gone (no sign of life since {job.updated_at:%Y-%m-%d %H:%M} UTC)",
                             "Start a worker if none runs; cancel the job on the Activity page and retry it.",
                             Level.WARNING))
    return found


def search_index(config: HealthSettings, now: datetime) -> list[Finding]:
    """PostgreSQL library search without the RUM index still works, slower for common words."""
    if connection.vendor != "postgresql" or pg_rum.in_use():
        return []
    return [Finding(
        "search_index:rum", "Library search on PostgreSQL runs without the RUM index: every match of a common "
        "word is ranked, so such searches take 100-300 ms instead of 10-30 ms in a library of 100,000 books",
        "Install the PostgreSQL RUM extension on the database server (Debian/Ubuntu: apt-get install "
        "postgresql-15-rum, for your PostgreSQL version), then rebuild the search index once (manage.py "
        "rebuild_search_index, which creates the index); the database user must be allowed to create extensions.",
        Level.WARNING)]


CHECKS: tuple[Check, ...] = (
    Check("download_clients", "Download clients", download_clients),
    Check("indexers", "Indexers", indexers),
    Check("providers", "Metadata providers", providers),
    Check("disk_space", "Disk space", disk_space),
    Check("heartbeats", "Worker and scheduler", heartbeats),
    Check("job_failures", "Job failures", job_failures),
    Check("stalled_downloads", "Stuck downloads", stalled_downloads),
    Check("long_imports", "Long-running imports", long_imports),
    Check("vanished_jobs", "Jobs whose worker vanished", vanished_jobs),
    Check("search_index", "Library search index", search_index),
)
