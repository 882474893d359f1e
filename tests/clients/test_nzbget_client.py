"""The NZBGet adapter against the real nzbget (21.0 on Debian 12) downloading real EPUBs,
posted as yEnc articles, from the test news server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.errors import AuthenticationFailed, BadResponse, ConfigurationError, NotFound, ServiceUnavailable
from downloaders.clients.base import AddRequest, JobState
from downloaders.clients.nzbget import NzbgetClient, history_status, nzb_filename, queue_status
from downloaders.clients.registry import CLIENTS, client_for
from tests.clients.conftest import start_nzbget
from tests.clients.torrent_daemons import wait_until


@pytest.fixture
def client(nzbget):
    adapter = NzbgetClient(nzbget.client_settings())
    yield adapter
    adapter.close()


def request_for(posted, **kwargs) -> AddRequest:
    return AddRequest(url="", name=posted.name, kind="ebook", content=posted.nzb, **kwargs)


def finished(client, job_id):
    return wait_until(
        lambda: (s := client.status(job_id)).state in (JobState.COMPLETED, JobState.FAILED) and s,
        what=f"NZBGet job {job_id} finished",
    )


def test_the_registry_offers_nzbget_with_its_form_fields():
    factory = CLIENTS["nzbget"]
    assert factory is NzbgetClient
    assert (factory.label, factory.fields, factory.default_port, factory.protocols) == (
        "NZBGet",
        ("url", "username", "password"),
        6789,
        ("nzb_url",),
    )


def test_connection_reports_the_version(client):
    version = client.test_connection()
    assert version.name == "NZBGet" and version.version == "21.0"


def test_an_nzb_sent_as_content_downloads_the_epub_into_the_category_folder(client, nzbget, post_epub):
    posted = post_epub()
    job_id = client.add(request_for(posted))
    status = finished(client, job_id)
    assert status.state == JobState.COMPLETED, status.fail_message
    assert status.category == "ebooks" and status.progress == 100.0
    downloaded = [p for p in (nzbget.dest_dir / "ebooks").rglob("*.epub") if p.name == posted.epub.name]
    assert [str(p.parent) for p in downloaded] == [status.storage_path]
    assert downloaded[0].read_bytes() == posted.epub.read_bytes()
    assert status.size_bytes and status.size_bytes >= posted.epub.stat().st_size


def test_every_byte_value_survives_the_yenc_round_trip(client, nzbget, news_server):
    data = bytes(range(256)) * 50 + b". leading dot\r\n=ybegin\x00"
    nzb = news_server.post("all-bytes.bin", data, part_size=4000)
    job_id = client.add(AddRequest(url="", name="All Bytes", kind="ebook", content=nzb))
    status = finished(client, job_id)
    assert status.state == JobState.COMPLETED, status.fail_message
    assert (nzbget.dest_dir / "ebooks" / "All Bytes" / "all-bytes.bin").read_bytes() == data


def test_an_nzb_url_is_fetched_by_nzbget(client, post_epub, file_server):
    folder, base = file_server
    posted = post_epub()
    (folder / "release.nzb").write_bytes(posted.nzb)
    job_id = client.add(AddRequest(url=f"{base}/release.nzb", name=posted.name, kind="ebook"))
    status = finished(client, job_id)
    assert status.state == JobState.COMPLETED, status.fail_message
    assert status.name == posted.name  # named after the release, not the URL


def test_added_paused_waits_until_resumed(nzbget, post_epub):
    client = NzbgetClient(nzbget.client_settings(add_paused=True))
    job_id = client.add(request_for(post_epub()))
    status = client.status(job_id)
    assert (status.state, status.raw_status) == (JobState.QUEUED, "paused")
    client.resume(job_id)
    assert finished(client, job_id).state == JobState.COMPLETED


def test_a_running_download_pauses(client, post_epub):
    job_id = client.add(request_for(post_epub(delay=0.3, part_size=200)))
    client.pause(job_id)  # articles already being fetched finish first
    wait_until(lambda: client.status(job_id).raw_status == "paused", what="paused")
    assert client.status(job_id).state == JobState.QUEUED
    client.resume(job_id)
    assert finished(client, job_id).state == JobState.COMPLETED


def test_remove_from_the_queue_makes_it_missing(client, post_epub):
    job_id = client.add(request_for(post_epub(delay=0.5)))
    client.remove(job_id, delete_files=True)
    assert client.status(job_id).state == JobState.MISSING


def test_remove_from_the_history_keeps_the_downloaded_files(client, post_epub):
    job_id = client.add(request_for(post_epub()))
    storage = finished(client, job_id).storage_path
    client.remove(job_id)
    assert client.status(job_id).state == JobState.MISSING
    assert any(p.suffix == ".epub" for p in Path(storage).iterdir())


def test_missing_articles_fail_with_a_message(client, post_epub):
    job_id = client.add(request_for(post_epub(drop_parts=(2, 3))))
    status = finished(client, job_id)
    assert status.state == JobState.FAILED
    assert "missing" in status.fail_message and status.raw_status == "failure/health"
    assert status.storage_path == ""


def test_a_malformed_nzb_fails_with_a_message(client):
    job_id = client.add(AddRequest(url="", name="Not An NZB", kind="ebook", content=b"<html>login</html>"))
    status = finished(client, job_id)
    assert status.state == JobState.FAILED and "malformed" in status.fail_message


def test_the_same_nzb_twice_fails_as_a_duplicate(client, post_epub):
    posted = post_epub()
    first = client.add(request_for(posted))
    assert finished(client, first).state == JobState.COMPLETED
    second = client.add(request_for(posted))
    status = finished(client, second)
    assert status.state == JobState.FAILED and "duplicate" in status.fail_message, status


def test_categories_are_listed_and_created_without_a_restart(client, nzbget, post_epub):
    assert {"ebooks", "audiobooks"} <= set(client.list_categories())
    client.create_category("comics")
    client.create_category("Comics")  # already there: left alone
    assert [c.lower() for c in client.list_categories()].count("comics") == 1
    assert re.search(r"^Category\d+\.Name=comics$", nzbget.config_file.read_text(), re.M)
    comics = NzbgetClient(nzbget.client_settings(categories=(("comic", "comics"),)))
    posted = post_epub()
    job_id = comics.add(AddRequest(url="", name=posted.name, kind="comic", content=posted.nzb))
    status = finished(comics, job_id)
    assert status.category == "comics" and status.storage_path.startswith(str(nzbget.dest_dir / "comics"))


def test_download_folder_is_nzbgets_destdir(client, nzbget):
    assert client.download_folder() == str(nzbget.dest_dir)


def test_wrong_credentials_raise_a_permanent_error_naming_nzbget(nzbget):
    client = NzbgetClient(nzbget.client_settings(password="wrong"))
    with pytest.raises(AuthenticationFailed) as caught:
        client.test_connection()
    assert not caught.value.transient and "NZBGet" in str(caught.value) and "ControlPassword" in str(caught.value)


def test_a_pasted_url_with_credentials_and_jsonrpc_works(nzbget):
    settings = nzbget.client_settings()
    pasted = f"http://{settings.username}:{settings.password}@127.0.0.1:{nzbget.port}/jsonrpc"
    client = client_for("nzbget", nzbget.client_settings(url=pasted, username="", password=""))
    assert client.test_connection().version == "21.0"


def test_unknown_jobs_are_missing_and_cannot_be_paused(client):
    assert client.statuses(["99999", "not-a-number"]) == {
        "99999": client.status("99999"),
        "not-a-number": client.status("not-a-number"),
    }
    assert client.status("99999").state == JobState.MISSING
    with pytest.raises(NotFound):
        client.pause("99999")
    client.remove("99999")  # nothing to remove: no error


def test_a_torrent_is_refused_before_sending(client):
    with pytest.raises(ConfigurationError):
        client.add(AddRequest(url="magnet:?xt=urn:btih:" + "a" * 40, name="x", kind="ebook", link_kind="magnet"))


def test_a_daemon_stopped_mid_download_is_a_retryable_error(tmp_path, news_server, post_epub):
    daemon = start_nzbget(tmp_path / "nzbget", news_server)
    try:
        client = NzbgetClient(daemon.client_settings(timeout=2.0))
        job_id = client.add(request_for(post_epub(delay=1.0)))
        wait_until(lambda: client.status(job_id).state == JobState.DOWNLOADING, what="download running")
        daemon.stop()
        with pytest.raises(ServiceUnavailable) as caught:
            client.status(job_id)
        assert caught.value.transient and "NZBGet" in str(caught.value)
    finally:
        daemon.stop()


def test_a_json_rpc_error_is_a_bad_response(client):
    with pytest.raises(BadResponse, match="Invalid procedure"):
        client.rpc("no_such_method")


# --- the state tables, on replies of the real NZBGet 21.0 (fields trimmed) --------------------

HISTORY_ROW = {"NZBID": 7, "NZBName": "Book", "Category": "ebooks", "DestDir": "/dl/ebooks/Book", "FinalDir": ""}


@pytest.mark.parametrize(
    ("raw", "state", "message"),
    [
        ("SUCCESS/HEALTH", JobState.COMPLETED, ""),
        ("SUCCESS/ALL", JobState.COMPLETED, ""),
        ("SUCCESS/UNPACK", JobState.COMPLETED, ""),
        ("WARNING/SCRIPT", JobState.COMPLETED, ""),
        ("WARNING/HEALTH", JobState.FAILED, "missing"),
        ("WARNING/PASSWORD", JobState.FAILED, "password"),
        ("FAILURE/UNPACK", JobState.FAILED, "unpacking"),
        ("FAILURE/HEALTH", JobState.FAILED, "missing"),
        ("DELETED/DUPE", JobState.FAILED, "duplicate"),
        ("DELETED/MANUAL", JobState.MISSING, ""),
        ("FAILURE/SOMETHING_NEW", JobState.FAILED, "FAILURE/SOMETHING_NEW"),
    ],
)
def test_history_states(raw, state, message):
    status = history_status({**HISTORY_ROW, "Status": raw})
    assert status.state == state and message in status.fail_message
    assert status.storage_path == ("/dl/ebooks/Book" if state == JobState.COMPLETED else "")


def test_a_final_dir_set_by_a_script_wins_over_dest_dir():
    status = history_status({**HISTORY_ROW, "Status": "SUCCESS/ALL", "FinalDir": "/library/in/Book"})
    assert status.storage_path == "/library/in/Book"


@pytest.mark.parametrize(
    ("raw", "state"),
    [
        ("QUEUED", JobState.QUEUED),
        ("PAUSED", JobState.QUEUED),
        ("FETCHING", JobState.QUEUED),
        ("DOWNLOADING", JobState.DOWNLOADING),
        ("PP_QUEUED", JobState.POST_PROCESSING),
        ("REPAIRING", JobState.POST_PROCESSING),
        ("UNPACKING", JobState.POST_PROCESSING),
        ("MOVING", JobState.POST_PROCESSING),
    ],
)
def test_queue_states_and_progress_from_the_64_bit_sizes(raw, state):
    group = {
        "NZBID": 3,
        "Status": raw,
        "FileSizeLo": 0,
        "FileSizeHi": 1,
        "RemainingSizeLo": 1 << 30,
        "RemainingSizeHi": 0,
    }
    status = queue_status(group)
    assert status.state == state and status.size_bytes == 1 << 32 and status.progress == 75.0


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Andy.Weir.-.Project.Hail.Mary.2021.EPUB", "Andy.Weir.-.Project.Hail.Mary.2021.EPUB.nzb"),
        ("../../etc/passwd", "_-..-etc-passwd.nzb"),
        ("", "download.nzb"),
        ("x" * 400, "x" * 200 + ".nzb"),
    ],
)
def test_nzb_file_names_are_safe(name, expected):
    assert nzb_filename(name) == expected
