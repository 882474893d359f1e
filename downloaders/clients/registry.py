"""The explicit registry of download clients: SABnzbd and NZBGet (usenet), qBittorrent, Transmission and
Deluge (torrents), and a blackhole folder for anything else."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from core.errors import ConfigurationError
from downloaders.clients.base import ClientSettings, DownloadClient
from downloaders.clients.blackhole import BlackholeClient
from downloaders.clients.deluge import DelugeClient
from downloaders.clients.nzbget import NzbgetClient
from downloaders.clients.qbittorrent import QbittorrentClient
from downloaders.clients.sabnzbd import SabnzbdClient
from downloaders.clients.transmission import TransmissionClient

CLIENTS: dict[str, Callable[..., DownloadClient]] = {
    "sabnzbd": SabnzbdClient,
    "qbittorrent": QbittorrentClient,
    "transmission": TransmissionClient,
    "deluge": DelugeClient,
    "nzbget": NzbgetClient,
    "blackhole": BlackholeClient,
}


def client_for(
    kind: str, settings: ClientSettings, *, transport: httpx.BaseTransport | None = None
) -> DownloadClient:
    factory = CLIENTS.get(kind)
    if factory is None:
        raise ConfigurationError(f"Unknown download client {kind!r}", hint=f"Use one of {', '.join(CLIENTS)}")
    return factory(settings, transport=transport)


def link_kinds_supported() -> set[str]:
    return {kind for factory in CLIENTS.values() for kind in getattr(factory, "protocols", ())}
