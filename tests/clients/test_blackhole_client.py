"""The blackhole (watch folder) client with real files in temporary folders: what it writes
into the watch folder, how it finds the finished download, and what it never deletes."""

from __future__ import annotations

import hashlib
import os

import pytest

from core.errors import BadResponse, ConfigurationError, InvalidInput, NotFound
from downloaders.clients.base import AddRequest, ClientSettings, JobState
from downloaders.clients.blackhole import BlackholeClient
from downloaders.clients.registry import CLIENTS
from tests.acquisition.fakes import write_epub

NZB = b'<?xml version="1.0"?>\n<nzb xmlns="http://www.newzbin.com/DTD/2003/nzb"><file subject="x"/></nzb>\n'


def bencode(value) -> bytes:
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, bytes | str):
        data = value.encode() if isinstance(value, str) else value
        return b"%d:%s" % (len(data), data)
    if isinstance(value, list):
        return b"l" + b"".join(bencode(v) for v in value) + b"e"
    return b"d" + b"".join(bencode(k) + bencode(value[k]) for k in sorted(value)) + b"e"


def torrent_of(name: str, data: bytes) -> bytes:
    """A real single-file .torrent (BEP 3) of `data` named `name`."""
    pieces = b"".join(hashlib.sha1(data[i : i + 16384]).digest() for i in range(0, len(data), 16384))
    info = {"length": len(data), "name": name, "piece length": 16384, "pieces": pieces}
    return bencode({"announce": "http://127.0.0.1:9/announce", "info": info})


@pytest.fixture
def folders(tmp_path):
    watch, completed = tmp_path / "watch", tmp_path / "completed"
    watch.mkdir()
    completed.mkdir()
    return watch, completed


@pytest.fixture
def client(folders):
    watch, completed = folders
    return BlackholeClient(
        ClientSettings(name="hole", url="", watch_folder=str(watch), completed_folder=str(completed))
    )


def nzb_request(name: str, **kwargs) -> AddRequest:
    return AddRequest(url="", name=name, kind="ebook", content=NZB, **kwargs)


def test_the_registry_offers_the_blackhole_with_its_folders():
    factory = CLIENTS["blackhole"]
    assert factory is BlackholeClient
    assert factory.fields == ("watch_folder", "completed_folder")
    assert set(factory.protocols) == {"nzb_url", "torrent_url", "magnet"}


def test_an_nzb_is_written_whole_into_the_watch_folder_and_waits_there(client, folders):
    job_id = client.add(nzb_request("Andy Weir - Project Hail Mary [EPUB]"))
    watch, _ = folders
    assert job_id == "Andy Weir - Project Hail Mary [EPUB].nzb"
    assert (watch / job_id).read_bytes() == NZB
    assert sorted(os.listdir(watch)) == [".omnireadarr-jobs", job_id]  # no partial file left behind
    assert client.status(job_id).state == JobState.QUEUED


def test_once_the_downloader_takes_the_file_it_is_downloading(client, folders):
    job_id = client.add(nzb_request("Some Book"))
    (folders[0] / job_id).unlink()  # the other program consumed it
    assert client.status(job_id).state == JobState.DOWNLOADING


def test_the_finished_download_in_the_completed_folder_completes_the_job(client, folders):
    job_id = client.add(nzb_request("Andy.Weir.-.Project.Hail.Mary.2021.EPUB"))
    (folders[0] / job_id).unlink()
    done = folders[1] / "Andy Weir - Project Hail Mary 2021 EPUB"  # punctuation and case may differ
    write_epub(done / "book.epub", "Project Hail Mary")
    status = client.status(job_id)
    assert (status.state, status.storage_path, status.progress) == (JobState.COMPLETED, str(done), 100.0)


def test_a_torrent_is_named_after_its_own_name_and_found_as_a_single_file(client, folders):
    torrent = torrent_of("Project Hail Mary.epub", b"x" * 40000)
    job_id = client.add(
        AddRequest(url="", name="Release Title", kind="ebook", link_kind="torrent_url", content=torrent)
    )
    assert job_id == "Project Hail Mary.epub.torrent" and (folders[0] / job_id).read_bytes() == torrent
    single = write_epub(folders[1] / "Project Hail Mary.epub", "Project Hail Mary")
    assert client.status(job_id).storage_path == str(single)


def test_a_magnet_is_written_as_a_magnet_file(client, folders):
    magnet = "magnet:?xt=urn:btih:" + "c" * 40 + "&dn=The+Martian+EPUB"
    job_id = client.add(AddRequest(url=magnet, name="Release", kind="ebook", link_kind="magnet"))
    assert job_id == "The Martian EPUB.magnet"
    assert (folders[0] / job_id).read_text() == magnet + "\n"


