"""Session-scoped real swarm: opentracker, a real EPUB made into a .torrent by mktorrent, one
qbittorrent-nox seeding it and one under test. Each daemon starts once per session on
127.0.0.1 and is stopped by its PID at the end; tests skip when a program is missing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from downloaders import services
from downloaders.clients.base import ClientSettings
from downloaders.clients.torrentfiles import info_hash_of_torrent
from downloaders.services import ConfiguredClient
from tests.processing.samples import make_epub
from tests.torrents.swarm import (
    QBIT_PASSWORD,
    QBIT_USER,
    Qbittorrent,
    Tracker,
    make_torrent,
    missing_binaries,
    start_opentracker,
)


@dataclass(frozen=True)
class SeededBook:
    """A real EPUB, its .torrent and info hash, seeded by the session's seeder."""

    name: str
    path: Path
    torrent: bytes
    info_hash: str
    announce: str


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


def seed_book(
    seeder: Qbittorrent, tracker: Tracker, folder: Path, *, title: str, author: str, cover: bytes | None = None
) -> SeededBook:
    """A new real EPUB under `folder`, made into a torrent and seeded (each its own hash)."""
    _require("mktorrent")
    name = f"{author} - {title}"
    folder.mkdir(parents=True, exist_ok=True)
    path = make_epub(folder / f"{name}.epub", title=title, authors=(author,), cover=cover)
    torrent = make_torrent(path, tracker.announce, folder / f"{name}.torrent")
    tracker.allow(info_hash_of_torrent(torrent))
    info_hash = seeder.seed(torrent, folder)
    return SeededBook(name, path, torrent, info_hash, tracker.announce)


@pytest.fixture(scope="session")
def seeded_book(seeder, tracker, swarm_dir) -> SeededBook:
    return seed_book(seeder, tracker, swarm_dir / "seeded", title="Project Hail Mary", author="Andy Weir")


@pytest.fixture
def qbittorrent_configured(qbittorrent, monkeypatch) -> dict:
    """qBittorrent as the configured torrent client (the only client). Until issue 18's one
    client configuration model lands, `services.configured_clients` is the seam; the returned
    dict's values (ClientSettings fields) can be changed by the test while it runs."""
    values = {
        "name": "qBittorrent",
        "url": qbittorrent.url,
        "username": QBIT_USER,
        "password": QBIT_PASSWORD,
        "timeout": 5.0,
        "categories": (("ebook", "books"),),
    }

    def configured() -> list[ConfiguredClient]:
        return [ConfiguredClient("qbittorrent", None, ClientSettings(**values))]

    monkeypatch.setattr(services, "configured_clients", configured)
    return values
