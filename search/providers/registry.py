"""The explicit provider registry: name -> adapter class. No discovery."""

from __future__ import annotations

from typing import Any

from core.errors import ConfigurationError
from search.providers.base import Capability, MetadataProvider, ProviderConfig, ProviderInfo
from search.providers.comicvine import ComicVineProvider
from search.providers.googlebooks import GoogleBooksProvider
from search.providers.openlibrary import OpenLibraryProvider

PROVIDERS: dict[str, type] = {
    "openlibrary": OpenLibraryProvider,
    "googlebooks": GoogleBooksProvider,
    "comicvine": ComicVineProvider,
}


def provider_info(name: str) -> ProviderInfo:
    try:
        return PROVIDERS[name].info
    except KeyError:
        raise ConfigurationError(f"Unknown metadata provider {name!r}",
                                 hint=f"Known providers: {', '.join(sorted(PROVIDERS))}") from None


def all_infos() -> list[ProviderInfo]:
    return [cls.info for cls in PROVIDERS.values()]


def build_provider(config: ProviderConfig, **kwargs: Any) -> MetadataProvider:
    provider_info(config.name)
    return PROVIDERS[config.name](config, **kwargs)


def providers_for(kind: str, capability: Capability) -> list[str]:
    return [i.name for i in all_infos() if kind in i.media_kinds and capability in i.capabilities]
