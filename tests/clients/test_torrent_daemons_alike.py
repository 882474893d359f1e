"""What the Transmission and Deluge adapters do alike, each against its real daemon: a torrent
is known by its info hash however it was added, pause/resume, removing with or without the data,
data already on disk completing and seeding. (qBittorrent's cases download through the loopback
swarm instead: test_qbittorrent_client.py; what every client does: test_client_conformance.py.)"""

from __future__ import annotations

import shutil

import pytest

from core.errors import NotFound
from downloaders.clients.base import AddRequest, JobState
from downloaders.clients.registry import client_for
from tests.clients.torrent_daemons import wait_until

CATEGORIES = (("ebook", "omni-books"), ("audiobook", "omni-audio"))


@pytest.fixture(params=["transmission", "deluge"])
def daemon(request):
    return request.getfixturevalue(request.param)


@pytest.fixture
def client(request, daemon):
    adapter = client_for(request.node.callspec.params["daemon"], daemon.client_settings(categories=CATEGORIES))
    yield adapter
    adapter.close()


def torrent_request(torrent, *, kind="ebook") -> AddRequest:
    return AddRequest(url="", name=torrent.path.stem, kind=kind, link_kind="torrent_url", content=torrent.torrent)


def state_of(client, job_id, state, *, raw: str = "", seeding: bool = False):
    """Waits until the job is in `state` (and its raw status, lower-cased, starts with `raw`; and
    it seeds, when asked: a daemon may show a checked torrent as stopped for a moment first)."""

    def reached():
        status = client.status(job_id)
        return (
            status.state == state and status.raw_status.lower().startswith(raw) and status.seeding >= seeding
        ) and status

    return wait_until(reached, what=f"{job_id} {state} {raw}")


def test_adding_the_same_torrent_twice_returns_the_same_job(client, new_torrent):
    torrent = new_torrent()
    assert client.add(torrent_request(torrent)) == client.add(torrent_request(torrent)) == torrent.info_hash


def test_add_magnet_is_known_by_its_hash_while_it_looks_for_peers(client, new_torrent):
    torrent = new_torrent()
    job_id = client.add(AddRequest(url=torrent.magnet, name="x", kind="audiobook", link_kind="magnet"))
    assert job_id == torrent.info_hash
    status = state_of(client, job_id.upper(), JobState.DOWNLOADING)
    assert status.progress == 0 and status.name == torrent.path.name and status.category == "omni-audio"


def test_add_torrent_url_is_fetched_by_the_client(client, new_torrent, torrent_server):
    torrent = new_torrent()
    (torrent_server.folder / f"{torrent.info_hash}.torrent").write_bytes(torrent.torrent)
    url = torrent_server.url(f"{torrent.info_hash}.torrent")
    job_id = client.add(AddRequest(url=url, name="x", kind="ebook", link_kind="torrent_url"))
    assert job_id == torrent.info_hash
    assert client.status(job_id).size_bytes == torrent.path.stat().st_size


def test_pause_and_resume(client, new_torrent):
    job_id = client.add(torrent_request(new_torrent()))
    state_of(client, job_id, JobState.DOWNLOADING)
    client.pause(job_id)
    state_of(client, job_id, JobState.QUEUED, raw="paused")
    client.resume(job_id)
    state_of(client, job_id, JobState.DOWNLOADING, raw="downloading")


def test_pause_of_an_unknown_torrent_is_not_found(client):
    with pytest.raises(NotFound):
        client.pause("0" * 40)


def test_unknown_hash_is_missing_and_removing_it_is_harmless(client):
    assert client.statuses(["1" * 40])["1" * 40].state == JobState.MISSING
    client.remove("1" * 40)


def test_data_already_on_disk_completes_and_seeds_then_remove_keeps_the_file(client, daemon, new_torrent):
    torrent = new_torrent()
    shutil.copy(torrent.path, daemon.downloads / torrent.path.name)
    job_id = client.add(torrent_request(torrent))
    done = state_of(client, job_id, JobState.COMPLETED, seeding=True)
    assert done.progress == 100 and done.left_bytes == 0
    assert done.storage_path == str(daemon.downloads / torrent.path.name)
    assert done.size_bytes == torrent.path.stat().st_size
    client.remove(job_id, delete_files=False)
    state_of(client, job_id, JobState.MISSING)
    assert (daemon.downloads / torrent.path.name).read_bytes() == torrent.path.read_bytes()


def test_remove_with_delete_files_deletes_the_data(client, daemon, new_torrent):
    torrent = new_torrent()
    copy = daemon.downloads / torrent.path.name
    shutil.copy(torrent.path, copy)
    job_id = client.add(torrent_request(torrent))
    state_of(client, job_id, JobState.COMPLETED)
    client.remove(job_id, delete_files=True)
    state_of(client, job_id, JobState.MISSING)
    wait_until(lambda: not copy.exists(), what="data deleted")
    assert torrent.path.exists()  # the source the test made is elsewhere and untouched
