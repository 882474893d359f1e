"""Settings > Download clients and /api/downloads/clients/: any registered kind from the
fields its adapter declares (a tiny fake torrent adapter proves it), secrets never shown, an
empty secret keeps the stored one, live tests, categories created on request, and the client
chosen for a release by protocol and order."""

from __future__ import annotations

import pytest

from core.errors import ConfigurationError, InvalidInput
from downloaders import services
from downloaders.clients import registry
from downloaders.clients.base import ClientVersion
from downloaders.forms import ClientForm
from downloaders.models import DownloadClientConfig
from tests.acquisition.fakes import FakeSabnzbd

pytestmark = pytest.mark.django_db
KEY = "0123456789abcdef-sab-key-9876"


class TinyTorrentClient:
    """A stand-in adapter declaring what a torrent client declares (no network)."""

    label = "Tiny Torrent"
    protocols = ("torrent_url", "magnet")
    fields = ("url", "username", "password")
    default_port = 9091

    def __init__(self, settings, *, transport=None):
        self.settings = settings

    def test_connection(self):
        if self.settings.password != "right":
            raise ConfigurationError("Tiny Torrent: wrong password")
        return ClientVersion("Tiny Torrent", "1.0")

    def list_categories(self):
        return ["books"]

    def download_folder(self):
        return "/nonexistent/tiny/complete"

    def close(self):
        pass


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setitem(registry.CLIENTS, "tiny", TinyTorrentClient)


@pytest.fixture
def sab(tmp_path):
    (tmp_path / "complete").mkdir()
    server = FakeSabnzbd(complete_dir=tmp_path / "complete", api_key=KEY).start()
    yield server
    server.stop()


def _create(client, **values):
    return client.post("/api/downloads/clients/", values, content_type="application/json")


def test_api_adds_tests_changes_and_deletes_a_client_and_never_shows_its_key(admin_client, sab):
    created = _create(admin_client, kind="sabnzbd", name="Sab", url=f"{sab.url}/", api_key=KEY)
    assert created.status_code == 201, created.content
    data = created.json()["data"]
    assert (data["api_key_set"], data["api_key_masked"], data["url"]) == (True, "••••9876", sab.url)
    assert KEY not in admin_client.get("/api/downloads/clients/").content.decode()
    config_id = data["id"]

    changed = admin_client.patch(
        f"/api/downloads/clients/{config_id}/", {"api_key": "", "order": 3}, content_type="application/json"
    )
    assert changed.status_code == 200 and DownloadClientConfig.objects.get().api_key == KEY  # kept
    assert DownloadClientConfig.objects.get().order == 3

    tested = admin_client.post(f"/api/downloads/clients/{config_id}/test/").json()["data"]
    assert tested["ok"] and tested["version"] == "SABnzbd 4.3.3" and tested["missing_categories"] == []
    assert DownloadClientConfig.objects.get().last_test_ok is True

    typed = admin_client.post(
        "/api/downloads/clients/test/",
        {"kind": "sabnzbd", "url": sab.url, "config_id": config_id, "category_ebook": "ebooks"},
        content_type="application/json",
    ).json()["data"]
    assert typed["ok"] and typed["missing_categories"] == ["ebooks"]  # the stored key was used

    bad = admin_client.patch(
        f"/api/downloads/clients/{config_id}/", {"url": "ftp://x"}, content_type="application/json"
    )
    assert bad.status_code == 422 and "must start with http" in bad.json()["error"]
    assert admin_client.delete(f"/api/downloads/clients/{config_id}/").status_code == 200
    assert not DownloadClientConfig.objects.exists()


def test_api_refuses_an_unknown_kind_and_a_missing_key(admin_client):
    unknown = _create(admin_client, kind="nzbfoo", name="X", url="http://x:1")
    assert unknown.status_code == 422  # not a registered kind (the schema lists them)
    no_key = _create(admin_client, kind="sabnzbd", name="X", url="http://x:8080")
    assert no_key.status_code == 422 and "Enter the SABnzbd API key" in no_key.json()["error"]


def test_missing_categories_are_created_in_the_client_on_request(admin_client, sab):
    sab.categories = ["*", "movies"]
    config = DownloadClientConfig.objects.create(kind="sabnzbd", name="Sab", url=sab.url, api_key=KEY)
    answer = admin_client.post(
        f"/api/downloads/clients/{config.pk}/categories/", {"names": ["books"]}, content_type="application/json"
    )
    assert answer.status_code == 200 and sab.categories == ["*", "movies", "books"]
    refused = admin_client.post(
        f"/api/downloads/clients/{config.pk}/categories/", {"names": ["evil"]}, content_type="application/json"
    )
    assert refused.status_code == 422 and sab.categories == ["*", "movies", "books"]


