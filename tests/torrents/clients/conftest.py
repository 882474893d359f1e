"""Session-scoped real Transmission and Deluge daemons (started once, stopped by PID at the
end; tests skip with the reason when a program is missing) and per-test real torrents."""

from __future__ import annotations

import pytest

from tests.torrents.clients.daemons import Deluge, FileServer, Transmission, make_torrent, missing_binaries


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
