"""Input that once crashed the API (found by fuzzing) is refused in the error envelope."""

from __future__ import annotations

import json

import pytest

from core.models import ApiKey
from indexers.models import BlacklistEntry

TOO_BIG = str(2**64)


@pytest.fixture
def api_key(admin_user):
    return ApiKey.issue(admin_user)


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert body["success"] is False and body["error_code"] == code
    return body


@pytest.mark.django_db
def test_upload_with_an_invalid_multipart_boundary_is_a_400_in_the_envelope(client, api_key):
    response = client.generic("POST", "/api/media/1/cover/upload", b"--x\r\n\r\n--x--",
                              content_type="multipart/form-data; boundary=" + "b" * 300, HTTP_X_API_KEY=api_key)
    _error(response, 400, "malformed_request")


@pytest.mark.django_db
@pytest.mark.parametrize("url", [f"/api/scanning/runs?folder_id={TOO_BIG}", f"/api/library/items?size_min={TOO_BIG}",
                                 f"/api/library/search?size_max={TOO_BIG}", f"/api/jobs/{TOO_BIG}"])
def test_integers_beyond_64_bits_in_the_query_or_path_are_refused(client, api_key, url):
    body = _error(client.get(url, HTTP_X_API_KEY=api_key), 422, "invalid_input")
    assert body["details"]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "payload"), [
    ("/api/media/refresh", {"item_ids": [int(TOO_BIG)]}),
    ("/api/rename/preview", {"selection": {"item_ids": [int(TOO_BIG)]}}),
    ("/api/downloads/blacklist/", {"title": "Some.Release", "media_id": int(TOO_BIG)}),
])
def test_integers_beyond_64_bits_in_the_body_are_refused(client, api_key, url, payload):
    response = client.post(url, json.dumps(payload), content_type="application/json", HTTP_X_API_KEY=api_key)
    _error(response, 422, "invalid_input")


@pytest.mark.django_db(transaction=True)
def test_blacklisting_for_a_missing_media_item_is_a_404_and_writes_nothing(client, api_key):
    payload = {"title": "Some.Release.EPUB", "guid": "g-1", "media_id": 987654}
    response = client.post("/api/downloads/blacklist/", json.dumps(payload), content_type="application/json",
                           HTTP_X_API_KEY=api_key)
    _error(response, 404, "not_found")
    assert not BlacklistEntry.objects.exists()


@pytest.mark.django_db
def test_unknown_api_addresses_answer_404_in_the_envelope(client, api_key):
    _error(client.get("/api/jobs/not-a-number", HTTP_X_API_KEY=api_key), 404, "not_found")


@pytest.mark.django_db
@pytest.mark.parametrize("body", ['"Some.Release"', "[null, null]", "42"])
def test_a_request_body_that_is_not_a_json_object_is_a_400(client, api_key, body):
    """ninja read a schema's fields from any value's attributes: "Some.Release" became a
    blacklist entry titled "Some.Release".title()."""
    response = client.post("/api/downloads/blacklist/", body, content_type="application/json", HTTP_X_API_KEY=api_key)
    _error(response, 400, "http_400")
    assert not BlacklistEntry.objects.exists()


@pytest.mark.django_db
def test_a_yes_no_field_takes_only_true_or_false(client, api_key):
    response = client.post("/api/media/refresh", json.dumps({"force": 0}), content_type="application/json",
                           HTTP_X_API_KEY=api_key)
    assert _error(response, 422, "invalid_input")["details"][0]["field"] == "force"


@pytest.mark.django_db
def test_a_nul_character_in_a_body_is_refused_before_the_database(client, api_key):
    """PostgreSQL refuses NUL in text and JSON columns: the fuzz run's job parameters with one
    were a 500 ("unsupported Unicode escape sequence") on PostgreSQL only."""
    from core.models import Job

    body = {"kind": "processing.import_download", "params": {"a\u0000b": {"x": "y"}}}
    response = client.post("/api/jobs/", json.dumps(body), content_type="application/json", HTTP_X_API_KEY=api_key)
    assert "NUL" in _error(response, 422, "invalid_input")["error"]
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_a_nul_character_in_the_query_is_refused(client, api_key):
    body = _error(client.get("/api/library/search?q=du%00ne", HTTP_X_API_KEY=api_key), 422, "invalid_input")
    assert "NUL" in body["error"]
