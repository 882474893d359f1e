"""The Deluge adapter against real deluged + deluge-web (Debian's 2.0.3), through the web
UI's JSON-RPC, with the Label plugin enabled in the test daemon's config."""

from __future__ import annotations

import subprocess

import pytest

from core.errors import AuthenticationFailed, ConfigurationError, ServiceUnavailable
from downloaders.clients.base import AddRequest, JobState
from downloaders.clients.deluge import DelugeClient, torrent_status
from tests.clients.torrent_daemons import wait_until

CATEGORIES = (("ebook", "Omni-Books"), ("audiobook", "omni-audio"))


@pytest.fixture
def client(deluge):
    adapter = DelugeClient(deluge.client_settings(categories=CATEGORIES))
    yield adapter
    adapter.close()


def torrent_request(torrent, *, kind="ebook") -> AddRequest:
    return AddRequest(url="", name=torrent.path.stem, kind=kind, link_kind="torrent_url", content=torrent.torrent)


def state_of(client, job_id, state, *, raw=None):
    def reached():
        status = client.status(job_id)
        return status.state == state and (raw is None or status.raw_status == raw) and status

    return wait_until(reached, what=f"{job_id} {state} {raw or ''}")


def test_connection_reports_the_daemons_version(client):
    banner = subprocess.run(["deluged", "--version"], capture_output=True, text=True)
    version = client.test_connection()
    assert version.name == "Deluge"
    assert version.version and f"deluged {version.version}" in banner.stdout + banner.stderr


def test_wrong_password_is_a_permanent_error_naming_deluge(deluge):
    adapter = DelugeClient(deluge.client_settings(password="not-the-password"))
    with pytest.raises(AuthenticationFailed) as caught:
        adapter.test_connection()
    assert not caught.value.transient
    assert "Deluge" in str(caught.value) and "password" in str(caught.value)


def test_an_expired_session_logs_in_again(client):
    client.test_connection()
    client._http._client.cookies.clear()  # what a deluge-web restart or session timeout leaves us with
    assert client.download_folder()


def test_add_torrent_file_returns_its_info_hash_paused_and_labelled(deluge, new_torrent):
    adapter = DelugeClient(deluge.client_settings(categories=CATEGORIES, add_paused=True))
    torrent = new_torrent()
    job_id = adapter.add(torrent_request(torrent))
    assert job_id == torrent.info_hash
    status = state_of(adapter, job_id, JobState.QUEUED, raw="Paused")
    assert status.name == torrent.path.name
    assert status.category == "omni-books"  # Deluge labels are lower-case; created on first use
    assert status.size_bytes == torrent.path.stat().st_size and status.left_bytes == status.size_bytes
    assert "omni-books" in adapter.list_categories()


















def test_create_category_adds_a_lower_case_label_once(client):
    client.create_category("Omni-Comics")
    client.create_category("omni-comics")
    assert client.list_categories().count("omni-comics") == 1


def test_a_category_deluge_cannot_hold_is_a_clear_configuration_error(deluge, new_torrent):
    adapter = DelugeClient(deluge.client_settings(categories=(("ebook", "My Books!"),)))
    with pytest.raises(ConfigurationError, match="cannot be a Deluge label"):
        adapter.test_connection()
    torrent = new_torrent()
    with pytest.raises(ConfigurationError, match="cannot be a Deluge label"):
        adapter.add(torrent_request(torrent))
    assert adapter.status(torrent.info_hash).state == JobState.MISSING


def test_without_the_label_plugin_categories_are_not_available(client, deluge, new_torrent):
    client.test_connection()
    client.call("core.disable_plugin", "Label")  # saved in core.conf: the restarted daemon has no Label
    deluge.daemon.stop()
    deluge.start_daemon(wait=True)
    try:
        with pytest.raises(ConfigurationError, match="Label plugin is not enabled"):
            client.list_categories()
        with pytest.raises(ConfigurationError, match="Label plugin is not enabled"):
            client.test_connection()  # categories are set: say so at the Test button
        torrent = new_torrent()
        with pytest.raises(ConfigurationError, match="Label plugin is not enabled"):
            client.add(torrent_request(torrent))
        assert client.status(torrent.info_hash).state == JobState.MISSING  # refused before adding anything
        assert DelugeClient(deluge.client_settings()).test_connection().name == "Deluge"  # no categories: fine
    finally:
        client.call("core.enable_plugin", "Label")
        wait_until(lambda: "Label" in client.call("core.get_enabled_plugins"), what="Label enabled")
    wait_until(lambda: _labels_or_none(client) is not None, what="label.* back")


def _labels_or_none(client):
    try:
        return client.list_categories()
    except ConfigurationError:
        return None


def test_download_folder_is_the_daemons_download_location(client, deluge):
    assert client.download_folder() == str(deluge.downloads)


def test_daemon_stopped_mid_download_is_retryable_and_the_job_survives_a_restart(client, deluge, new_torrent):
    job_id = client.add(torrent_request(new_torrent()))
    state_of(client, job_id, JobState.DOWNLOADING)
    deluge.daemon.stop()
    try:
        with pytest.raises(ServiceUnavailable) as caught:
            client.status(job_id)  # the web UI still answers; its daemon does not
        assert caught.value.transient and "no daemon is reachable" in str(caught.value)
    finally:
        deluge.start_daemon(wait=True)
    state_of(client, job_id, JobState.DOWNLOADING)  # the web UI is connected to the daemon again


def test_web_ui_stopped_is_retryable(client, deluge):
    client.test_connection()
    deluge.web.stop()
    try:
        with pytest.raises(ServiceUnavailable) as caught:
            client.download_folder()
        assert caught.value.transient and "Deluge" in str(caught.value)
    finally:
        deluge.web.start()
        deluge.web.wait_ready()
    assert client.download_folder() == str(deluge.downloads)  # a new web session: logged in again


@pytest.mark.parametrize(
    ("state", "progress", "expected", "seeding"),
    [
        ("Downloading", 40.0, JobState.DOWNLOADING, False),
        ("Seeding", 100.0, JobState.COMPLETED, True),
        ("Queued", 100.0, JobState.COMPLETED, True),  # queued to seed: still seeding, never move its files
        ("Queued", 10.0, JobState.QUEUED, False),
        ("Paused", 100.0, JobState.COMPLETED, False),
        ("Paused", 10.0, JobState.QUEUED, False),
        ("Checking", 100.0, JobState.QUEUED, False),
        ("Allocating", 0.0, JobState.QUEUED, False),
        ("Moving", 100.0, JobState.POST_PROCESSING, False),
        ("Error", 55.0, JobState.FAILED, False),
    ],
)
def test_every_deluge_state_maps_to_a_job_state(state, progress, expected, seeding):
    raw = {"state": state, "progress": progress, "name": "b.epub", "save_path": "/dl", "message": "Disk full"}
    status = torrent_status("a" * 40, raw)
    assert (status.state, status.seeding) == (expected, seeding)
    assert status.storage_path == ("/dl/b.epub" if expected == JobState.COMPLETED else "")
    assert status.fail_message == ("Disk full" if expected == JobState.FAILED else "")
