"""Download lifecycle through the documented endpoints, with the fake Prowlarr and SABnzbd;
monitoring is run by hand here (the worker runs it in the end-to-end test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.models import Job
from downloaders import automation
from downloaders.models import AttemptState, DownloadAttempt
from indexers.models import AcquisitionSettings, BlacklistEntry, SearchResult
from media.models import MediaItem, MediaStatus
from tests.acquisition.conftest import make_item

pytestmark = pytest.mark.django_db


def _search(client, item) -> dict:
    response = client.post(
        f"/api/downloads/search/{item.pk}/", {"mode": "interactive"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()["data"]


def _grab(client, item, result_id):
    return client.post(
        "/api/downloads/initiate/",
        {"media_id": item.pk, "result_id": result_id},
        content_type="application/json",
    )


def _status(item) -> str:
    return MediaItem.objects.get(pk=item.pk).status


def test_grab_monitor_complete_with_empty_storage_first(admin_client, acquisition, caplog):
    _, sab = acquisition
    item = make_item()
    data = _search(admin_client, item)
    assert data["results"][0]["breakdown"] and data["accepted"] == 2
    response = _grab(admin_client, item, data["results"][0]["id"])
    assert response.status_code == 201
    attempt = response.json()["data"]
    assert attempt["state"] == "sent" and attempt["client_job_id"].startswith("SABnzbd_nzo_")
    assert _status(item) == MediaStatus.DOWNLOADING
    assert sab.jobs[attempt["client_job_id"]].category == "books"

    automation.monitor_downloads()
    row = DownloadAttempt.objects.get(pk=attempt["id"])
    assert row.state == AttemptState.DOWNLOADING and row.progress == 50
    automation.monitor_downloads()  # SABnzbd says Completed but storage is still empty
    row.refresh_from_db()
    assert row.state == AttemptState.DOWNLOADING and row.storage_path == "" and "moving" in row.client_status
    automation.monitor_downloads()
    row.refresh_from_db()
    assert row.state == AttemptState.DOWNLOADED and Path(row.storage_path).is_file()
    assert _status(item) == MediaStatus.DOWNLOADED
    assert "handed to post-processing" in caplog.text

    status = admin_client.get(f"/api/downloads/attempt/{row.pk}/status/").json()["data"]
    assert status["state"] == "downloaded" and status["storage_path"] == row.storage_path
    listed = admin_client.get(f"/api/downloads/attempts/{item.pk}/").json()["data"]
    assert [a["id"] for a in listed] == [row.pk]


def test_duplicate_grab_is_refused(admin_client, acquisition):
    item = make_item()
    results = _search(admin_client, item)["results"]
    assert _grab(admin_client, item, results[0]["id"]).status_code == 201
    second = _grab(admin_client, item, results[1]["id"])
    assert second.status_code == 409 and second.json()["error_code"] == "conflict"
    assert DownloadAttempt.objects.filter(item=item).count() == 1


def test_torrent_result_is_refused_with_a_clear_message(admin_client, acquisition):
    item = make_item()
    _search(admin_client, item)
    torrent = SearchResult.objects.get(item=item, guid="guid-torrent")
    response = _grab(admin_client, item, torrent.pk)
    assert response.status_code == 422
    assert "no torrent client" in response.json()["error"]
    assert not DownloadAttempt.objects.exists() and _status(item) == MediaStatus.WANTED


def test_readers_can_neither_search_indexers_nor_grab(reader_user, admin_user, client, acquisition):
    item = make_item()
    client.force_login(admin_user)
    result = _search(client, item)["results"][0]
    client.force_login(reader_user)
    searched = client.post(f"/api/downloads/search/{item.pk}/", {"mode": "interactive"},
                           content_type="application/json")
    assert searched.status_code == 403
    assert _grab(client, item, result["id"]).status_code == 403


def test_sabnzbd_down_while_monitoring_changes_nothing(admin_client, acquisition):
    _, sab = acquisition
    item = make_item()
    _grab(admin_client, item, _search(admin_client, item)["results"][0]["id"])
    sab.stop()
    summary = automation.monitor_downloads()
    assert summary["client_errors"] == 1
    assert DownloadAttempt.objects.get(item=item).state == AttemptState.SENT


def test_failed_job_is_blacklisted_and_the_next_best_is_grabbed(admin_client, acquisition, broker):
    _, sab = acquisition
    sab.fail_words = ("RETAIL",)
    item = make_item()
    _grab(admin_client, item, _search(admin_client, item)["results"][0]["id"])
    automation.monitor_downloads()
    automation.monitor_downloads()  # history: Failed
    failed = DownloadAttempt.objects.get(item=item, guid="guid-epub-retail")
    assert failed.state == AttemptState.BLACKLISTED and "not-complete" in failed.error
    entry = BlacklistEntry.objects.get(guid="guid-epub-retail")
    assert entry.reason == "download_failed" and entry.item_id == item.pk
    assert _status(item) == MediaStatus.WANTED
    assert Job.objects.filter(kind="downloaders.retry_item", params={"item_id": item.pk}).exists()
    automation.retry_item(item.pk)  # what the queued retry job does
    active = DownloadAttempt.objects.get(item=item, state=AttemptState.SENT)
    assert active.guid == "guid-mobi" and active.automatic
    assert _status(item) == MediaStatus.DOWNLOADING


def test_retries_stop_after_max_attempts(admin_client, acquisition, broker):
    _, sab = acquisition
    sab.fail_words = ("Weir",)
    settings = AcquisitionSettings.current()
    settings.max_attempts = 2
    settings.save()
    item = make_item()
    _grab(admin_client, item, _search(admin_client, item)["results"][0]["id"])
    for _ in range(4):
        automation.monitor_downloads()
        automation.retry_item(item.pk)
    states = sorted(DownloadAttempt.objects.filter(item=item).values_list("state", flat=True))
    assert states == ["blacklisted", "blacklisted"]
    assert automation.schedule_retry(item.pk) is None
    assert _status(item) == MediaStatus.WANTED


def test_job_deleted_in_sabnzbd_fails_the_attempt(admin_client, acquisition):
    _, sab = acquisition
    item = make_item()
    attempt = _grab(admin_client, item, _search(admin_client, item)["results"][0]["id"]).json()["data"]
    sab.jobs.clear()  # someone deleted it in SABnzbd's UI
    automation.monitor_downloads()
    row = DownloadAttempt.objects.get(pk=attempt["id"])
    assert row.state == AttemptState.FAILED and "deleted from the download client" in row.error
    assert _status(item) == MediaStatus.WANTED and not BlacklistEntry.objects.exists()


def test_delete_endpoint_cancels_in_sabnzbd_then_deletes_history(admin_client, acquisition):
    _, sab = acquisition
    item = make_item()
    attempt = _grab(admin_client, item, _search(admin_client, item)["results"][0]["id"]).json()["data"]
    response = admin_client.delete(f"/api/downloads/attempt/{attempt['id']}/")
    assert response.status_code == 200 and response.json()["data"]["state"] == "failed"
    assert attempt["client_job_id"] not in sab.jobs
    assert _status(item) == MediaStatus.WANTED
    assert admin_client.delete(f"/api/downloads/attempt/{attempt['id']}/").json()["data"] is None
    assert not DownloadAttempt.objects.exists()


def test_blacklist_endpoint_stops_the_download_and_unblacklist_needs_a_reason(admin_client, acquisition):
    _, sab = acquisition
    item = make_item()
    attempt = _grab(admin_client, item, _search(admin_client, item)["results"][0]["id"]).json()["data"]
    response = admin_client.post(
        "/api/downloads/blacklist/",
        {
            "attempt_id": attempt["id"],
            "reason": "wrong_content",
            "details": "it was a cookbook",
            "expires_in_days": 30,
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    entry = response.json()["data"]
    assert entry["reason"] == "wrong_content" and entry["expires_at"] and entry["is_active"]
    assert DownloadAttempt.objects.get(pk=attempt["id"]).state == AttemptState.BLACKLISTED
    assert attempt["client_job_id"] not in sab.jobs
    listed = admin_client.get("/api/downloads/blacklist/").json()["data"]["items"]
    assert [e["id"] for e in listed] == [entry["id"]]
    bad = admin_client.post(
        f"/api/downloads/blacklist/{entry['id']}/remove/", {"reason": ""}, content_type="application/json"
    )
    assert bad.status_code == 422
    removed = admin_client.post(
        f"/api/downloads/blacklist/{entry['id']}/remove/",
        {"reason": "right book after all"},
        content_type="application/json",
    ).json()["data"]
    assert removed["is_active"] is False and removed["removed_reason"] == "right book after all"
    assert admin_client.get("/api/downloads/blacklist/").json()["data"]["items"] == []


def test_blacklist_by_title_without_attempt(admin_client, db):
    response = admin_client.post(
        "/api/downloads/blacklist/",
        {"title": "Some.Release-GRP", "guid": "g-1"},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["data"]["reason"] == "manual"
    assert (
        admin_client.post("/api/downloads/blacklist/", {}, content_type="application/json").status_code == 422
    )


def test_wanted_queue_and_history_endpoints(admin_client, acquisition):
    item = make_item()
    _grab(admin_client, item, _search(admin_client, item)["results"][0]["id"])
    wanted = admin_client.get("/api/downloads/wanted/").json()["data"]["items"]
    assert wanted[0]["id"] == item.pk and wanted[0]["active_attempt_id"] and wanted[0]["last_search_at"]
    queue = admin_client.get("/api/downloads/queue/").json()["data"]
    assert [a["item_title"] for a in queue] == ["Project Hail Mary"]
    assert admin_client.get("/api/downloads/history/").json()["data"]["items"] == []


def test_endpoints_are_in_the_openapi_document(admin_client):
    document = admin_client.get("/api/v1/openapi.json").json()["paths"]
    paths = {path.replace("/api/v1/", "/api/", 1) for path in document}
    for path in [
        "/api/downloads/search/{media_id}/",
        "/api/downloads/initiate/",
        "/api/downloads/attempts/{media_id}/",
        "/api/downloads/attempt/{attempt_id}/status/",
        "/api/downloads/attempt/{attempt_id}/",
        "/api/downloads/blacklist/",
        "/api/parse/",
    ]:
        assert path in paths, path


@pytest.mark.parametrize(
    "url", ["/downloads/", "/downloads/wanted/", "/downloads/blacklist/", "/indexers/parse/"]
)
def test_pages_render(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 200 and b"page-error" in response.content


def test_search_page_renders_for_an_item(admin_client, db):
    item = make_item()
    response = admin_client.get(f"/downloads/search/{item.pk}/")
    assert response.status_code == 200 and b"Project Hail Mary" in response.content


def test_notify_endpoint_needs_a_key_and_queues_a_check_of_the_named_job(client, reader_user, acquisition, broker):
    from core.models import ApiKey

    item = make_item()
    automation.search_and_grab(item.pk)
    attempt = DownloadAttempt.objects.get(item=item)
    body = {"job_id": attempt.client_job_id, "event": "complete"}
    assert client.post("/api/downloads/notify/", body, content_type="application/json").status_code == 401
    key = ApiKey.issue(reader_user)  # a low-privilege key is enough: it only makes us ask the client
    response = client.post("/api/downloads/notify/", body, content_type="application/json", HTTP_X_API_KEY=key)
    assert response.status_code == 202
    data = response.json()["data"]
    assert data["attempt_ids"] == [attempt.pk] and data["kind"] == "downloaders.check_downloads"
    job = Job.objects.get(pk=data["job_id"])
    assert job.params == {"config_id": attempt.client_config_id, "attempt_ids": [attempt.pk], "round": 0}
    unknown = client.post(
        "/api/downloads/notify/", {"client_id": 999}, content_type="application/json", HTTP_X_API_KEY=key
    )
    assert unknown.status_code == 404
    other = client.post(
        "/api/downloads/notify/", {"name": "Not Ours"}, content_type="application/json", HTTP_X_API_KEY=key
    )
    assert other.status_code == 202 and other.json()["data"]["attempt_ids"] == []


def test_taking_a_release_off_the_blacklist_twice_is_a_conflict_not_invalid_input(admin_client, db):
    """Found by the API fuzz run: a valid body for an entry already removed is a state conflict
    (409), and a reason of spaces is refused by the schema itself."""
    entry = admin_client.post("/api/downloads/blacklist/", {"title": "Some.Release-GRP", "guid": "g-2"},
                              content_type="application/json").json()["data"]
    url = f"/api/downloads/blacklist/{entry['id']}/remove/"
    assert admin_client.post(url, {"reason": "fine"}, content_type="application/json").status_code == 200
    again = admin_client.post(url, {"reason": "fine"}, content_type="application/json")
    assert again.status_code == 409, again.content
    schema = admin_client.get("/api/v1/openapi.json").json()["components"]["schemas"]["UnblacklistIn"]
    assert schema["properties"]["reason"]["pattern"] == r"\S"