def test_a_url_is_fetched_and_checked_before_it_is_written(client, folders, file_server):
    served, base = file_server
    (served / "good.nzb").write_bytes(NZB)
    (served / "login.nzb").write_bytes(b"<html><body>Please log in</body></html>")
    job_id = client.add(AddRequest(url=f"{base}/good.nzb", name="Fetched Book", kind="ebook"))
    assert (folders[0] / job_id).read_bytes() == NZB
    with pytest.raises(BadResponse, match=r"not an \.nzb"):
        client.add(AddRequest(url=f"{base}/login.nzb", name="Login Page", kind="ebook"))
    with pytest.raises(NotFound):
        client.add(AddRequest(url=f"{base}/gone.nzb", name="Gone", kind="ebook"))
    assert [p.name for p in folders[0].glob("*.nzb")] == [job_id]


def test_release_names_cannot_leave_the_watch_folder_or_hide(client, folders):
    job_ids = [client.add(nzb_request(name)) for name in ("../../etc/cron.d/evil", ".hidden", "a/b\\c", "x" * 500)]
    assert all("/" not in j and "\\" not in j and not j.startswith(".") for j in job_ids)
    assert len(job_ids[3].encode()) <= 204
    assert sorted(p.name for p in folders[0].iterdir() if p.is_file()) == sorted(job_ids)
    assert not (folders[0].parent / "etc").exists()


def test_the_same_release_twice_gets_a_second_file(client, folders):
    first, second = client.add(nzb_request("Same Book")), client.add(nzb_request("Same Book"))
    assert (first, second) == ("Same Book.nzb", "Same Book (1).nzb")
    assert client.status(second).state == JobState.QUEUED


def test_remove_deletes_only_our_watch_file(client, folders):
    watch, completed = folders
    job_id = client.add(nzb_request("Keep My Files"))
    download = write_epub(completed / "Keep My Files" / "book.epub", "Keep")
    (watch / "someone-else.nzb").write_bytes(NZB)
    client.remove(job_id)
    assert not (watch / job_id).exists() and download.exists() and (watch / "someone-else.nzb").exists()
    assert client.status(job_id).state == JobState.MISSING  # no longer ours, though its files stay


def test_remove_with_delete_files_deletes_the_download_inside_the_completed_folder(client, folders):
    completed = folders[1]
    job_id = client.add(nzb_request("Delete Me"))
    write_epub(completed / "Delete Me" / "book.epub", "Delete")
    client.remove(job_id, delete_files=True)
    assert not (completed / "Delete Me").exists() and client.status(job_id).state == JobState.MISSING
    assert completed.is_dir()


def test_a_symlinked_download_pointing_outside_is_not_followed(client, folders, tmp_path):
    outside = write_epub(tmp_path / "library" / "Precious" / "book.epub", "Precious")
    job_id = client.add(nzb_request("Precious"))
    (folders[1] / "Precious").symlink_to(outside.parent)
    client.remove(job_id, delete_files=True)
    assert outside.exists()


def test_job_ids_that_are_not_our_file_names_are_missing_and_never_deleted(client, folders):
    (folders[0] / "notes.txt").write_text("mine")
    for job_id in ("../watch/notes.txt", "notes.txt", "", ".nzb"):
        assert client.status(job_id).state == JobState.MISSING
        client.remove(job_id, delete_files=True)
    assert (folders[0] / "notes.txt").exists()


def test_missing_or_relative_folders_are_a_configuration_error(tmp_path):
    for watch in ("", "relative/watch", str(tmp_path / "absent")):
        client = BlackholeClient(
            ClientSettings(name="hole", url="", watch_folder=watch, completed_folder=str(tmp_path))
        )
        with pytest.raises(ConfigurationError, match="watch folder"):
            client.test_connection()


def test_connection_checks_both_folders_and_download_folder_is_the_completed_one(client, folders):
    assert client.test_connection().version
    assert client.download_folder() == str(folders[1])


def test_a_wrong_kind_of_content_or_link_is_refused(client, folders):
    with pytest.raises(BadResponse):
        client.add(AddRequest(url="", name="x", kind="ebook", link_kind="torrent_url", content=NZB))
    with pytest.raises(InvalidInput):
        client.add(AddRequest(url="http://example.org/x", name="x", kind="ebook", link_kind="magnet"))
    assert not list(folders[0].glob("*.*"))


def test_pause_is_not_possible_and_says_so(client):
    with pytest.raises(ConfigurationError, match="cannot pause"):
        client.pause("x.nzb")
