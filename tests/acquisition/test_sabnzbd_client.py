"""SABnzbd adapter against the recorded replies (real 5.0.0RC3 and the API docs) and the fake."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from core.errors import AuthenticationFailed, BadResponse, ConfigurationError, DownloadClientAuthFailed
from downloaders.clients.base import AddRequest, ClientSettings, JobState
from downloaders.clients.registry import CLIENTS, client_for
from downloaders.clients.sabnzbd import SabnzbdClient, history_status, queue_status

REAL = Path(__file__).resolve().parents[1] / "fixtures/sabnzbd/real-5.0.0RC3"
DOCS = REAL.parent


def _load(path: Path) -> dict:
    return json.loads(path.read_text())


def _client(replies: dict[str, Path | str | tuple[int, str]], seen: list | None = None, **kw) -> SabnzbdClient:
    """A client whose server answers each mode from `replies`: a file, a text, or (status, text)."""

    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        reply = replies[request.url.params["mode"]]
        status, text = reply if isinstance(reply, tuple) else (200, reply)
        body = text.read_text() if isinstance(text, Path) else text
        return httpx.Response(status, text=body, headers={"Content-Type": "text/html;charset=utf-8"})

    settings = ClientSettings(
        name="sab", url="http://sab.test:8080", api_key="key", categories=(("ebook", "books"),), **kw
    )
    return SabnzbdClient(settings, transport=httpx.MockTransport(handler))


def test_version_and_categories_from_real_server():
    client = _client({"version": REAL / "version.json", "get_cats": REAL / "get_cats_after.json"})
    assert client.test_connection().version == "5.0.0RC3"


def test_a_missing_category_does_not_fail_the_connection_test_and_is_listed():
    client = _client({"version": REAL / "version.json", "get_cats": REAL / "get_cats.json"})
    assert client.test_connection().version == "5.0.0RC3"  # the service decides what is missing
    assert client.list_categories() == ["movies", "tv", "audio", "software"]


def test_create_category_uses_set_config_as_recorded_and_skips_existing_ones():
    seen: list[httpx.Request] = []
    client = _client({"get_cats": REAL / "get_cats.json", "set_config": REAL / "set_config_cat_books.json"}, seen)
    client.create_category("books")
    params = seen[-1].url.params
    assert (params["mode"], params["section"], params["keyword"]) == ("set_config", "categories", "books")
    seen.clear()
    client.create_category("Movies")  # exists (case-insensitive): nothing is sent but the listing
    assert [r.url.params["mode"] for r in seen] == ["get_cats"]
    with pytest.raises(ConfigurationError, match="not a usable category"):
        client.create_category("../etc")


# SABnzbd's get_config for one keyword answers {"config": {section: {keyword: value}}}
# (sabnzbd/config.py get_dconfig); no recorded reply exists, so these follow the source.
def _misc(folder: str) -> str:
    return json.dumps({"config": {"misc": {"complete_dir": folder}}})


def test_download_folder_is_the_complete_dir_and_a_relative_one_is_resolved_by_the_server():
    seen: list[httpx.Request] = []
    assert _client({"get_config": _misc("/data/sabnzbd/complete")}, seen).download_folder() == "/data/sabnzbd/complete"
    assert seen[0].url.params["section"] == "misc" and seen[0].url.params["keyword"] == "complete_dir"
    relative = _client({"get_config": _misc("Downloads/complete"),
                        "fullstatus": json.dumps({"status": {"completedir": "/home/sab/Downloads/complete"}})}, seen)
    assert relative.download_folder() == "/home/sab/Downloads/complete"
    assert seen[-1].url.params["skip_dashboard"] == "1"  # never the dashboard's internet lookups


def test_addurl_returns_the_job_id_and_sends_category_name_and_priority():
    seen: list[httpx.Request] = []
    client = _client({"addurl": REAL / "addurl.json"}, seen, priority=1)
    job_id = client.add(AddRequest("http://prowlarr/1/download?link=x", "Test.Author-Test.Book", "ebook"))
    assert job_id == "SABnzbd_nzo_swph1vks"
    params = seen[0].url.params
    assert params["mode"] == "addurl" and params["cat"] == "books" and params["priority"] == "1"
    assert (
        params["nzbname"] == "Test.Author-Test.Book"
        and params["output"] == "json"
        and params["apikey"] == "key"
    )
    assert seen[0].url.path == "/api"


def test_api_lives_under_the_configured_base_path():
    seen: list[httpx.Request] = []
    _client({"version": REAL / "version.json"}, seen, base_path="sabnzbd/").api("version")
    assert seen[0].url.path == "/sabnzbd/api"


def test_plain_text_wrong_key_is_an_authentication_error():
    with pytest.raises(AuthenticationFailed, match="API Key Incorrect"):
        _client({"queue": "API Key Incorrect\n"}).statuses(["x"])


@pytest.mark.parametrize(
    ("body", "says"),
    [("API Key Incorrect", "the API key is wrong"), ("API Key Required", "no API key was sent")],
)
def test_real_servers_403_for_the_key_is_a_download_client_key_error(body, says):
    """SABnzbd 5.0 answers HTTP 403, text/html, the bare message (API_FACTS.md)."""
    with pytest.raises(DownloadClientAuthFailed) as info:
        _client({"queue": (403, body)}).statuses(["x"])
    error = info.value
    assert body in error.message and says in error.message and "API key" in error.hint
    assert (error.code, error.status) == ("download_client_auth", 502)  # never 401: our caller's key is fine


def test_real_servers_404_means_a_wrong_base_path():
    with pytest.raises(ConfigurationError) as info:
        _client({"version": (404, "<html><script>window.location='/'</script></html>")}, base_path="/sabnzbd").api(
            "version"
        )
    assert "/sabnzbd/api" in info.value.message and "base path" in info.value.message
    assert "url_base" in info.value.hint


def test_access_denied_to_this_host_is_not_called_a_key_error():
    with pytest.raises(ConfigurationError, match="refused the connection: Access denied"):
        _client({"queue": (403, "Access denied - Hostname verification failed: https://sabnzbd.org/hostname-check")}).api(
            "queue"
        )


def test_fake_sabnzbd_answers_key_and_path_errors_as_the_real_server(sabnzbd):
    def get(path: str, **params) -> httpx.Response:
        return httpx.get(f"{sabnzbd.url}{path}", params={"output": "json", **params}, timeout=5)

    wrong, missing = get("/api", mode="queue", apikey="wrong"), get("/api", mode="queue")
    assert (wrong.status_code, wrong.text, wrong.headers["content-type"]) == (
        403,
        "API Key Incorrect",
        "text/html;charset=utf-8",
    )
    assert (missing.status_code, missing.text) == (403, "API Key Required")
    assert get("/sabnzbd/api", mode="version").status_code == 404
    assert get("/api", mode="version").json() == {"version": "4.3.3"}  # needs no key


def test_adapter_against_the_fake_names_the_key_and_the_base_path(sabnzbd):
    wrong_key = SabnzbdClient(ClientSettings(name="s", url=sabnzbd.url, api_key="wrong"))
    with pytest.raises(DownloadClientAuthFailed, match="API Key Incorrect"):
        wrong_key.statuses(["x"])
    wrong_base = SabnzbdClient(ClientSettings(name="s", url=sabnzbd.url, api_key=sabnzbd.api_key, base_path="/sabnzbd"))
    with pytest.raises(ConfigurationError, match="base path"):
        wrong_base.test_connection()


def test_pause_and_resume_one_job():
    seen: list[httpx.Request] = []
    client = _client({"queue": DOCS / "status_true_api_docs.json"}, seen)
    client.pause("SABnzbd_nzo_swph1vks")
    client.resume("SABnzbd_nzo_swph1vks")
    assert [(r.url.params["mode"], r.url.params["name"], r.url.params["value"]) for r in seen] == [
        ("queue", "pause", "SABnzbd_nzo_swph1vks"),
        ("queue", "resume", "SABnzbd_nzo_swph1vks"),
    ]


def test_paused_job_in_the_fake_stays_put_until_resumed(sabnzbd, prowlarr):
    client = SabnzbdClient(ClientSettings(name="s", url=sabnzbd.url, api_key=sabnzbd.api_key))
    job = client.add(AddRequest(f"{prowlarr.url}/1/download?link=g1&file=Some.Book", "Some.Book", "ebook"))
    client.pause(job)
    paused = [client.status(job) for _ in range(3)]
    assert {(s.state, s.raw_status) for s in paused} == {(JobState.QUEUED, "Paused")}
    client.resume(job)
    assert client.status(job).state == JobState.DOWNLOADING


def test_a_paused_queue_reports_its_jobs_as_paused():
    """A paused SABnzbd keeps each job's own status ("Queued") and says `paused: true` at the top."""
    data = _load(REAL / "queue_after_addurl.json")
    data["queue"]["paused"] = True
    data["queue"]["slots"][0]["status"] = "Queued"
    job = _client({"queue": json.dumps(data)}).status("SABnzbd_nzo_swph1vks")
    assert (job.state, job.raw_status) == (JobState.QUEUED, "Paused")
    running = _client({"queue": REAL / "queue_after_addurl.json"}).status("SABnzbd_nzo_swph1vks")
    assert running.raw_status == "Downloading"


