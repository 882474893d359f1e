"""The explicit registry of download clients: SABnzbd and NZBGet (usenet), qBittorrent,
Transmission and Deluge (torrents), and a blackhole folder for anything else.

Each adapter class declares what the forms and the client choice need: `label` ("SABnzbd"),
`protocols` (the link kinds it accepts: nzb_url, torrent_url, magnet), `fields` (the
ClientSettings connection fields its form asks for, e.g. ("url", "api_key") or ("url",
"username", "password")), `default_port` (None: not a network client), and optionally
`can_pause` and `has_categories` (both True unless the adapter says otherwise)."""

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
USENET_LINKS = ("nzb_url",)


def client_for(kind: str, settings: ClientSettings, *, transport: httpx.BaseTransport | None = None) -> DownloadClient:
    return _factory(kind)(settings, transport=transport)


def _factory(kind: str) -> Callable[..., DownloadClient]:
    factory = CLIENTS.get(kind)
    if factory is None:
        raise ConfigurationError(f"Unknown download client {kind!r}", hint=f"Use one of {', '.join(CLIENTS)}")
    return factory


def link_kinds_supported() -> set[str]:
    return {kind for factory in CLIENTS.values() for kind in getattr(factory, "protocols", ())}


def kinds() -> list[tuple[str, str]]:
    """(kind, label) of every registered client, for choice lists."""
    return [(kind, label_of(kind)) for kind in CLIENTS]


def label_of(kind: str) -> str:
    return str(getattr(_factory(kind), "label", kind))


def fields_of(kind: str) -> tuple[str, ...]:
    return tuple(getattr(_factory(kind), "fields", ("url",)))


def default_port_of(kind: str) -> int | None:
    return getattr(_factory(kind), "default_port", None)


def can_pause(kind: str) -> bool:
    return bool(getattr(_factory(kind), "can_pause", True))


def has_categories(kind: str) -> bool:
    return bool(getattr(_factory(kind), "has_categories", True))


def link_kinds_of(kind: str) -> tuple[str, ...]:
    return tuple(getattr(_factory(kind), "protocols", ()))


def protocol_of_link(link_kind: str) -> str:
    """The release protocol of a link kind: usenet or torrent."""
    return "usenet" if link_kind in USENET_LINKS else "torrent"


def protocols_of(kind: str) -> set[str]:
    """usenet and/or torrent: what releases the client can download."""
    return {protocol_of_link(link) for link in link_kinds_of(kind)}


def is_torrent_client(kind: str) -> bool:
    """A client of torrents only (qBittorrent, Transmission, Deluge): it seeds, so seed goals
    apply. The blackhole takes torrents too but only hands them on."""
    return protocols_of(kind) == {"torrent"}
