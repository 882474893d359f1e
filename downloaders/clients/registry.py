"""The explicit registry of download clients. Each adapter class declares what the forms
and the client choice need: `label` ("SABnzbd"), `protocols` (the link kinds it accepts:
nzb_url, torrent_url, magnet), `fields` (the ClientSettings connection fields its form asks
for, e.g. ("url", "api_key") or ("url", "username", "password")) and `default_port`."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from core.errors import ConfigurationError
from downloaders.clients.base import ClientSettings, DownloadClient
from downloaders.clients.sabnzbd import SabnzbdClient

CLIENTS: dict[str, Callable[..., DownloadClient]] = {"sabnzbd": SabnzbdClient}
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


def link_kinds_of(kind: str) -> tuple[str, ...]:
    return tuple(getattr(_factory(kind), "protocols", ()))


def protocol_of_link(link_kind: str) -> str:
    """The release protocol of a link kind: usenet or torrent."""
    return "usenet" if link_kind in USENET_LINKS else "torrent"


def protocols_of(kind: str) -> set[str]:
    """usenet and/or torrent: what releases the client can download."""
    return {protocol_of_link(link) for link in link_kinds_of(kind)}
