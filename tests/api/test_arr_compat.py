"""The *arr-compatible subset answers Readarr's bare JSON shapes, as dashboards read them, with the
key in X-Api-Key or ?apikey=."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client

from core.models import ApiKey
from downloaders.models import AttemptState, DownloadAttempt
from media.models import MediaItem, MediaStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(reader_user):
    return ApiKey.issue(reader_user)


def _item(title: str, status=MediaStatus.WANTED, published: str = "") -> MediaItem:
    return MediaItem.objects.create(title=title, sort_title=title.lower(), status=status, published=published)


def test_system_status_has_the_fields_arr_clients_read(key):
    body = Client().get("/api/v1/system/status", HTTP_X_API_KEY=key).json()
    assert body["appName"] == "OmniReadarr" and body["version"] and body["startTime"]
    assert body["databaseType"] in ("sqLite", "postgreSQL") and "success" not in body


def test_the_key_may_come_as_the_apikey_query_parameter_as_arr_tools_send_it(key):
    assert Client().get(f"/api/v1/queue/status?apikey={key}").status_code == 200
    refused = Client().get("/api/v1/queue/status?apikey=wrong")
    assert refused.status_code == 401 and refused.json()["error_code"] == "authentication_required"
    assert Client().get(f"/api/v1/jobs/?apikey={key}").status_code == 401  # only the arr-compatible subset


def test_queue_lists_active_downloads_in_readarrs_shape(key):
    item = _item("Dune", MediaStatus.DOWNLOADING)
    DownloadAttempt.objects.create(
        item=item,
        state=AttemptState.DOWNLOADING,
        release_title="Dune.epub",
        guid="g1",
        size=1000,
        progress=25.0,
        time_left="0:01:40",
        client_job_id="SABnzbd_nzo_1",
    )
    DownloadAttempt.objects.create(item=item, state=AttemptState.IMPORTED, release_title="old", guid="g0")
    body = Client().get("/api/v1/queue?apikey=" + key).json()
    assert body["totalRecords"] == 1 and body["page"] == 1
    record = body["records"][0]
    assert record["bookId"] == item.pk and record["status"] == "downloading"
    assert record["size"] == 1000 and record["sizeleft"] == 750 and record["timeleft"] == "0:01:40"
    assert record["downloadId"] == "SABnzbd_nzo_1" and record["estimatedCompletionTime"]
    status = Client().get("/api/v1/queue/status?apikey=" + key).json()
    assert status["totalCount"] == 1 and status["errors"] is False


def test_calendar_lists_wanted_items_released_in_the_range(key):
    today = date.today()
    soon = _item("Soon", published=(today + timedelta(days=3)).isoformat())
    _item("Later", published=(today + timedelta(days=40)).isoformat())
    _item("Owned", MediaStatus.IN_LIBRARY, published=today.isoformat())
    month = _item("Month only", published=f"{today.year + 3}-02")
    body = Client().get("/api/v1/calendar", HTTP_X_API_KEY=key).json()
    assert [b["title"] for b in body] == ["Soon"] and body[0]["id"] == soon.pk
    assert body[0]["releaseDate"].startswith((today + timedelta(days=3)).isoformat()) and body[0]["monitored"]
    ranged = (
        Client()
        .get(f"/api/v1/calendar?start={today.year + 3}-02-01&end={today.year + 3}-02-10", HTTP_X_API_KEY=key)
        .json()
    )
    assert [b["id"] for b in ranged] == [month.pk]


def test_calendar_days_must_be_iso_dates(key):
    for bad in ("0", "1700000000", "2027-1-5", "tomorrow"):
        response = Client().get(f"/api/v1/calendar?start={bad}", HTTP_X_API_KEY=key)
        assert response.status_code == 422 and response.json()["error_code"] == "invalid_input", bad
