"""A download client that is down, refuses our key or is paused: grabs wait instead of failing,
and every page says what the client's state is (issue 18, defects 2 and 3). The client being
down is the real thing: the fake SABnzbd is stopped, so its port on 127.0.0.1 refuses
connections, then started again on the same port."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from downloaders import automation, services
from downloaders.models import AttemptState, DownloadAttempt
from indexers.models import AcquisitionSettings, BlacklistEntry
from media.dashboard import problems
from media.models import MediaItem, MediaStatus
from tests.acquisition.conftest import make_item
from tests.acquisition.fakes import FakeSabnzbd

pytestmark = pytest.mark.django_db
FAILED_STATES = (AttemptState.FAILED, AttemptState.BLACKLISTED)


def _search(client, item) -> list[dict]:
    response = client.post(
        f"/api/downloads/search/{item.pk}/", {"mode": "interactive"}, content_type="application/json"
    )
    return response.json()["data"]["results"]


def _grab(client, item, result_id):
    return client.post(
        "/api/downloads/initiate/", {"media_id": item.pk, "result_id": result_id}, content_type="application/json"
    )


def _restart(sab: FakeSabnzbd) -> FakeSabnzbd:
    """The same SABnzbd back on the same port (jobs it had are gone, as after a crash)."""
    return FakeSabnzbd(complete_dir=sab.complete_dir, port=sab.httpd.server_address[1]).start()


def _make_due(attempt_id: int) -> None:
    DownloadAttempt.objects.filter(pk=attempt_id).update(next_send_at=timezone.now() - timedelta(seconds=1))


def _problem_texts() -> list[str]:
    return [p.message for p in problems()]


def test_manual_grab_while_sabnzbd_is_down_waits_and_is_sent_when_it_is_back(admin_client, acquisition):
    _, sab = acquisition
    item = make_item()
    result = _search(admin_client, item)[0]
    sab.stop()  # connection refused on 127.0.0.1, as with SABnzbd not running
    response = _grab(admin_client, item, result["id"])
    assert response.status_code == 202, response.content
    data = response.json()["data"]
    assert (data["state"], data["client_state"], data["send_failures"]) == ("pending", "unreachable", 1)
    assert "will be sent when it is back" in data["error"]
    assert "is not answering at" in data["error"] and "connection refused" in data["error"]
    assert data["next_send_at"] and not BlacklistEntry.objects.exists()
    assert "grabs waiting for the download client to be back" in _problem_texts()

    _make_due(data["id"])
    automation.monitor_downloads()  # still down: waits again, longer
    row = DownloadAttempt.objects.get(pk=data["id"])
    assert (row.state, row.send_failures) == (AttemptState.PENDING, 2)
    assert row.next_send_at - timezone.now() > timedelta(seconds=100)  # 2 minutes: backed off

    back = _restart(sab)
    try:
        _make_due(row.pk)
        assert automation.monitor_downloads()["resent"] == 1  # sent, then asked about in the same pass
        row.refresh_from_db()
        assert row.state == AttemptState.DOWNLOADING and row.client_job_id in back.jobs
        assert (row.client_state, row.error, row.next_send_at) == ("ok", "", None)
        for _ in range(3):
            automation.monitor_downloads()
        assert DownloadAttempt.objects.get(pk=row.pk).state == AttemptState.DOWNLOADED
    finally:
        back.stop()


def test_automatic_grab_during_an_outage_burns_neither_the_release_nor_an_attempt(acquisition, broker):
    _, sab = acquisition
    settings = AcquisitionSettings.current()
    settings.max_attempts = 1
    settings.save()
    item = make_item()
    sab.stop()
    summary = automation.search_and_grab(item.pk)
    attempt = DownloadAttempt.objects.get(pk=summary["attempt_id"])
    assert attempt.state == AttemptState.PENDING and attempt.guid == "guid-epub-retail"
    assert not DownloadAttempt.objects.filter(state__in=FAILED_STATES).exists()
    assert MediaItem.objects.get(pk=item.pk).status == MediaStatus.DOWNLOADING
    back = _restart(sab)
    try:
        _make_due(attempt.pk)  # a minute later: the periodic monitor sends it
        automation.monitor_downloads()
        attempt.refresh_from_db()
        assert attempt.state == AttemptState.DOWNLOADING and attempt.guid == "guid-epub-retail"
        assert list(back.jobs) == [attempt.client_job_id]
    finally:
        back.stop()


def test_waiting_grabs_go_out_as_soon_as_the_client_answers_about_another_download(admin_client, acquisition):
    _, sab = acquisition
    first, second = make_item(), make_item("The Martian", author="")
    _grab(admin_client, first, _search(admin_client, first)[0]["id"])
    results = _search(admin_client, second)
    sab.stop()
    waiting = _grab(admin_client, second, results[0]["id"]).json()["data"]
    back = _restart(sab)
    back.api_key = sab.api_key
    try:
        back.jobs = sab.jobs  # the first job survived the restart
        automation.monitor_downloads()  # not due yet, but the client answered: send it now
        row = DownloadAttempt.objects.get(pk=waiting["id"])
        assert row.state == AttemptState.SENT and row.client_job_id in back.jobs
    finally:
        back.stop()


def test_a_grab_the_client_refuses_fails_and_says_it_was_refused(admin_client, acquisition):
    _, sab = acquisition
    item = make_item()
    result = _search(admin_client, item)[0]
    sab.api_key = "regenerated-in-sabnzbd"  # our key is now wrong: SABnzbd answers 403
    response = _grab(admin_client, item, result["id"])
    body = response.json()
    assert response.status_code == 502 and body["error_code"] == "download_client_auth"  # not 401
    assert "API key" in body["error"]
    attempt = DownloadAttempt.objects.get(item=item)
    assert attempt.state == AttemptState.FAILED and "refused the grab" in attempt.error
    assert attempt.client_state == "auth_failed"


def test_monitor_with_a_wrong_key_shows_a_key_error_everywhere(admin_client, acquisition):
    _, sab = acquisition
    item = make_item()
    attempt = _grab(admin_client, item, _search(admin_client, item)[0]["id"]).json()["data"]
    sab.api_key = "regenerated-in-sabnzbd"
    summary = automation.monitor_downloads()
    assert summary["client_errors"] == 1
    row = DownloadAttempt.objects.get(pk=attempt["id"])
    assert row.state == AttemptState.SENT  # nothing moved on
    assert (row.client_state, row.client_status) == ("auth_failed", "Wrong API key or password")
    assert "API key" in row.error and "unreachable" not in row.error.lower()
    queued = admin_client.get("/api/downloads/queue/").json()["data"][0]
    assert queued["client_state"] == "auth_failed" and "API Key Incorrect" in queued["error"]
    client = admin_client.get("/api/downloads/clients/").json()["data"][0]
    assert client["last_test_ok"] is False and "API Key Incorrect" in client["last_test_message"]
    texts = _problem_texts()
    assert any("Download client SABnzbd" in t and "API Key Incorrect" in t for t in texts)
    assert "downloads the download client cannot be asked about: wrong API key" in texts
    assert "API Key Incorrect" in admin_client.get("/downloads/").content.decode()
    refreshed = admin_client.get(f"/api/downloads/attempt/{row.pk}/status/?refresh=true")
    assert refreshed.status_code == 502 and refreshed.json()["error_code"] == "download_client_auth"

    sab.api_key = "sab-key"  # fixed: the next pass clears it all
    automation.monitor_downloads()
    row.refresh_from_db()
    assert (row.state, row.client_state, row.error) == (AttemptState.DOWNLOADING, "ok", "")
    assert admin_client.get("/api/downloads/clients/").json()["data"][0]["last_test_ok"] is True
    assert not [t for t in _problem_texts() if "download client" in t.lower()]


def test_monitor_with_the_client_down_says_unreachable(admin_client, acquisition):
    _, sab = acquisition
    item = make_item()
    attempt = _grab(admin_client, item, _search(admin_client, item)[0]["id"]).json()["data"]
    sab.stop()
    automation.monitor_downloads()
    row = DownloadAttempt.objects.get(pk=attempt["id"])
    assert (row.state, row.client_state, row.client_status) == (AttemptState.SENT, "unreachable", "Client unreachable")
    assert "SABnzbd is not answering at" in row.error and "connection refused" in row.error
    assert "downloads the download client cannot be asked about: it is unreachable" in _problem_texts()


def test_a_paused_sabnzbd_says_paused(admin_client, acquisition):
    _, sab = acquisition
    item = make_item()
    attempt = _grab(admin_client, item, _search(admin_client, item)[0]["id"]).json()["data"]
    sab.paused = True
    assert automation.monitor_downloads()["paused"] == 1
    row = DownloadAttempt.objects.get(pk=attempt["id"])
    assert (row.client_state, row.client_status, row.progress) == ("paused", "Paused", 0)
    assert "downloads paused in the download client" in _problem_texts()
    sab.paused = False
    automation.monitor_downloads()
    row.refresh_from_db()
    assert (row.client_state, row.client_status) == ("ok", "Downloading")


def test_client_state_for_names_key_errors_and_outages():
    from core.errors import BadResponse, DownloadClientAuthFailed, ServiceUnavailable

    assert services.client_state_for(DownloadClientAuthFailed("x"))[0] == "auth_failed"
    assert services.client_state_for(ServiceUnavailable("x"))[0] == "unreachable"
    assert services.client_state_for(BadResponse("x"))[0] == "error"
