"""Wanted -> automatic search -> grab -> monitor -> hand-off, with no manual step: the real
scheduler enqueues the periodic jobs, a real Dramatiq worker runs them on the stub broker,
the fake SABnzbd downloads a real file."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import dramatiq
import pytest
from django.utils import timezone

from core.jobs.actors import _KINDS, JobKind, execute_job
from core.models import Job, JobState
from core.scheduler import run_due_schedules
from downloaders import automation, status
from downloaders.models import AttemptState, DownloadAttempt
from indexers.models import BlacklistEntry
from media.models import MediaItem, MediaStatus
from omnireadarr.schedules import SCHEDULES
from tests.acquisition.conftest import make_item

pytestmark = pytest.mark.django_db(transaction=True)
# Only the acquisition rows of the schedule table: enrichment or rename recovery are other tests' business.
ACQUISITION_SCHEDULES = tuple(s for s in SCHEDULES if s.name in ("search_wanted", "monitor_downloads"))
IMPORTED: list[str] = []


def _fake_import(ctx) -> dict:
    attempt = DownloadAttempt.objects.get(pk=ctx.params["attempt_id"])
    assert Path(attempt.storage_path).is_file()
    IMPORTED.append(attempt.storage_path)
    status.mark_imported(attempt.pk, success=True)
    return {"imported": attempt.storage_path}


@pytest.fixture
def importer(broker, monkeypatch):
    """A stand-in for post-processing's `processing.import_download` job kind."""
    IMPORTED.clear()
    try:  # declared once per broker, used by several tests
        actor = broker.get_actor("tests.fake_import")
    except dramatiq.errors.ActorNotFound:
        actor = dramatiq.actor(
            lambda job_id: execute_job(job_id, _fake_import, max_retries=0),
            actor_name="tests.fake_import",
            queue_name="default",
            max_retries=0,
        )
    monkeypatch.setitem(
        _KINDS, "processing.import_download", JobKind("processing.import_download", actor, "Import", False)
    )
    return actor


