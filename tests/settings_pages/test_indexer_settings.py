"""Issue 20 defect 3: Settings > Indexers (page and JSON API) instead of the Django admin. The
Test buttons call the real clients against the fake Prowlarr and Torznab servers; keys are never
rendered back."""

from __future__ import annotations

import pytest
from django.urls import reverse

from indexers.models import IndexerConfig

pytestmark = pytest.mark.django_db
SECRET = "0123456789abcdef-key"  # long enough to be masked with its last four characters


def _form(**values) -> dict:
    return {
        "name": "Prowlarr",
        "kind": "prowlarr",
        "url": "http://127.0.0.1:9696",
        "api_key": SECRET,
        "timeout_seconds": "5",
        "priority": "25",
        "enabled": "on",
        "indexer_ids": "",
        **values,
    }


def test_hub_links_every_settings_page(admin_client):
    html = admin_client.get("/settings/").content.decode()
    for url in (
        "/settings/indexers/",
        "/settings/metadata/",
        "/settings/media/",
        "/settings/schedules/",
        reverse("users"),
        reverse("operations-backups"),
        reverse("koreader-sync"),
    ):
        assert f'href="{url}' in html, url


def test_reader_cannot_open_indexer_settings(reader_client):
    assert reader_client.get("/settings/indexers/").status_code == 403
    assert reader_client.get("/api/indexers/").status_code == 403
    html = reader_client.get("/settings/").content.decode()
    assert "/settings/indexers/" not in html  # the hub shows a reader only their own settings


def test_add_page_saves_valid_input_with_base_path_split(admin_client):
    assert admin_client.get("/settings/indexers/add/?kind=torznab").status_code == 200
    response = admin_client.post("/settings/indexers/add/", _form(url="http://10.0.0.5:9696/prowlarr/"))
    assert response.status_code == 302 and response["Location"] == "/settings/indexers/"
    row = IndexerConfig.objects.get()
    assert (row.url, row.base_path, row.api_key, row.enabled) == ("http://10.0.0.5:9696", "/prowlarr", SECRET, True)
    listing = admin_client.get("/settings/indexers/").content.decode()
    assert "Prowlarr" in listing and "http://10.0.0.5:9696/prowlarr" in listing and SECRET not in listing


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"url": "http://"}, "with a valid host name"),
        ({"url": "http://host:99999"}, "is not an address"),
        ({"url": "http://[::1"}, "is not an address"),
        ({"url": "http://" + "a" * 64 + ".lan"}, "with a valid host name"),
        ({"url": "http://h:9696/api?apikey=x"}, "Leave keys and passwords out"),
        ({"url": "ftp://host/"}, "must start with http"),
        ({"api_key": ""}, "This field is required"),
        ({"indexer_ids": "1, two"}, "numbers separated by commas"),
        ({"priority": "0"}, "greater than or equal to 1"),
    ],
)
def test_add_page_refuses_invalid_input_with_a_message(admin_client, values, message):
    response = admin_client.post("/settings/indexers/add/", _form(**values))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not IndexerConfig.objects.exists()


def test_edit_page_never_renders_the_key_and_empty_keeps_it(admin_client):
    row = IndexerConfig.objects.create(name="Prowlarr", url="http://127.0.0.1:9696", api_key=SECRET)
    html = admin_client.get(f"/settings/indexers/{row.pk}/").content.decode()
    assert SECRET not in html and "••••-key" in html
    response = admin_client.post(f"/settings/indexers/{row.pk}/", _form(api_key="", priority="3"))
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.api_key, row.priority) == (SECRET, 3)


def test_duplicate_name_is_refused(admin_client):
    IndexerConfig.objects.create(name="Prowlarr", url="http://127.0.0.1:9696", api_key=SECRET)
    response = admin_client.post("/settings/indexers/add/", _form(name="prowlarr"))
    assert response.status_code == 422 and "already called" in response.content.decode()
    body = {"name": "PROWLARR", "kind": "prowlarr", "url": "http://127.0.0.1:9696", "api_key": SECRET}
    api = admin_client.post("/api/indexers/", body, content_type="application/json")
    assert api.status_code == 409 and "already called Prowlarr" in api.json()["error"]
    assert IndexerConfig.objects.count() == 1