def test_a_reader_sees_clients_without_secrets_and_cannot_change_them(reader_client):
    DownloadClientConfig.objects.create(kind="sabnzbd", name="Sab", url="http://sab:8080", api_key=KEY)
    assert KEY not in reader_client.get("/api/downloads/clients/").content.decode()
    assert _create(reader_client, kind="sabnzbd", name="Y", url="http://y:8080", api_key="k").status_code == 403
    assert reader_client.get("/settings/clients/").status_code == 403


def test_the_form_of_any_kind_asks_for_the_fields_its_adapter_declares(tiny):
    sab, torrent = ClientForm(kind="sabnzbd"), ClientForm(kind="tiny")
    assert "api_key" in sab.fields and "username" not in sab.fields and "seed_ratio_limit" not in sab.fields
    assert {"username", "password", "seed_ratio_limit", "seed_time_limit_minutes"} <= set(torrent.fields)
    assert "api_key" not in torrent.fields
    form = ClientForm(
        {
            "name": "T",
            "url": "nas",
            "timeout_seconds": 20,
            "priority": 0,
            "order": 1,
            "username": "admin",
            "password": "right",
        },
        kind="tiny",
    )
    assert form.is_valid(), form.errors
    assert form.values()["url"] == "http://nas:9091"  # the adapter's default port
    for folder, error in (("downloads", "full path"), ("/", "whole disk"), ("/dl\x00x", "Null characters")):
        bad = ClientForm(
            {"name": "T", "url": "nas", "timeout_seconds": 20, "priority": 0, "order": 1, "download_dir": folder},
            kind="tiny",
        )
        assert not bad.is_valid() and error in bad.errors["download_dir"][0]


def test_settings_pages_add_edit_toggle_and_delete_a_client_of_a_registered_kind(admin_client, tiny):
    page = admin_client.get("/settings/clients/add/?kind=tiny").content.decode()
    assert 'name="username"' in page and 'name="password"' in page and 'name="api_key"' not in page
    added = admin_client.post(
        "/settings/clients/add/?kind=tiny",
        {
            "kind": "tiny",
            "name": "Tiny",
            "url": "127.0.0.1:9091",
            "username": "admin",
            "password": "s3cret-pass",
            "timeout_seconds": 20,
            "priority": 0,
            "order": 1,
            "enabled": "on",
            "seed_ratio_limit": "2.0",
        },
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    config = DownloadClientConfig.objects.get()
    assert (config.kind, config.password, config.seed_ratio_limit) == ("tiny", "s3cret-pass", 2.0)
    listing = admin_client.get("/settings/clients/").content.decode()
    assert "Tiny Torrent" in listing and "s3cret-pass" not in listing
    edit = admin_client.get(f"/settings/clients/{config.pk}/").content.decode()
    assert "s3cret-pass" not in edit and "Stored: ••••" in edit
    admin_client.post(
        f"/settings/clients/{config.pk}/",
        {
            "kind": "tiny",
            "name": "Tiny",
            "url": "127.0.0.1:9091",
            "username": "admin",
            "password": "",
            "timeout_seconds": 20,
            "priority": 0,
            "order": 1,
            "enabled": "on",
        },
    )
    assert DownloadClientConfig.objects.get().password == "s3cret-pass"  # empty keeps it
    admin_client.post(f"/settings/clients/{config.pk}/enabled/", {"enabled": "0"})
    assert DownloadClientConfig.objects.get().enabled is False
    admin_client.post(f"/settings/clients/{config.pk}/delete/")
    assert not DownloadClientConfig.objects.exists()
    assert admin_client.get("/settings/clients/add/?kind=nope").status_code == 404


def test_a_release_goes_to_the_first_enabled_client_of_its_protocol(tiny):
    DownloadClientConfig.objects.create(kind="sabnzbd", name="Backup", url="http://b:8080", api_key="k", order=2)
    DownloadClientConfig.objects.create(
        kind="sabnzbd", name="Off", url="http://o:8080", api_key="k", order=0, enabled=False
    )
    DownloadClientConfig.objects.create(kind="sabnzbd", name="Main", url="http://m:8080", api_key="k", order=1)
    assert services.client_for_link("nzb_url")[0].settings.name == "Main"
    with pytest.raises(InvalidInput, match="no torrent client is configured"):
        services.client_for_link("magnet")
    DownloadClientConfig.objects.create(kind="tiny", name="Tiny", url="http://t:9091", order=5)
    config, client = services.client_for_link("magnet")
    assert (config.kind, config.settings.name) == ("tiny", "Tiny") and isinstance(client, TinyTorrentClient)
    DownloadClientConfig.objects.filter(kind="sabnzbd").update(enabled=False)
    with pytest.raises(ConfigurationError, match="No enabled download client takes usenet releases"):
        services.client_for_link("nzb_url")
