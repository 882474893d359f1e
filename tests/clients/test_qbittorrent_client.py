"""The qBittorrent adapter against the real qbittorrent-nox (4.5.2 from Debian) on loopback:
real downloads from a seeding qbittorrent-nox through opentracker."""

from __future__ import annotations

import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from core.errors import AuthenticationFailed, BadResponse, ServiceUnavailable
from downloaders.clients.base import AddRequest, ClientSettings, JobState
from downloaders.clients.qbittorrent import QbittorrentClient
from downloaders.clients.registry import CLIENTS, client_for
from tests.clients.swarm import QBIT_PASSWORD, QBIT_USER, Qbittorrent, seed_book


def _settings(qbit: Qbittorrent, **extra) -> ClientSettings:
    values = {"name": "qbit", "url": qbit.url, "username": QBIT_USER, "password": QBIT_PASSWORD, "timeout": 5.0}
    return ClientSettings(**(values | extra))


@pytest.fixture
def client(qbittorrent):
    adapter = QbittorrentClient(_settings(qbittorrent, categories=(("ebook", "books"),)))
    yield adapter
    adapter.close()


def _unseeded_magnet() -> tuple[str, str]:
    """A magnet nobody seeds: qBittorrent keeps it looking for metadata (mid-download)."""
    info_hash = secrets.token_hex(20)
    return f"magnet:?xt=urn:btih:{info_hash}&dn=Nobody+Seeds+This", info_hash