def test_toggle_and_delete(admin_client):
    row = IndexerConfig.objects.create(name="Prowlarr", url="http://127.0.0.1:9696", api_key=SECRET)
    admin_client.post(f"/settings/indexers/{row.pk}/enabled/", {"enabled": "0"})
    assert IndexerConfig.objects.get().enabled is False
    admin_client.post(f"/settings/indexers/{row.pk}/delete/")
    assert not IndexerConfig.objects.exists()


def test_test_button_of_typed_values_calls_prowlarr(admin_client, fake_prowlarr):
    body = {"name": "P", "kind": "prowlarr", "url": fake_prowlarr.url, "api_key": fake_prowlarr.api_key}
    result = admin_client.post("/api/indexers/test/", body, content_type="application/json").json()
    assert result["success"], result
    assert result["data"]["message"].startswith("Prowlarr 1.30.2.4939: 2 indexer(s)")
    assert {i["name"] for i in result["data"]["indexers"]} >= {"FakeNZB"}
    wrong = admin_client.post("/api/indexers/test/", {**body, "api_key": "nope"}, content_type="application/json")
    answer = wrong.json()["data"]  # the test ran: its answer says what failed and what to do
    assert (answer["ok"], answer["level"]) == (False, "error") and "Prowlarr" in answer["message"]
    assert fake_prowlarr.api_key not in wrong.content.decode()


def test_test_button_of_a_stored_connection_uses_its_key_and_records(admin_client, fake_prowlarr):
    row = IndexerConfig.objects.create(name="Prowlarr", url=fake_prowlarr.url, api_key=fake_prowlarr.api_key)
    typed = {"config_id": row.pk, "url": fake_prowlarr.url, "api_key": ""}  # empty: the stored key
    assert admin_client.post("/api/indexers/test/", typed, content_type="application/json").json()["success"]
    stored = admin_client.post(f"/api/indexers/{row.pk}/test/").json()
    assert stored["success"]
    row.refresh_from_db()
    assert row.last_test_ok is True and "2 indexer(s)" in row.last_test_message


def test_test_button_calls_torznab(admin_client, fake_torznab):
    body = {"name": "T", "kind": "torznab", "url": fake_torznab.url, "api_key": fake_torznab.api_key}
    ok = admin_client.post("/api/indexers/test/", body, content_type="application/json").json()
    assert ok["success"], ok
    assert any(r.get("t") == "caps" for r in fake_torznab.requests)
    refused = admin_client.post("/api/indexers/test/", {**body, "api_key": "wrong"}, content_type="application/json")
    assert (refused.json()["data"]["ok"], refused.json()["data"]["level"]) == (False, "error")


def test_unreachable_indexer_is_a_warning_recorded_on_the_row(admin_client):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    row = IndexerConfig.objects.create(name="Gone", url=f"http://127.0.0.1:{port}", api_key=SECRET, timeout_seconds=2)
    answer = admin_client.post(f"/api/indexers/{row.pk}/test/").json()["data"]
    assert (answer["ok"], answer["level"]) == (False, "warning") and f"127.0.0.1:{port}" in answer["message"]
    row.refresh_from_db()
    assert row.last_test_ok is False and f"127.0.0.1:{port}" in row.last_test_message


def test_api_adds_changes_and_deletes_without_returning_the_key(admin_client):
    created = admin_client.post(
        "/api/indexers/",
        {"name": "Tz", "kind": "torznab", "url": "http://127.0.0.1:1/", "api_key": "torznab-secret-1234"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    data = created.json()["data"]
    assert "torznab-secret-1234" not in created.content.decode()
    assert data["api_key_set"] is True and data["api_key_masked"] == "••••1234"
    changed = admin_client.patch(
        f"/api/indexers/{data['id']}/", {"priority": 5, "api_key": ""}, content_type="application/json"
    )
    assert changed.json()["data"]["priority"] == 5
    assert IndexerConfig.objects.get().api_key == "torznab-secret-1234"
    bad = admin_client.patch(f"/api/indexers/{data['id']}/", {"url": "ftp://x"}, content_type="application/json")
    assert bad.status_code == 422 and "must start with http" in bad.json()["error"]
    assert admin_client.delete(f"/api/indexers/{data['id']}/").status_code == 200
    assert not IndexerConfig.objects.exists()