def test_html_reply_hints_at_the_base_path():
    with pytest.raises(BadResponse) as info:
        _client({"version": "<html><head><meta http-equiv='refresh'></head></html>"}).api("version")
    assert "base path" in info.value.hint


def test_error_envelope_is_a_bad_response():
    with pytest.raises(BadResponse, match="not implemented"):
        _client({"addurl": '{"status": false, "error": "not implemented"}'}).add(
            AddRequest("http://x/y", "n", "ebook")
        )


def test_torrent_links_are_refused_by_sabnzbd():
    with pytest.raises(ConfigurationError, match="usenet"):
        _client({}).add(AddRequest("magnet:?xt=urn:btih:abc", "n", "ebook", link_kind="magnet"))


def test_status_follows_queue_then_history_with_empty_storage_first():
    downloading = _client({"queue": REAL / "queue_after_addurl.json"}).status("SABnzbd_nzo_swph1vks")
    assert downloading.state == JobState.DOWNLOADING and downloading.category == "books"
    moving = _client({"queue": REAL / "queue.json", "history": REAL / "history_completed.json"}).status(
        "SABnzbd_nzo_mq07e0rl"
    )
    assert moving.state == JobState.POST_PROCESSING and moving.storage_path == ""
    done = _client({"queue": REAL / "queue.json", "history": REAL / "history_rerun2.json"}).status(
        "SABnzbd_nzo_mq07e0rl"
    )
    assert done.state == JobState.COMPLETED
    assert (
        done.storage_path == "/data/sabnzbd/complete/books/Test.Author-Test.Book/Test.Author-Test.Book.epub"
    )
    gone = _client({"queue": REAL / "queue_after_delete.json", "history": REAL / "history.json"}).status(
        "nope"
    )
    assert gone.state == JobState.MISSING


