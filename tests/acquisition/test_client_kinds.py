"""Every registered kind of download client can be added on Settings > Download clients: its
form shows what its adapter declares (connection or folder fields, categories only where the
client has them, the pause option only where it can pause, seed goals only for torrent
clients), saves, and the saved row is what the client choice hands the adapter."""

from __future__ import annotations

import re

import pytest

from downloaders import client_settings, services
from downloaders.clients import registry
from downloaders.models import DownloadClientConfig

pytestmark = pytest.mark.django_db
KINDS = sorted(registry.CLIENTS)
SECRET = "s3cret-0123456789"
OPTIONAL = {
    "category_ebook": registry.has_categories,
    "add_paused": registry.can_pause,
    "seed_ratio_limit": registry.is_torrent_client,
}


def _inputs(html: str) -> set[str]:
    return set(re.findall(r'<(?:input|select|textarea)[^>]* name="([a-z_]+)"', html))


def _typed(kind: str, tmp_path) -> dict[str, str]:
    """What a user types for this kind: its declared fields, and a seed goal where it has one."""
    values = {"kind": kind, "name": f"My {kind}", "timeout_seconds": "10", "order": "2", "enabled": "on"}
    for name in registry.fields_of(kind):
        if name.endswith("_folder"):
            (tmp_path / name).mkdir()
            values[name] = str(tmp_path / name)
        else:
            values[name] = {"url": "127.0.0.1:9", "api_key": SECRET, "password": SECRET}.get(name, "reader")
    if "url" in values:
        values["priority"] = "1"
    if registry.has_categories(kind):
        values.update(category_ebook="books", category_audiobook="", category_comic="")
    if registry.is_torrent_client(kind):
        values.update(seed_ratio_limit="1.5", seed_time_limit_minutes="90")
    return values


@pytest.mark.parametrize("kind", KINDS)
def test_each_registered_kind_renders_its_own_fields(admin_client, kind):
    response = admin_client.get(f"/settings/clients/add/?kind={kind}")
    assert response.status_code == 200
    shown = _inputs(response.content.decode())
    assert set(registry.fields_of(kind)) <= shown
    undeclared = {"url", "api_key", "username", "password", "watch_folder", "completed_folder"}
    assert not (undeclared - set(registry.fields_of(kind))) & shown
    for field, applies in OPTIONAL.items():
        assert (field in shown) == applies(kind), field
    assert ("download_dir" in shown) == ("url" in registry.fields_of(kind))  # a blackhole's is its completed folder


@pytest.mark.parametrize("kind", KINDS)
def test_each_registered_kind_saves_and_reaches_its_adapter(admin_client, kind, tmp_path):
    typed = _typed(kind, tmp_path)
    response = admin_client.post("/settings/clients/add/", typed)
    assert response.status_code == 302, response.content.decode()[:2000]
    config = DownloadClientConfig.objects.get()
    assert (config.kind, config.name, config.order) == (kind, f"My {kind}", 2)
    listed = admin_client.get("/settings/clients/").content.decode()
    assert f"My {kind}" in listed and SECRET not in listed

    chosen = next(c for c in services.configured_clients() if c.config_id == config.pk)
    settings = chosen.settings
    for name in registry.fields_of(kind):
        expected = "http://127.0.0.1:9" if name == "url" else typed[name]
        assert getattr(settings, name) == expected, name
    if registry.is_torrent_client(kind):  # the goal downloaders.seeding removes a torrent at
        assert (settings.seed_ratio_limit, settings.seed_time_limit_minutes) == (1.5, 90)
    client = chosen.client()
    assert type(client) is registry.CLIENTS[kind]
    client.close()


def test_a_blackholes_completed_folder_is_where_imports_come_from(admin_client, tmp_path):
    admin_client.post("/settings/clients/add/", _typed("blackhole", tmp_path))
    assert client_settings.import_folders() == ([], [str(tmp_path / "completed_folder")])


def test_a_blackhole_needs_both_folders_as_full_paths(admin_client, tmp_path):
    typed = {**_typed("blackhole", tmp_path), "watch_folder": "relative/watch", "completed_folder": ""}
    response = admin_client.post("/settings/clients/add/", typed)
    html = response.content.decode()
    assert response.status_code == 422 and "full path" in html and "This field is required" in html
    assert not DownloadClientConfig.objects.exists()


def test_the_api_adds_a_blackhole_without_an_address_and_lists_what_each_kind_has(admin_client, tmp_path):
    typed = _typed("blackhole", tmp_path)
    body = {k: typed[k] for k in ("kind", "name", "watch_folder", "completed_folder")}
    created = admin_client.post("/api/downloads/clients/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["data"]["completed_folder"] == typed["completed_folder"]
    no_address = admin_client.post(
        "/api/downloads/clients/", {"kind": "sabnzbd", "name": "Sab", "api_key": "k"}, content_type="application/json"
    )
    assert no_address.status_code == 422 and "url" in no_address.json()["error"]
    kinds = {k["kind"]: k for k in admin_client.get("/api/downloads/clients/kinds").json()["data"]}
    assert sorted(kinds) == KINDS
    assert (kinds["blackhole"]["can_pause"], kinds["blackhole"]["has_categories"]) == (False, False)
    assert (kinds["qbittorrent"]["can_pause"], kinds["qbittorrent"]["has_categories"]) == (True, True)


def test_the_list_shows_a_blackholes_watch_folder_as_its_address(admin_client, tmp_path):
    admin_client.post("/settings/clients/add/", _typed("blackhole", tmp_path))
    assert f"<td>{tmp_path / 'watch_folder'}</td>" in admin_client.get("/settings/clients/").content.decode()
