"""The explicit registry of download clients: SABnzbd (usenet), qBittorrent, Transmission and Deluge (torrents)."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from core.errors import ConfigurationError
from downloaders.clients.base import ClientSettings, DownloadClient
from downloaders.clients.deluge import DelugeClient
from downloaders.clients.qbittorrent import QbittorrentClient
from downloaders.clients.sabnzbd import SabnzbdClient
from downloaders.clients.transmission import TransmissionClient

CLIENTS: dict[str, Callable[..., DownloadClient]] = {
    "sabnzbd": SabnzbdClient,
    "qbittorrent": QbittorrentClient,
    "transmission": TransmissionClient,
    "deluge": DelugeClient,
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
