"""The explicit registry of indexer client kinds."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from core.errors import ConfigurationError
from indexers.clients.base import IndexerClient, IndexerSettings
from indexers.clients.newznab import NewznabClient, TorznabClient
from indexers.clients.prowlarr import ProwlarrClient

CLIENTS: dict[str, Callable[..., IndexerClient]] = {
    "prowlarr": ProwlarrClient,
    "newznab": NewznabClient,
    "torznab": TorznabClient,
}


def client_for(
    kind: str, settings: IndexerSettings, *, transport: httpx.BaseTransport | None = None
) -> IndexerClient:
    factory = CLIENTS.get(kind)
    if factory is None:
        raise ConfigurationError(f"Unknown indexer kind {kind!r}", hint=f"Use one of {', '.join(CLIENTS)}")
    return factory(settings, transport=transport)
