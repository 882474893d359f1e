"""The Transmission adapter against a real transmission-daemon (Debian's 3.00, RPC 16)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from core.errors import AuthenticationFailed, BadResponse, ServiceUnavailable
from downloaders.clients.base import AddRequest, ClientSettings, JobState
from downloaders.clients.transmission import TransmissionClient, rpc_base_url, torrent_status
from tests.clients.torrent_daemons import wait_until

CATEGORIES = (("ebook", "omni-books"), ("audiobook", "omni-audio"))


@pytest.fixture
def client(transmission):
    adapter = TransmissionClient(transmission.client_settings(categories=CATEGORIES))
    yield adapter
    adapter.close()


def torrent_request(torrent, *, kind="ebook") -> AddRequest:
    return AddRequest(url="", name=torrent.path.stem, kind=kind, link_kind="torrent_url", content=torrent.torrent)


def state_of(client, job_id, state):
    return wait_until(lambda: (s := client.status(job_id)).state == state and s, what=f"{job_id} {state}")


def test_connection_reports_the_daemons_version(client):
    banner = subprocess.run(["transmission-daemon", "--version"], capture_output=True, text=True)
    version = client.test_connection()
    assert version.name == "Transmission"
    assert version.version and version.version in banner.stdout + banner.stderr


def test_wrong_password_is_a_permanent_error_naming_transmission(transmission):
    adapter = TransmissionClient(transmission.client_settings(password="not-the-password"))
    with pytest.raises(AuthenticationFailed) as caught:
        adapter.test_connection()
    assert not caught.value.transient
    assert "Transmission" in str(caught.value) and "password" in str(caught.value)


def test_a_stale_session_id_is_renewed_from_the_409_reply(client):
    client.test_connection()
    client._auth.session_id = "expired-session-id"
    assert client.download_folder()
    assert client._auth.session_id not in ("", "expired-session-id")


def test_a_wrong_url_base_says_where_the_rpc_is(transmission):
    adapter = TransmissionClient(transmission.client_settings(base_path="/not-transmission"))
    with pytest.raises(BadResponse, match="/transmission/rpc"):  # the daemon answers its web page there
        adapter.test_connection()


@pytest.mark.parametrize(
    ("base_path", "expected"),
    [
        ("", "http://h:9091/transmission"),
        ("/transmission/", "http://h:9091/transmission"),
        ("/transmission/rpc", "http://h:9091/transmission"),
        ("/transmission/web/", "http://h:9091/transmission"),
        ("/proxy/tr", "http://h:9091/proxy/tr"),
    ],
)
def test_rpc_base_url_takes_the_forms_people_paste(base_path, expected):
    assert rpc_base_url(ClientSettings(name="t", url="http://h:9091/", base_path=base_path)) == expected


def test_add_torrent_file_returns_its_info_hash_paused_and_labelled(transmission, new_torrent):
    adapter = TransmissionClient(transmission.client_settings(categories=CATEGORIES, add_paused=True))
    torrent = new_torrent()
    job_id = adapter.add(torrent_request(torrent))
    assert job_id == torrent.info_hash
    status = wait_until(lambda: (s := adapter.status(job_id)).raw_status == "paused" and s, what="paused")
    assert status.state == JobState.QUEUED
    assert status.name == torrent.path.name and status.category == "omni-books"
    assert status.size_bytes == torrent.path.stat().st_size and status.left_bytes == status.size_bytes
    assert "omni-books" in adapter.list_categories()


















def test_missing_data_after_a_verify_is_a_failure_with_the_clients_message(client, transmission, new_torrent):
    torrent = new_torrent()
    copy = transmission.downloads / torrent.path.name
    shutil.copy(torrent.path, copy)
    job_id = client.add(torrent_request(torrent))
    state_of(client, job_id, JobState.COMPLETED)
    copy.unlink()
    client.rpc("torrent-verify", ids=[job_id])
    failed = state_of(client, job_id, JobState.FAILED)
    assert "No data found" in failed.fail_message and failed.storage_path == "" and not failed.seeding


def test_labels_are_free_form_so_create_category_is_a_no_op(client):
    before = client.list_categories()
    client.create_category("never-used-label")
    assert client.list_categories() == before


def test_download_folder_is_the_daemons_download_dir(client, transmission):
    assert client.download_folder() == str(transmission.downloads)


def test_daemon_stopped_mid_download_is_retryable_and_the_job_survives_a_restart(client, transmission, new_torrent):
    job_id = client.add(torrent_request(new_torrent()))
    state_of(client, job_id, JobState.DOWNLOADING)
    transmission.stop()
    try:
        with pytest.raises(ServiceUnavailable) as caught:
            client.status(job_id)
        assert caught.value.transient and "Transmission" in str(caught.value)
    finally:
        transmission.start()
    # the restarted daemon hands out a new session id (renewed by the 409) and reloads its torrents
    state_of(client, job_id, JobState.DOWNLOADING)


@pytest.mark.parametrize(
    ("code", "left", "error", "expected", "seeding"),
    [
        (0, 10, 0, JobState.QUEUED, False),  # paused
        (0, 0, 0, JobState.COMPLETED, False),  # finished seeding (or paused when complete)
        (1, 10, 0, JobState.QUEUED, False),
        (2, 10, 0, JobState.QUEUED, False),
        (3, 10, 0, JobState.QUEUED, False),
        (4, 10, 0, JobState.DOWNLOADING, False),
        (4, 10, 2, JobState.DOWNLOADING, False),  # a tracker error is not the download's failure
        (5, 0, 0, JobState.COMPLETED, True),  # queued to seed: still seeding, never move its files
        (6, 0, 0, JobState.COMPLETED, True),
        (4, 10, 3, JobState.FAILED, False),  # local error: disk full, data missing
    ],
)
def test_every_transmission_status_maps_to_a_job_state(code, left, error, expected, seeding):
    raw = {
        "hashString": "A" * 40,
        "status": code,
        "leftUntilDone": left,
        "percentDone": 0.5 if left else 1.0,
        "error": error,
        "errorString": "boom" if error else "",
        "name": "b.epub",
        "downloadDir": "/dl",
    }
    status = torrent_status(raw)
    assert (status.job_id, status.state, status.seeding) == ("a" * 40, expected, seeding)
    assert status.storage_path == ("/dl/b.epub" if expected == JobState.COMPLETED else "")
    assert status.fail_message == ("boom" if expected == JobState.FAILED else "")
