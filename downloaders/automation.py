"""The automatic pipeline, one small step per job: periodic search of wanted items ->
search + automatic grab -> download monitoring -> hand-off to post-processing; on
failure, blacklist and retry the next best release with exponential backoff."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from core.errors import ConfigurationError, OmniError
from core.jobs import job_kinds, submit_job
from core.models import Job, JobState
from downloaders import seeding, services, status
from downloaders.clients.base import JobState as ClientState
from downloaders.clients.base import JobStatus
from downloaders.models import (
    MONITORED_STATES,
    AttemptState,
    ClientHealth,
    DownloadAttempt,
    DownloadClientConfig,
    DownloadSettings,
)
from indexers import profiles
from indexers.models import AcquisitionSettings, BlacklistReason
from media.models import MediaItem, MediaStatus

logger = logging.getLogger(__name__)
IMPORT_JOB_KIND = "processing.import_download"
Progress = Callable[..., None]


def _noop(*args, **kwargs) -> None:
    return None


# --- periodic search ------------------------------------------------------------------------
# An item whose best file ranks below its format profile's cutoff is searched too, once it
# has settled in the library (not while a download or an import of it is under way).
UPGRADABLE = (MediaStatus.POST_PROCESSED_SUCCESS, MediaStatus.IN_LIBRARY)


def due_wanted_items(now=None, limit: int = 25) -> list[int]:
    now = now or timezone.now()
    upgrades = Q(format_profile__upgrade_wanted=True, status__in=UPGRADABLE)
    items = (
        MediaItem.objects.filter(Q(status=MediaStatus.WANTED) | upgrades)
        .filter(
            Q(search_state__isnull=True)
            | Q(search_state__next_search_at__isnull=True)
            | Q(search_state__next_search_at__lte=now)
        )
        .order_by("search_state__next_search_at", "added_at", "pk")
    )
    return list(items.values_list("pk", flat=True)[:limit])


def search_wanted(progress: Progress = _noop) -> dict:
    """Enqueue one search job per due WANTED item, spaced out to respect indexer limits."""
    settings = AcquisitionSettings.current()
    if not settings.auto_search:
        return {"skipped": "automatic search is off"}
    busy = set(
        Job.objects.filter(
            kind="downloaders.search_item", state__in=(JobState.QUEUED, JobState.RUNNING)
        ).values_list("target", flat=True)
    )
    due = [i for i in due_wanted_items(limit=settings.search_batch_size) if f"item:{i}" not in busy]
    for n, item_id in enumerate(due):
        submit_job(
            "downloaders.search_item",
            target=f"item:{item_id}",
            params={"item_id": item_id, "automatic": True},
            delay_seconds=n * settings.search_spacing_seconds or None,
        )
        progress(n + 1, len(due), f"Queued search {n + 1} of {len(due)}")
    return {"queued": len(due)}


def search_and_grab(item_id: int, *, automatic: bool = True) -> dict:
    """One item: search, then grab the best release above the threshold (automatic mode)."""
    item = MediaItem.objects.filter(pk=item_id).first()
    if item is None:
        return {"skipped": "item is gone"}
    upgrade = item.status in UPGRADABLE and profiles.is_upgrade_wanted(item_id)
    if automatic and item.status != MediaStatus.WANTED and not upgrade:
        return {"skipped": f"item is {item.status}"}
    outcome = services.search_item(item_id)
    summary = {
        "results": len(outcome.results),
        "accepted": len(outcome.accepted),
        "best_score": outcome.best.score if outcome.best else None,
        "errors": outcome.errors,
    }
    if automatic:
        attempt = services.auto_grab(item_id)
        summary["grabbed"] = attempt.release_title if attempt else None
        summary["attempt_id"] = attempt.pk if attempt else None
    return summary


# --- monitoring -------------------------------------------------------------------------------
def monitor_downloads(progress: Progress = _noop, *, config_id: int | None = None) -> dict:
    """Send the grabs that waited for their client, then ask each download client (or only
    `config_id`) once about all its monitored attempts and move them on. A client that cannot be
    asked marks its attempts and its connection status with the reason."""
    summary: dict = defaultdict(int)
    summary["resent"] = services.send_waiting(config_id=config_id)
    attempts = DownloadAttempt.objects.filter(state__in=MONITORED_STATES).exclude(client_job_id="")
    if config_id is not None:
        attempts = attempts.filter(client_config_id=config_id)
    by_client: dict[tuple[str, int | None], list[DownloadAttempt]] = defaultdict(list)
    for attempt in attempts:
        by_client[(attempt.client_kind, attempt.client_config_id)].append(attempt)
    for (kind, client_id), group in by_client.items():
        found = _ask_client(kind, client_id, group, summary)
        for attempt in group if found is not None else ():
            summary[apply_status(attempt, found[attempt.client_job_id])] += 1
    checked = sum(len(group) for group in by_client.values())
    progress(checked, checked, f"Checked {checked} download(s)")
    finished = seeding.finish_seeding()
    return {"checked": checked, **summary, **({"seeding": finished} if finished else {})}


def monitor_was_idle(result: object) -> bool:
    """A monitor run that had nothing to check, send or finish (every count is zero)."""
    return isinstance(result, dict) and not any(result.values())


def _ask_client(
    kind: str, config_id: int | None, group: list[DownloadAttempt], summary: dict
) -> dict[str, JobStatus] | None:
    try:
        client = services.client_by_config(config_id, kind)
        try:
            found = client.statuses([a.client_job_id for a in group])
        finally:
            client.close()
    except OmniError as exc:
        client_state, label = services.client_state_for(exc)
        logger.warning("Monitor: download client %s: %s: %s", config_id, label.lower(), exc)
        status.note_client_problem([a.pk for a in group], client_state=client_state, label=label, message=str(exc))
        services.record_client_check(config_id, ok=False, message=str(exc))
        summary["client_errors"] += 1
        summary["last_error"] = str(exc)
        return None
    services.record_client_check(config_id, ok=True, message="Answered the download monitor")
    summary["resent"] += services.send_waiting(config_id=config_id, due_only=False)  # it is back
    return found


def apply_status(attempt: DownloadAttempt, job: JobStatus) -> str:
    if job.state in (ClientState.QUEUED, ClientState.DOWNLOADING, ClientState.POST_PROCESSING):
        label = "Completed, moving files" if job.state == ClientState.POST_PROCESSING else job.raw_status
        paused = job.raw_status.lower() == "paused"
        status.move(
            attempt,
            AttemptState.DOWNLOADING,
            progress=job.progress,
            time_left=job.time_left[:32],
            client_status=label[:64],
            client_state=ClientHealth.PAUSED if paused else ClientHealth.OK,
            error="",
            missing_since=None,
        )
        return "paused" if paused else "downloading"
    if job.state == ClientState.COMPLETED:
        if status.move(
            attempt,
            AttemptState.DOWNLOADED,
            progress=100.0,
            storage_path=job.storage_path[:4096],
            client_status=job.raw_status[:64],
            client_state=ClientHealth.OK,
            error="",
            completed_at=timezone.now(),
            time_left="",
        ):
            hand_off(attempt.pk, reported=job)
        return "completed"
    if job.state == ClientState.FAILED:
        fail_download(attempt.pk, job.fail_message or "Download failed in the download client")
        return "failed"
    return _missing(attempt)


def _missing(attempt: DownloadAttempt) -> str:
    grace = timedelta(seconds=AcquisitionSettings.current().missing_grace_seconds)
    now = timezone.now()
    if attempt.missing_since is None:
        DownloadAttempt.objects.filter(pk=attempt.pk).update(missing_since=now)
        if grace.total_seconds() > 0:
            return "missing"
        attempt.missing_since = now
    if now - attempt.missing_since < grace:
        return "missing"
    status.move(
        attempt,
        AttemptState.FAILED,
        error="The job was deleted from the download client",
        completed_at=now,
        client_status="Deleted",
    )
    return "deleted"


# --- hand-off -------------------------------------------------------------------------------
def _reported_size(attempt: DownloadAttempt, job: JobStatus | None) -> dict | None:
    if job is None or not job.size_bytes:
        return None
    config = DownloadClientConfig.objects.filter(pk=attempt.client_config_id).values_list("name", flat=True).first()
    return {"bytes": job.size_bytes, "margin": job.size_margin_bytes, "client": config or attempt.client_kind}


def hand_off(attempt_id: int, *, reported: JobStatus | None = None) -> int | None:
    """Give a downloaded attempt to post-processing, if an importer is installed, with the
    size the client reported for the job (`reported`) so the import can check it."""
    attempt = DownloadAttempt.objects.filter(pk=attempt_id, state=AttemptState.DOWNLOADED).first()
    if attempt is None:
        return None
    if IMPORT_JOB_KIND not in job_kinds():
        logger.warning(
            "Attempt %s downloaded to %s; no importer is installed (%s), so it stays DOWNLOADED",
            attempt.pk,
            attempt.storage_path,
            IMPORT_JOB_KIND,
        )
        return None
    params: dict = {"attempt_id": attempt.pk}
    if attempt.protocol == "torrent" or (reported is not None and reported.seeding):
        params["keep_source"] = True  # the client seeds these files: hardlink or copy, never move
    if size := _reported_size(attempt, reported):
        params["reported_size"] = size
    job = submit_job(IMPORT_JOB_KIND, target=f"attempt:{attempt.pk}", params=params)
    DownloadAttempt.objects.filter(pk=attempt.pk).update(handoff_job_id=job.pk)
    logger.info("Attempt %s handed to post-processing as job %s", attempt.pk, job.pk)
    return job.pk


# --- failure and retry ----------------------------------------------------------------------
def fail_download(attempt_id: int, message: str) -> None:
    """The client reported a failed job: blacklist the release and schedule a retry."""
    attempt = DownloadAttempt.objects.filter(pk=attempt_id).first()
    if attempt is None or attempt.state not in MONITORED_STATES:
        return
    if not status.move(
        attempt,
        AttemptState.FAILED,
        error=message[:4000],
        completed_at=timezone.now(),
        client_status="Failed",
    ):
        return
    services.blacklist_attempt(attempt.pk, reason=BlacklistReason.DOWNLOAD_FAILED, details=message)
    submit_job(
        status.CLEAN_UP_JOB_KIND, target=f"attempt:{attempt.pk}", params={"attempt_id": attempt.pk, "outcome": "failed"}
    )
    schedule_retry(attempt.item_id)


def clean_up_client(attempt_id: int, outcome: str) -> dict:
    """Remove a finished job from the client's history (DownloadSettings): after its import
    (usenet only: a torrent may still be seeding) or after the download failed (with its
    incomplete files). Completed files are never deleted."""
    attempt = DownloadAttempt.objects.filter(pk=attempt_id).first()
    if attempt is None or not attempt.client_job_id:
        return {"skipped": "no job in a download client"}
    settings = DownloadSettings.current()
    if outcome == "imported":
        if attempt.state != AttemptState.IMPORTED or attempt.protocol == "torrent":
            return {"skipped": f"attempt is {attempt.state} ({attempt.protocol})"}
        if not settings.remove_completed:
            return {"skipped": "removing completed jobs is switched off"}
    elif attempt.state not in (AttemptState.FAILED, AttemptState.BLACKLISTED):
        return {"skipped": f"attempt is {attempt.state}"}
    elif not settings.remove_failed:
        return {"skipped": "removing failed jobs is switched off"}
    try:
        client = services.client_by_config(attempt.client_config_id, attempt.client_kind)
    except ConfigurationError as exc:  # the client was deleted since
        return {"skipped": str(exc)}
    try:
        client.remove(attempt.client_job_id, delete_files=outcome != "imported")
    finally:
        client.close()
    return {"removed": attempt.client_job_id, "outcome": outcome}


def schedule_retry(item_id: int) -> int | None:
    settings = AcquisitionSettings.current()
    failures = DownloadAttempt.objects.filter(
        item_id=item_id, state__in=(AttemptState.FAILED, AttemptState.BLACKLISTED)
    ).count()
    if failures >= settings.max_attempts:
        logger.warning(
            "Item %s: %s failed attempts; giving up until the next periodic search", item_id, failures
        )
        return None
    delay = settings.retry_backoff_minutes * 60 * (2 ** max(0, failures - 1))
    job = submit_job(
        "downloaders.retry_item",
        target=f"item:{item_id}",
        params={"item_id": item_id},
        delay_seconds=delay or None,
    )
    logger.info("Item %s: retry %s scheduled in %s s", item_id, failures + 1, delay)
    return job.pk


def retry_item(item_id: int) -> dict:
    """Grab the next best stored release; search again when none is left."""
    item = MediaItem.objects.filter(pk=item_id).first()
    if item is None or item.status != MediaStatus.WANTED:
        return {"skipped": "item is gone" if item is None else f"item is {item.status}"}
    attempt = services.auto_grab(item_id)
    if attempt is not None:
        return {"grabbed": attempt.release_title, "attempt_id": attempt.pk}
    return {"searched": search_and_grab(item_id, automatic=True)}


def refresh_attempt(attempt_id: int) -> DownloadAttempt | None:
    """Ask the client about one monitored attempt now (the status endpoint's `refresh`)."""
    attempt = DownloadAttempt.objects.filter(pk=attempt_id).first()
    if attempt is None or attempt.state not in MONITORED_STATES or not attempt.client_job_id:
        return attempt
    client = services.client_by_config(attempt.client_config_id, attempt.client_kind)
    try:
        job = client.status(attempt.client_job_id)
    finally:
        client.close()
    apply_status(attempt, job)
    return DownloadAttempt.objects.select_related("item").get(pk=attempt_id)


# --- notifications from the client -------------------------------------------------------------
# SABnzbd runs its notification script just before it writes the finished job to its history, so
# a notified job may still look unfinished: it is checked again after these many seconds.
FOLLOW_UP_SECONDS = (2, 5, 10, 30)
CHECK_JOB_KIND = "downloaders.check_downloads"


def notified_attempts(*, config_id: int | None, job_id: str = "", name: str = "") -> list[DownloadAttempt]:
    """The monitored attempts a client's "job finished" call is about: by its job id, else by
    the job's name (SABnzbd's notification script only knows the name)."""
    attempts = DownloadAttempt.objects.filter(state__in=MONITORED_STATES)
    if config_id is not None:
        attempts = attempts.filter(client_config_id=config_id)
    if job_id:
        return list(attempts.filter(client_job_id=job_id))
    if name:
        return list(attempts.filter(release_title__iexact=name.strip()[:1000]))
    return []


def on_client_notification(*, config_id: int | None, job_id: str = "", name: str = "", user=None) -> dict:
    """A client said a job finished: check that client now (a job), not at the next poll."""
    attempts = notified_attempts(config_id=config_id, job_id=job_id, name=name)
    if config_id is None and attempts:
        config_id = attempts[0].client_config_id
    ids = [a.pk for a in attempts]
    job = submit_job(
        CHECK_JOB_KIND,
        target=f"client:{config_id or 'all'}",
        params={"config_id": config_id, "attempt_ids": ids, "round": 0},
        user=user,
    )
    logger.info("Client %s notified job %r (%s): check job %s", config_id, job_id or name, ids, job.pk)
    return {"job_id": job.pk, "kind": job.kind, "attempt_ids": ids}


def check_downloads(config_id: int | None, attempt_ids: list[int], round_: int = 0) -> dict:
    """One monitor pass for one client; again a little later while a notified job is unfinished."""
    summary = monitor_downloads(config_id=config_id)
    unfinished = DownloadAttempt.objects.filter(pk__in=attempt_ids, state__in=MONITORED_STATES).exists()
    if unfinished and round_ < len(FOLLOW_UP_SECONDS):
        submit_job(
            CHECK_JOB_KIND,
            target=f"client:{config_id or 'all'}",
            params={"config_id": config_id, "attempt_ids": attempt_ids, "round": round_ + 1},
            delay_seconds=FOLLOW_UP_SECONDS[round_],
        )
        summary["follow_up_in"] = FOLLOW_UP_SECONDS[round_]
    return summary
