"""A session-scoped news server and real NZBGet (started once, stopped by PID at the end; the
NZBGet tests skip with the reason when the program is missing), an HTTP server for NZB URLs,
and the conformance cases of the clients tested here (see test_client_conformance.py)."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from downloaders.clients.base import AddRequest, ClientSettings
from tests.acquisition.fakes import write_epub
from tests.clients.nntp_server import NewsServer
from tests.clients.nzbget_daemon import NzbgetDaemon, nzbget_missing

_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def news_server():
    server = NewsServer().start()
    yield server
    server.stop()


def start_nzbget(folder: Path, news: NewsServer) -> NzbgetDaemon:
    if nzbget_missing():
        pytest.skip("needs nzbget (Debian package nzbget; run scripts/system-deps.sh)")
    return NzbgetDaemon(folder, news.port, news.username, news.password).start()


@pytest.fixture(scope="session")
def nzbget(tmp_path_factory, news_server):
    daemon = start_nzbget(tmp_path_factory.mktemp("nzbget"), news_server)
    yield daemon
    daemon.stop()


@dataclass(frozen=True)
class Posted:
    """A real EPUB posted to the news server: its file, the .nzb and a unique release name."""

    epub: Path
    nzb: bytes
    name: str


@pytest.fixture
def post_epub(tmp_path, news_server, request):
    """Posts a new real EPUB (several yEnc parts) and returns its NZB; `drop_parts` makes
    the news server miss those articles, `delay` slows each article down."""

    def post(*, drop_parts: tuple[int, ...] = (), delay: float = 0.0, part_size: int = 600) -> Posted:
        number = next(_numbers)
        stem = request.node.name.replace("[", "-").replace("]", "")[:50]
        name = f"{stem}.{number}"
        epub = write_epub(tmp_path / "source" / f"{name}.epub", f"Book {number}", "Test Author")
        nzb = news_server.post_file(epub, part_size=part_size, drop_parts=drop_parts, delay=delay)
        return Posted(epub, nzb, name)

    return post


@pytest.fixture(scope="session")
def file_server(tmp_path_factory):
    """Serves a folder over HTTP on 127.0.0.1 (NZBGet fetches NZB URLs itself)."""
    folder = tmp_path_factory.mktemp("served")
    handler = partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass


# --- conformance cases (test_client_conformance.py) -----------------------------------------


@dataclass(frozen=True)
class ClientCase:
    """What the conformance test needs to drive one client: its registry kind, working
    settings, settings with wrong credentials (None for a client without any), and a maker of
    new jobs it can add, returning the request and the job id add() must answer ("" when it
    cannot be known first)."""

    kind: str
    settings: ClientSettings
    wrong_credentials: ClientSettings | None
    new_job: Callable[[], tuple[AddRequest, str]]


@pytest.fixture
def nzbget_case(nzbget, post_epub) -> ClientCase:
    def new_job() -> tuple[AddRequest, str]:
        posted = post_epub(delay=0.3)  # slow enough to still be in the queue when checked
        return AddRequest(url="", name=posted.name, kind="ebook", content=posted.nzb), ""

    return ClientCase("nzbget", nzbget.client_settings(), nzbget.client_settings(password="wrong"), new_job)


@pytest.fixture
def blackhole_case(tmp_path) -> ClientCase:
    watch, completed = tmp_path / "watch", tmp_path / "completed"
    watch.mkdir()
    completed.mkdir()
    settings = ClientSettings(name="test", url="", watch_folder=str(watch), completed_folder=str(completed))

    def new_job() -> tuple[AddRequest, str]:
        number = next(_numbers)
        return AddRequest(url="", name=f"Release {number}", kind="ebook", content=b"<nzb/>"), ""

    return ClientCase("blackhole", settings, None, new_job)