def _wait_state(client, job_id: str, state: str, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.status(job_id)
        if status.state == state:
            return status
        time.sleep(0.1)
    raise AssertionError(f"{job_id} never became {state}: {client.status(job_id)}")


def test_connection_reports_the_real_version(client):
    assert client.test_connection().version == "4.5.2"


def test_wrong_password_is_a_clear_permanent_error(qbittorrent):
    adapter = QbittorrentClient(_settings(qbittorrent, password="not-the-password"))
    with pytest.raises(AuthenticationFailed) as caught:
        adapter.test_connection()
    adapter.close()
    assert not caught.value.transient
    assert "qBittorrent (qbit): wrong username or password" in caught.value.message
    assert "Web UI" in caught.value.hint


def test_magnet_is_added_under_its_category_and_paused_when_asked(qbittorrent):
    adapter = QbittorrentClient(_settings(qbittorrent, categories=(("ebook", "books"),), add_paused=True))
    magnet, info_hash = _unseeded_magnet()
    job_id = adapter.add(AddRequest(magnet, "Nobody Seeds This", "ebook", link_kind="magnet"))
    status = adapter.status(job_id)
    adapter.remove(job_id)
    adapter.close()
    assert job_id == info_hash
    assert (status.state, status.raw_status, status.category) == (JobState.QUEUED, "pausedDL", "books")


def test_adding_the_same_magnet_twice_returns_the_same_job(client):
    magnet, info_hash = _unseeded_magnet()
    first = client.add(AddRequest(magnet, "twice", "ebook", link_kind="magnet"))
    second = client.add(AddRequest(magnet, "twice", "ebook", link_kind="magnet"))  # qBittorrent says "Fails."
    client.remove(first)
    assert first == second == info_hash


def test_torrent_file_downloads_from_the_seeder_and_keeps_seeding(client, seeder, tracker, tmp_path):
    book = seed_book(seeder, tracker, tmp_path / "seed", title="The Martian", author="Andy Weir")
    job_id = client.add(AddRequest("", book.name, "ebook", link_kind="torrent_url", content=book.torrent))
    done = _wait_state(client, job_id, JobState.COMPLETED)
    client.remove(job_id, delete_files=True)
    assert job_id == book.info_hash
    assert Path(done.storage_path).name == book.path.name
    assert done.seeding and done.raw_status in ("uploading", "stalledUP")
    assert done.progress == 100.0 and done.size_bytes == book.path.stat().st_size
    assert done.ratio is not None and done.seeding_seconds is not None


def _serve_once(body: bytes) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            return

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/x-bittorrent")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/download/1.torrent"


def test_http_torrent_url_is_found_again_by_its_tag_and_the_tag_removed(client, seeder, tracker, tmp_path, qbittorrent):
    book = seed_book(seeder, tracker, tmp_path / "seed", title="Artemis", author="Andy Weir")
    server, url = _serve_once(book.torrent)
    try:
        job_id = client.add(AddRequest(url, book.name, "ebook", link_kind="torrent_url"))
    finally:
        server.shutdown()
        server.server_close()
    done = _wait_state(client, job_id, JobState.COMPLETED)
    with qbittorrent.session() as raw:
        tags = raw.get("/api/v2/torrents/tags").json()
    downloaded = Path(done.storage_path).read_bytes()
    client.remove(job_id, delete_files=True)
    assert job_id == book.info_hash and downloaded == book.path.read_bytes()
    assert not [t for t in tags if t.startswith("omnireadarr-")]


def test_unreachable_torrent_url_is_reported(client, monkeypatch):
    monkeypatch.setattr("downloaders.clients.qbittorrent.TAG_WAIT_SECONDS", 1.0)
    with pytest.raises(BadResponse, match="did not appear after the add"):
        client.add(AddRequest("http://127.0.0.1:9/gone.torrent", "gone", "ebook", link_kind="torrent_url"))


def test_pause_and_resume(client):
    magnet, _ = _unseeded_magnet()
    job_id = client.add(AddRequest(magnet, "pause me", "ebook", link_kind="magnet"))
    client.pause(job_id)
    paused = _wait_state(client, job_id, JobState.QUEUED)
    client.resume(job_id)
    resumed = _wait_state(client, job_id, JobState.DOWNLOADING)
    client.remove(job_id)
    assert paused.raw_status == "pausedDL"
    assert resumed.raw_status in ("metaDL", "stalledDL", "downloading")


def test_remove_keeps_or_deletes_the_files(client, seeder, tracker, tmp_path):
    kept = seed_book(seeder, tracker, tmp_path / "a", title="Kept Book", author="A Writer")
    deleted = seed_book(seeder, tracker, tmp_path / "b", title="Deleted Book", author="A Writer")
    paths = {}
    for book in (kept, deleted):
        client.add(AddRequest("", book.name, "ebook", link_kind="torrent_url", content=book.torrent))
        paths[book.info_hash] = Path(_wait_state(client, book.info_hash, JobState.COMPLETED).storage_path)
    client.remove(kept.info_hash)
    client.remove(deleted.info_hash, delete_files=True)
    deadline = time.monotonic() + 10
    while paths[deleted.info_hash].exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert client.statuses([kept.info_hash, deleted.info_hash]) == {
        kept.info_hash: client.status(kept.info_hash),
        deleted.info_hash: client.status(deleted.info_hash),
    }
    assert client.status(kept.info_hash).state == client.status(deleted.info_hash).state == JobState.MISSING
    assert paths[kept.info_hash].read_bytes() == kept.path.read_bytes()
    assert not paths[deleted.info_hash].exists()


def test_categories_are_listed_and_created_once(client):
    name = f"omni-{secrets.token_hex(3)}"
    assert name not in client.list_categories()
    client.create_category(name)
    client.create_category(name)  # already there: left alone, no error
    assert name in client.list_categories()


def test_download_folder_is_the_clients_save_path(client, qbittorrent):
    assert client.download_folder() == str(qbittorrent.downloads)


def test_daemon_stopped_mid_download_is_a_retryable_unreachable_error(swarm_dir):
    qbit = Qbittorrent(swarm_dir / f"stopped-{secrets.token_hex(3)}").start()
    adapter = QbittorrentClient(_settings(qbit))
    try:
        magnet, _ = _unseeded_magnet()
        job_id = adapter.add(AddRequest(magnet, "mid-download", "ebook", link_kind="magnet"))
        assert adapter.status(job_id).state == JobState.DOWNLOADING
        qbit.stop()
        with pytest.raises(ServiceUnavailable) as caught:
            adapter.status(job_id)
    finally:
        adapter.close()
        qbit.stop()
    assert caught.value.transient and "qBittorrent (qbit) is not answering at" in caught.value.message


def test_qbittorrent_is_registered_with_what_the_settings_form_needs():
    factory = CLIENTS["qbittorrent"]
    assert (factory.label, factory.fields, factory.default_port) == (
        "qBittorrent",
        ("url", "username", "password"),
        8080,
    )
    assert set(factory.protocols) == {"torrent_url", "magnet"}
    assert isinstance(client_for("qbittorrent", ClientSettings(name="q", url="http://x.test")), QbittorrentClient)
