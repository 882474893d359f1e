"""The one-process web server (core/webserver.py, waitress): forwarded headers reach Django as
sent, each response is logged, big files stream without being read whole, and the command stops
cleanly on SIGTERM. tests/core/test_startup.py runs it under `manage.py serve`."""

from __future__ import annotations

import hashlib
import json
import logging
import signal
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.urls import path

from core import webserver
from core.metrics_files import host_folder
from reading.serving import serve_file
from tests.core.test_startup import child_env

ROOT = Path(__file__).resolve().parents[2]
FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_FORWARDED")


def _big_file(request):
    return serve_file(request, request.GET["path"], filename="book.m4b")


urlpatterns = [path("big", _big_file)]  # this module is the URL configuration of the streaming test


def _echo(environ, start_response):
    seen = {key: environ.get(key) for key in (*FORWARDED, "REMOTE_ADDR", "wsgi.url_scheme")}
    start_response("200 OK", [("Content-Type", "application/json"), ("X-Request-ID", "abc123")])
    return [json.dumps(seen).encode()]


def _running(app) -> Iterator[str]:
    """The app served by waitress with core/webserver.py's settings, in a thread; its base URL."""
    server = webserver.create(app, bind="127.0.0.1:0", threads=2)
    runner = threading.Thread(target=server.run, daemon=True)
    runner.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.task_dispatcher.shutdown()
        server.close()  # the listening socket and the wake-up pipe: the loop ends within a second
        runner.join(10)


@pytest.fixture
def echo_server() -> Iterator[str]:
    yield from _running(_echo)


def test_forwarded_headers_reach_django_untouched_and_are_not_applied(echo_server):
    """Django decides whether to believe a proxy (OMNI_TRUSTED_PROXY); waitress neither drops the
    headers (its default without a trusted proxy) nor rewrites the scheme or the peer."""
    sent = {
        "X-Forwarded-For": "203.0.113.9",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "books.example",
        "Forwarded": "for=203.0.113.9;proto=https",
    }
    seen = httpx.get(f"{echo_server}/", headers=sent, timeout=10).json()
    assert [seen[key] for key in FORWARDED] == list(sent.values())
    assert seen["REMOTE_ADDR"] == "127.0.0.1" and seen["wsgi.url_scheme"] == "http"


def test_each_response_is_logged_in_the_access_log_format(echo_server, caplog):
    with caplog.at_level(logging.INFO, logger="omnireadarr.access"):
        httpx.get(f"{echo_server}/books?q=dune", headers={"User-Agent": "KOReader", "Referer": "http://x/"}, timeout=10)
    (record,) = [record for record in caplog.records if record.name == "omnireadarr.access"]
    assert record.getMessage() == '127.0.0.1 "GET /books?q=dune HTTP/1.1" 200 - "http://x/" "KOReader"'
    assert record.correlation_id == "abc123"  # the response's X-Request-ID (core.middleware)


def test_a_unix_socket_is_bound_as_gunicorn_takes_it():
    assert webserver.server_options("unix:/run/omni.sock", 4)["unix_socket"] == "/run/omni.sock"
    assert webserver.server_options("0.0.0.0:8000", 4)["listen"] == "0.0.0.0:8000"


@pytest.fixture
def django_server(settings) -> Iterator[str]:
    settings.ROOT_URLCONF = __name__
    settings.MIDDLEWARE = []
    yield from _running(WSGIHandler())


def _digest(client: httpx.Client, url: str, headers: dict[str, str]) -> tuple[int, str, dict]:
    """Status, SHA-256 of the body read in pieces (never held whole here), headers."""
    digest = hashlib.sha256()
    with client.stream("GET", url, headers=headers) as response:
        for piece in response.iter_raw(256 * 1024):
            digest.update(piece)
        return response.status_code, digest.hexdigest(), dict(response.headers)


def test_a_big_file_and_a_byte_range_of_it_stream_without_being_read_whole(django_server, tmp_path):
    """What waitress holds per connection is bounded by the socket's send buffer (it reads one
    send buffer of the file at a time, up to 4 MB on Linux) and its 1 MB of buffer in memory
    before a temporary file: about 10-20 MB here, whatever the file's size."""
    size, start, stop = 128 * 2**20, 3 * 2**20 + 17, 120 * 2**20  # stop exclusive
    book = tmp_path / "book.m4b"
    with book.open("wb") as out:
        for index in range(size // 2**20):
            out.write(hashlib.sha256(str(index).encode()).digest() * (2**20 // 32))
    data = book.read_bytes()
    whole, part = hashlib.sha256(data).hexdigest(), hashlib.sha256(data[start:stop]).hexdigest()
    del data
    url = f"{django_server}/big?path={book}"
    tracemalloc.start()
    try:
        with httpx.Client(timeout=60) as client:
            full = _digest(client, url, {})
            ranged = _digest(client, url, {"Range": f"bytes={start}-{stop - 1}"})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert full[:2] == (200, whole) and full[2]["content-length"] == str(size)
    assert ranged[:2] == (206, part) and ranged[2]["content-range"] == f"bytes {start}-{stop - 1}/{size}"
    assert peak < size / 4, f"{peak / 2**20:.1f} MB allocated at the peak while sending {size // 2**20} MB twice"


def test_the_command_claims_its_metrics_folder_answers_and_stops_on_sigterm(tmp_path):
    from benchmarks.e2e import free_port

    stale = host_folder(tmp_path / "metrics", "web") / "counter_1.db"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"from the last run")
    env = child_env(tmp_path)
    port = free_port()
    command = [sys.executable, "-m", "core.webserver", "--bind", f"127.0.0.1:{port}", "--threads", "2"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert server.poll() is None, server.stderr.read().decode()
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert response.status_code in (200, 503)  # answered by Django (the database may not be migrated)
        assert not stale.exists()
    finally:
        server.send_signal(signal.SIGTERM)
        returncode = server.wait(30)
    assert returncode == 0
