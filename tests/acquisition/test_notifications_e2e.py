"""Issue 21's "done when": a failed download, an import and a stopped download client each reach
a local webhook receiver and an Apprise target within seconds. The real services run: the fake
Prowlarr and SABnzbd on 127.0.0.1, the scheduler's ticks, a Dramatiq worker, the real importer."""

from __future__ import annotations

import time

import pytest

from core.events import EventType
from downloaders.models import AttemptState, DownloadAttempt
from notifications.models import Connection, ConnectionKind, Event, HealthIssue
from omnireadarr.schedules import SCHEDULES
from tests.acquisition.conftest import make_item
from tests.acquisition.test_pipeline_e2e import _wait
from tests.acquisition.test_wanted_to_library_e2e import _import_automatically, library  # noqa: F401
from tests.notifications.receiver import Receiver

pytestmark = pytest.mark.django_db(transaction=True)
WITH_HEALTH = tuple(s for s in SCHEDULES if s.name in ("search_wanted", "monitor_downloads", "check_health"))


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def hooks(receiver, db):
    """A webhook and an Apprise json:// target, both on the local receiver."""
    port = receiver.httpd.server_address[1]
    webhook = Connection.objects.create(name="hook", kind=ConnectionKind.WEBHOOK, url=receiver.url,
                                        events=list(EventType.values))
    Connection.objects.create(name="apprise", kind=ConnectionKind.APPRISE, url=f"json://127.0.0.1:{port}/apprise",
                              events=list(EventType.values))
    return webhook


def _arrives(receiver: Receiver, event: str, title_part: str, *, since: float, secret: str) -> float:
    hook = receiver.wait_for(lambda r: r.path == "/hook" and r.json["event"] == event
                             and title_part in r.json["title"])
    assert hook.signed_with(secret)
    receiver.wait_for(lambda r: r.path == "/apprise" and title_part in r.json["title"])
    return time.monotonic() - since


def _tick(minute: int) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from core.scheduler import run_due_schedules
    from tests.acquisition.test_pipeline_e2e import _idle

    run_due_schedules(now=timezone.now() + timedelta(minutes=minute), schedules=WITH_HEALTH)
    _wait(_idle, message="jobs to finish")


def test_failed_download_reaches_the_webhook_and_apprise(acquisition, hooks, receiver, worker, monkeypatch):
    from core.jobs.actors import _KINDS

    _, sab = acquisition
    sab.fail_words = ("RETAIL",)
    monkeypatch.delitem(_KINDS, "processing.import_download", raising=False)
    make_item()
    started = time.monotonic()
    for minute in range(6):
        _tick(minute)
        if DownloadAttempt.objects.filter(state__in=(AttemptState.FAILED, AttemptState.BLACKLISTED)).exists():
            break
    took = _arrives(receiver, "download_failed", "Hail.Mary.2021.RETAIL", since=started, secret=hooks.secret)
    failed = next(r.json for r in receiver.received if r.path == "/hook" and r.json["event"] == "download_failed")
    assert "Aborted" in failed["data"]["reason"] and failed["data"]["release"].endswith("BitBook")
    assert "release_grabbed" in set(Event.objects.values_list("kind", flat=True))
    assert took < 30


def test_import_reaches_the_webhook_with_its_files(acquisition, library, hooks, receiver, worker):  # noqa: F811
    item = make_item()
    started = time.monotonic()
    run = _import_automatically(item)
    _arrives(receiver, "imported", "Project Hail Mary", since=started, secret=hooks.secret)
    imported = next(r.json for r in receiver.received if r.path == "/hook" and r.json["event"] == "imported")
    assert imported["data"]["run_id"] == run.pk
    assert imported["data"]["files"] and all(str(library) in f for f in imported["data"]["files"])


def test_stopped_download_client_reaches_the_webhook_and_apprise_and_clears(acquisition, hooks, receiver, worker):
    _, sab = acquisition
    item = make_item()
    _tick(0)  # search and grab: the download is in SABnzbd
    _wait(lambda: DownloadAttempt.objects.filter(item=item, state=AttemptState.SENT).exists(), message="grab")
    sab.stop()
    stopped = time.monotonic()
    _tick(1)  # the monitor finds SABnzbd down (the health check of this tick may run before it)...
    _tick(2)  # ...and the next one raises it at the latest
    took = _arrives(receiver, "health_raised", "SABnzbd", since=stopped, secret=hooks.secret)
    assert took < 30
    issue = HealthIssue.objects.get(key="download_client:SABnzbd", cleared_at__isnull=True)
    assert "is unreachable" in issue.message
    restarted = type(sab)(complete_dir=sab.complete_dir, port=sab.httpd.server_address[1]).start()
    try:
        _tick(3)
        _tick(4)
        _arrives(receiver, "health_cleared", "SABnzbd", since=stopped, secret=hooks.secret)
    finally:
        restarted.stop()
