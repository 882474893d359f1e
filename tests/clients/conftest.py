"""The real download clients the adapter tests talk to, each started once per test session on
127.0.0.1 in a temporary folder and stopped by its PID at the end (tests skip with the reason
when a program is missing): a loopback BitTorrent swarm (opentracker, mktorrent, a seeding
qbittorrent-nox and the one under test), transmission-daemon, deluged + deluge-web, a yEnc news
server with NZBGet; HTTP servers for .torrent/.nzb URLs; and the conformance cases
(test_client_conformance.py): one `ClientCase` fixture per client kind."""

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
from downloaders.models import DownloadClientConfig
from tests.acquisition.fakes import write_epub
from tests.clients.nntp_server import NewsServer
from tests.clients.nzbget_daemon import NzbgetDaemon, nzbget_missing
from tests.clients.swarm import (
    QBIT_PASSWORD,
    QBIT_USER,
    Qbittorrent,
    SeededBook,
    missing_binaries,
    seed_book,
    start_opentracker,
)
from tests.clients.torrent_daemons import Deluge, FileServer, Transmission
from tests.clients.torrent_daemons import make_torrent as make_random_torrent

_numbers = itertools.count(1)


# --- the loopback swarm and qBittorrent ------------------------------------------------------
def _require(*names: str) -> None:
    missing = missing_binaries(*names)
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (Debian packages; see scripts/system-deps.sh)")


@pytest.fixture(scope="session")
def swarm_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("swarm")


@pytest.fixture(scope="session")
def tracker(swarm_dir):
    _require("opentracker")
    opentracker = start_opentracker(swarm_dir / "tracker")
    yield opentracker
    opentracker.stop()


@pytest.fixture(scope="session")
def seeder(swarm_dir):
    _require("qbittorrent-nox")
    qbit = Qbittorrent(swarm_dir / "seeder").start()
    yield qbit
    qbit.stop()


@pytest.fixture(scope="session")
def qbittorrent(swarm_dir):
    """The qbittorrent-nox the adapter talks to."""
    _require("qbittorrent-nox")
    qbit = Qbittorrent(swarm_dir / "leecher").start()
    yield qbit
    qbit.stop()


@pytest.fixture(scope="session")
def seeded_book(seeder, tracker, swarm_dir) -> SeededBook:
    return seed_book(seeder, tracker, swarm_dir / "seeded", title="Project Hail Mary", author="Andy Weir")


@pytest.fixture
def qbittorrent_configured(qbittorrent, db) -> DownloadClientConfig:
    """qBittorrent as the configured torrent client (the only client), saved as the settings
    page saves it, with its downloads folder (where imports come from). A test may change the
    row (e.g. the seeding goal) and save it."""
    return DownloadClientConfig.objects.create(
        kind="qbittorrent",
        name="qBittorrent",
        url=qbittorrent.url,
        username=QBIT_USER,
        password=QBIT_PASSWORD,
        timeout_seconds=5,
        category_audiobook="",
        category_comic="",
        download_dir=str(qbittorrent.downloads),
    )


# --- Transmission and Deluge --------------------------------------------------------------
@pytest.fixture(scope="session")
def transmission(tmp_path_factory):
    _require("transmission-daemon", "mktorrent")
    daemon = Transmission(tmp_path_factory.mktemp("transmission")).start()
    yield daemon
    daemon.stop()


@pytest.fixture(scope="session")
def deluge(tmp_path_factory):
    _require("deluged", "deluge-web", "mktorrent")
    daemons = Deluge(tmp_path_factory.mktemp("deluge")).start()
    yield daemons
    daemons.stop()


@pytest.fixture(scope="session")
def torrent_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("torrent-files")
    server = FileServer(folder)
    yield server
    server.stop()


@pytest.fixture
def new_torrent(tmp_path, request):
    """Makes real torrents of new random files (each its own info hash), named after the test."""
    counter = iter(range(1000))

    def make(suffix: str = "epub", size: int = 100_000):
        stem = request.node.name.replace("[", "-").replace("]", "")[:60]
        return make_random_torrent(tmp_path / "source", f"{stem}-{next(counter)}.{suffix}", size)

    return make


# --- conformance cases: one fixture per client kind (see test_client_conformance.py) --------


def _torrent_case(kind: str, daemon, make, *, wrong: dict) -> ClientCase:
    def new_job() -> tuple[AddRequest, str]:
        torrent = make()
        request = AddRequest(
            url="", name=torrent.path.stem, kind="ebook", link_kind="torrent_url", content=torrent.torrent
        )
        return request, torrent.info_hash

    settings = daemon.client_settings(categories=(("ebook", "conformance"),))
    return ClientCase(kind, settings, daemon.client_settings(**wrong), new_job)


@pytest.fixture
def transmission_case(transmission, new_torrent) -> ClientCase:
    return _torrent_case("transmission", transmission, new_torrent, wrong={"password": "wrong"})


@pytest.fixture
def deluge_case(deluge, new_torrent) -> ClientCase:
    return _torrent_case("deluge", deluge, new_torrent, wrong={"password": "wrong"})


# --- news server and NZBGet, blackhole ---------------------------------------------------
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


@pytest.fixture
def qbittorrent_case(qbittorrent, new_torrent) -> ClientCase:
    return _torrent_case("qbittorrent", qbittorrent, new_torrent, wrong={"password": "wrong"})