def test_docs_examples_map_to_states():
    queue = _load(DOCS / "queue_api_docs_example.json")["queue"]["slots"]
    assert (
        queue_status(queue[0]).state == JobState.DOWNLOADING and queue_status(queue[0]).time_left == "0:16:44"
    )
    assert queue_status(queue[1]).state == JobState.QUEUED  # Paused
    assert queue_status(queue[0]).size_bytes == int(1277.65 * 1024 * 1024)
    slot = _load(DOCS / "history_api_docs_example.json")["history"]["slots"][0]
    assert history_status(slot).storage_path.endswith("TV.Show.S04E02.720p.BluRay.x264-xHD")
    failed = history_status({**slot, "status": "Failed", "fail_message": "Out of retention"})
    assert failed.state == JobState.FAILED and failed.fail_message == "Out of retention"
    assert history_status({**slot, "status": "Extracting", "storage": ""}).state == JobState.POST_PROCESSING


def test_completed_job_reports_the_bytes_it_downloaded():
    done = _client({"queue": REAL / "queue.json", "history": REAL / "history_rerun2.json"}).status(
        "SABnzbd_nzo_mq07e0rl"
    )
    assert (done.size_bytes, done.size_margin_bytes) == (20514, 0)  # `bytes`, exact (its `size` says "20 KB")
    slot = _load(DOCS / "history_api_docs_example.json")["history"]["slots"][0]
    assert history_status(slot).size_bytes == 2436906376
    assert history_status({**slot, "bytes": "2436906376"}).size_bytes == 2436906376  # a number as text


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ("2.3 GB", (round(2.3 * 1024**3), 1024**3 // 20)),  # rounded to 0.1 GB: +- 0.05 GB
        ("20 KB", (20 * 1024, 512)),
        ("43 K", (43 * 1024, 512)),  # the history totals drop the B
        ("512 B", (512, 0)),
        ("", (None, 0)),
        ("unknown", (None, 0)),
    ],
)
def test_size_given_only_with_units_is_read_with_its_rounding_margin(size, expected):
    slot = {"nzo_id": "x", "status": "Completed", "storage": "/data/x", "size": size}
    status = history_status(slot)
    assert (status.size_bytes, status.size_margin_bytes) == expected


def test_remove_deletes_from_queue_and_history_with_files():
    seen: list[httpx.Request] = []
    _client(
        {"queue": REAL / "queue_delete.json", "history": DOCS / "status_true_api_docs.json"}, seen
    ).remove("SABnzbd_nzo_swph1vks", delete_files=True)
    assert [(r.url.params["mode"], r.url.params["name"], r.url.params["del_files"]) for r in seen] == [
        ("queue", "delete", "1"),
        ("history", "delete", "1"),
    ]


def test_fake_server_downloads_a_real_file(sabnzbd, prowlarr):
    client = SabnzbdClient(
        ClientSettings(name="s", url=sabnzbd.url, api_key=sabnzbd.api_key, categories=(("ebook", "books"),))
    )
    url = f"{prowlarr.url}/1/download?link=g1&file=Some.Book"
    job = client.add(AddRequest(url, "Some.Book", "ebook"))
    states = [client.status(job).state for _ in range(3)]
    assert states == [JobState.DOWNLOADING, JobState.POST_PROCESSING, JobState.COMPLETED]
    final = client.status(job)
    assert Path(final.storage_path).is_file() and Path(final.storage_path).read_bytes()[:2] == b"PK"


@pytest.mark.parametrize("kind", sorted(CLIENTS))
def test_every_registered_download_client_conforms(kind):
    client = client_for(kind, ClientSettings(name="x", url="http://x.test", api_key="k"))
    methods = ("test_connection", "add", "status", "statuses", "remove", "pause", "resume", "close")
    methods += ("list_categories", "create_category", "download_folder")
    for name in methods:
        assert callable(getattr(client, name))
    assert client.protocols
    factory = CLIENTS[kind]
    assert factory.label and factory.fields
    assert set(factory.fields) <= {"url", "api_key", "username", "password", "watch_folder", "completed_folder"}
    # a network client has an address and a default port; a folder client (blackhole) neither
    assert ("url" in factory.fields) == isinstance(factory.default_port, int)
    client.close()