def _wait(predicate, timeout: float = 20.0, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(
        f"timed out waiting for {message}; jobs: "
        f"{list(Job.objects.values_list('kind', 'state', 'last_error'))}"
    )


def _idle() -> bool:
    return not Job.objects.filter(state__in=(JobState.QUEUED, JobState.RUNNING)).exists()


def _tick_scheduler(minutes: int) -> list[str]:
    """What the scheduler process does once a minute; waits for the jobs it started."""
    started = run_due_schedules(now=timezone.now() + timedelta(minutes=minutes), schedules=ACQUISITION_SCHEDULES)
    _wait(_idle, message="jobs to finish")
    return started


def _run_until(predicate, start_minute: int = 1, ticks: int = 12) -> int:
    for minute in range(start_minute, start_minute + ticks):
        _tick_scheduler(minute)
        if predicate():
            return minute
    raise AssertionError(
        f"not reached after {ticks} scheduler ticks: "
        f"{list(DownloadAttempt.objects.values_list('release_title', 'state', 'error'))}"
    )


def test_wanted_item_is_found_downloaded_and_handed_off(acquisition, worker, importer):
    item = make_item()
    started = _tick_scheduler(0)
    assert {"search_wanted", "monitor_downloads"} <= set(started)
    attempt = _wait(lambda: DownloadAttempt.objects.filter(item=item).first(), message="automatic grab")
    assert attempt.automatic and attempt.guid == "guid-epub-retail"
    _run_until(lambda: DownloadAttempt.objects.get(pk=attempt.pk).state == AttemptState.IMPORTED)
    attempt.refresh_from_db()
    assert [attempt.storage_path] == IMPORTED and Path(attempt.storage_path).is_file()
    assert attempt.handoff_job_id and Job.objects.get(pk=attempt.handoff_job_id).state == JobState.SUCCEEDED
    assert MediaItem.objects.get(pk=item.pk).status == MediaStatus.POST_PROCESSED_SUCCESS


def test_failed_download_is_blacklisted_and_the_next_release_downloads(
    acquisition, worker, monkeypatch, broker
):
    _, sab = acquisition
    sab.fail_words = ("RETAIL",)
    monkeypatch.delitem(_KINDS, "processing.import_download", raising=False)  # no importer installed
    item = make_item()
    _tick_scheduler(0)
    _wait(lambda: DownloadAttempt.objects.filter(item=item).exists(), message="automatic grab")
    _run_until(lambda: DownloadAttempt.objects.filter(item=item, state=AttemptState.DOWNLOADED).exists())
    attempts = {a.guid: a for a in DownloadAttempt.objects.filter(item=item)}
    assert attempts["guid-epub-retail"].state == AttemptState.BLACKLISTED
    assert BlacklistEntry.objects.get(guid="guid-epub-retail").reason == "download_failed"
    downloaded = attempts["guid-mobi"]
    assert (
        downloaded.automatic and Path(downloaded.storage_path).is_file() and downloaded.handoff_job_id is None
    )
    assert Job.objects.filter(kind="downloaders.retry_item", state=JobState.SUCCEEDED).exists()
    assert MediaItem.objects.get(pk=item.pk).status == MediaStatus.DOWNLOADED


def test_indexer_down_leaves_the_item_wanted_and_the_job_retrying(acquisition, worker):
    prowlarr, _ = acquisition
    prowlarr.stop()
    item = make_item()
    run_due_schedules(now=timezone.now())
    job = _wait(
        lambda: Job.objects.filter(kind="downloaders.search_item", last_error__contains="indexer").first(),
        message="the search job to fail",
    )
    assert job.state in (JobState.QUEUED, JobState.RUNNING)  # transient: Dramatiq retries it with backoff
    assert MediaItem.objects.get(pk=item.pk).status == MediaStatus.WANTED
    assert not DownloadAttempt.objects.exists()


def test_a_completion_notification_starts_the_import_within_seconds(acquisition, worker, importer, admin_user):
    """SABnzbd's notification script calls /api/downloads/notify/ when a job finishes: the import
    starts at once, with no scheduler tick (the 60-second poll stays the safety net)."""
    from django.test import Client

    from core.models import ApiKey

    _, sab = acquisition
    item = make_item()
    assert automation.search_and_grab(item.pk)["grabbed"]
    attempt = DownloadAttempt.objects.get(item=item)
    sab.finish(attempt.client_job_id)  # downloaded and post-processed in SABnzbd
    started = time.monotonic()
    response = Client().post(
        "/api/downloads/notify/",
        {"name": attempt.release_title, "event": "complete", "category": "books"},
        content_type="application/json",
        HTTP_X_API_KEY=ApiKey.issue(admin_user),
    )
    assert response.status_code == 202, response.content
    assert response.json()["data"]["attempt_ids"] == [attempt.pk]
    _wait(lambda: DownloadAttempt.objects.get(pk=attempt.pk).state == AttemptState.IMPORTED, timeout=10)
    assert time.monotonic() - started < 10
    assert [DownloadAttempt.objects.get(pk=attempt.pk).storage_path] == IMPORTED
    assert not Job.objects.filter(kind="downloaders.monitor_downloads").exists()  # no poll was needed


def test_a_notification_before_sabnzbd_wrote_its_history_is_checked_again(acquisition, worker, importer):
    """SABnzbd runs the script just before it records the job as Completed: the check repeats."""
    _, sab = acquisition
    item = make_item()
    automation.search_and_grab(item.pk)
    attempt = DownloadAttempt.objects.get(item=item)
    sab.jobs[attempt.client_job_id].ticks = sab.download_ticks  # still moving files (empty storage)
    automation.on_client_notification(config_id=None, job_id=attempt.client_job_id)
    _wait(lambda: DownloadAttempt.objects.get(pk=attempt.pk).state == AttemptState.IMPORTED, timeout=15)
    rounds = sorted(Job.objects.filter(kind="downloaders.check_downloads").values_list("params__round", flat=True))
    assert rounds[:2] == [0, 1]
