"""Session-scoped real Transmission and Deluge daemons (started once, stopped by PID at the
end; tests skip with the reason when a program is missing) and per-test real torrents."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from downloaders.clients.base import AddRequest, ClientSettings
from tests.torrents.clients.daemons import Deluge, FileServer, Transmission, make_torrent
from tests.torrents.swarm import missing_binaries


def require(*names: str) -> None:
    missing = missing_binaries(*names)
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (Debian packages; run scripts/system-deps.sh)")


@pytest.fixture(scope="session")
def transmission(tmp_path_factory):
    require("transmission-daemon", "mktorrent")
    daemon = Transmission(tmp_path_factory.mktemp("transmission")).start()
    yield daemon
    daemon.stop()


@pytest.fixture(scope="session")
def deluge(tmp_path_factory):
    require("deluged", "deluge-web", "mktorrent")
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
        return make_torrent(tmp_path / "source", f"{stem}-{next(counter)}.{suffix}", size)

    return make


# --- conformance cases: one fixture per client kind (see test_client_conformance.py) --------


@dataclass(frozen=True)
class ClientCase:
    """What the conformance test needs to drive one real client: its registry kind, working
    settings, settings with wrong credentials, and a maker of new jobs it can add, which
    returns the request and the job id add() must answer ("" when it cannot be known first)."""

    kind: str
    settings: ClientSettings
    wrong_credentials: ClientSettings
    new_job: Callable[[], tuple[AddRequest, str]]


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
