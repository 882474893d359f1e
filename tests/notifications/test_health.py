"""Each health check raised and cleared, with one event on each transition only; the Health page
and GET /api/health show the same problems."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import Heartbeat, Job, JobState
from downloaders import services as download_services
from downloaders.models import AttemptState, DownloadAttempt, DownloadClientConfig
from indexers.models import IndexerConfig
from notifications.health import service as health
from notifications.models import Event, HealthIssue, HealthSettings
from processing.models import ImportRun, PostProcessStatus
from search.models import ProviderStatus, SearchProvider
from tests.acquisition.conftest import make_item

pytestmark = pytest.mark.django_db


def _open(check: str) -> list[HealthIssue]:
    return list(HealthIssue.objects.filter(check_name=check, cleared_at__isnull=True))


def _events(kind: str, key: str) -> int:
    return sum(1 for data in Event.objects.filter(kind=kind).values_list("data", flat=True) if data["key"] == key)


def _raised_then_cleared(check: str, key: str, fix_it, now=None, later=None) -> HealthIssue:
    health.evaluate(now)
    health.evaluate(now)  # still there: no second event
    [issue] = [i for i in _open(check) if i.key == key]
    assert _events("health_raised", key) == 1 and issue.fix
    fix_it()
    health.evaluate(later)
    assert not [i for i in _open(check) if i.key == key]
    assert _events("health_cleared", key) == 1
    return issue


def _beat_all() -> None:
    Heartbeat.beat("worker:test:1", "worker")
    Heartbeat.beat("scheduler:test:1", "scheduler")


def test_download_client_that_rejects_the_key_is_raised_then_cleared():
    config = DownloadClientConfig.objects.create(kind="sabnzbd", name="SABnzbd", url="http://127.0.0.1:9", api_key="k")
    download_services.record_client_check(config.pk, ok=False, message="SABnzbd: API Key Incorrect (HTTP 403)")
    issue = _raised_then_cleared("download_clients", "download_client:SABnzbd",
                                 lambda: download_services.record_client_check(config.pk, ok=True, message="back"))
    assert "rejects the API key" in issue.message and "API key" in issue.fix


@pytest.mark.parametrize(
    ("message", "refused"),
    [
        ("SABnzbd is not answering at http://127.0.0.1:40399: connection refused", False),  # a port, not HTTP 403
        ("Prowlarr unreachable: http://10.0.401.2 timed out", False),
        ("qBittorrent answered HTTP 403", True),
        ("401 Unauthorized", True),
        ("Deluge: wrong password", True),
    ],
)
def test_a_refused_key_is_told_from_an_unreachable_client(message, refused):
    """A random test port holding "403" made "connection refused" read as a rejected API key."""
    config = DownloadClientConfig.objects.create(kind="sabnzbd", name="SABnzbd", url="http://127.0.0.1:9", api_key="k")
    download_services.record_client_check(config.pk, ok=False, message=message)
    health.evaluate()
    [issue] = _open("download_clients")
    assert ("rejects the API key" in issue.message) is refused
    assert ("is unreachable" in issue.message) is not refused


def test_unreachable_indexer_is_raised_then_cleared():
    row = IndexerConfig.objects.create(name="Prowlarr", url="http://127.0.0.1:9", api_key="k", last_test_ok=False,
                                       last_test_message="Prowlarr unreachable: Connection refused")
    issue = _raised_then_cleared("indexers", f"indexer:{row.pk}",
                                 lambda: IndexerConfig.objects.filter(pk=row.pk).update(last_test_ok=True))
    assert "is unreachable" in issue.message


def test_rate_limited_provider_is_raised_then_cleared():
    row, _ = SearchProvider.objects.update_or_create(name="googlebooks", defaults={
        "label": "Google Books", "base_url": "https://www.googleapis.com", "enabled": True,
        "status": ProviderStatus.RATE_LIMITED, "retry_at": timezone.now() + timedelta(minutes=5)})
    issue = _raised_then_cleared("providers", "provider:googlebooks",
                                 lambda: SearchProvider.objects.filter(pk=row.pk).update(status=ProviderStatus.OK))
    assert "rate limited" in issue.message and issue.level == "warning"


def test_low_disk_space_is_raised_then_cleared(settings, tmp_path):
    settings.LIBRARY_DIR = tmp_path / "library"  # not made yet: its nearest existing parent's disk counts
    HealthSettings.objects.update_or_create(pk=1, defaults={"disk_free_min_mb": 2**31 - 1})  # 2 PB: more than any disk
    issue = _raised_then_cleared("disk_space", "disk:library",
                                 lambda: HealthSettings.objects.filter(pk=1).update(disk_free_min_mb=1))
    assert "MB free" in issue.message


def test_worker_not_seen_is_raised_then_cleared():
    Heartbeat.objects.create(name="worker:old:1", role="worker", seen_at=timezone.now() - timedelta(minutes=30))
    Heartbeat.beat("scheduler:test:1", "scheduler")
    issue = _raised_then_cleared("heartbeats", "heartbeat:worker", _beat_all)
    assert "not been seen for 30 min" in issue.message
    assert not _open("heartbeats")


def test_job_failures_above_the_rate_are_raised_then_cleared():
    HealthSettings.objects.update_or_create(pk=1, defaults={"job_failures_per_hour": 3})
    now = timezone.now()
    for _ in range(3):
        Job.objects.create(kind="downloaders.search_item", state=JobState.FAILED,
                           finished_at=now - timedelta(minutes=5))
    issue = _raised_then_cleared("job_failures", "jobs:failure_rate", lambda: None, now=now,
                                 later=now + timedelta(hours=1))
    assert "3 jobs failed" in issue.message and "downloaders.search_item" in issue.message


def test_download_without_progress_for_hours_is_raised_then_cleared():
    item = make_item()
    attempt = DownloadAttempt.objects.create(item=item, state=AttemptState.DOWNLOADING, release_title="Dune.EPUB",
                                             guid="g", progress=42.0)
    start = timezone.now()
    health.evaluate(start)  # first sight: the progress is noted
    assert not _open("stalled_downloads")
    stuck_at = start + timedelta(hours=7)
    issue = _raised_then_cleared("stalled_downloads", f"download_stalled:{attempt.pk}",
                                 lambda: DownloadAttempt.objects.filter(pk=attempt.pk).update(progress=60.0),
                                 now=stuck_at, later=stuck_at + timedelta(minutes=1))
    assert "stayed at 42%" in issue.message


def test_import_running_too_long_is_raised_then_cleared():
    run = ImportRun.objects.create(storage_path="/downloads/Dune", post_process_status=PostProcessStatus.PROCESSING,
                                   started_at=timezone.now() - timedelta(hours=2))
    issue = _raised_then_cleared("long_imports", f"import_running:{run.pk}", lambda: ImportRun.objects.filter(
        pk=run.pk).update(post_process_status=PostProcessStatus.COMPLETED))
    assert "running for 12" in issue.message  # 120 min


def test_job_whose_worker_vanished_is_raised_then_cleared():
    _beat_all()
    job = Job.objects.create(kind="core.selftest", state=JobState.RUNNING, started_at=timezone.now())
    Job.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(hours=2))  # past its 10 min limit
    recent = Job.objects.create(kind="core.selftest", state=JobState.RUNNING, started_at=timezone.now())
    issue = _raised_then_cleared("vanished_jobs", f"job_vanished:{job.pk}",
                                 lambda: Job.objects.filter(pk=job.pk).update(state=JobState.CANCELLED))
    assert f"#{recent.pk}" not in " ".join(i.message for i in HealthIssue.objects.all())
    assert "worker is gone" in issue.message


def test_health_page_and_api_show_each_check_with_its_state_and_fix(admin_client, client):
    IndexerConfig.objects.create(name="Prowlarr", url="http://127.0.0.1:9", api_key="k", last_test_ok=False,
                                 last_test_message="HTTP 401: Unauthorized")
    assert admin_client.post("/system/health/check").status_code == 302
    page = admin_client.get("/system/health/").content.decode()
    assert "Indexer Prowlarr rejects the API key" in page and "Fix: Copy the API key" in page
    assert "Disk space" in page and "OK" in page
    body = admin_client.get("/api/health").json()["data"]
    problem = next(p for p in body["problems"] if p["check"] == "indexers")
    assert problem["fix"].startswith("Copy the API key") and problem["since"]
    checks = admin_client.get("/api/notifications/health").json()["data"]
    assert {c["name"]: c["ok"] for c in checks}["indexers"] is False
    client.logout()
    assert "problems" not in (client.get("/api/health").json()["data"] or {}) or \
        client.get("/api/health").json()["data"].get("problems") is None
