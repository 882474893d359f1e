from __future__ import annotations

import pytest

from search.providers.base import ProviderConfig
from tests.search.fakes import COMICVINE_KEY, FakeProviders


@pytest.fixture
def fakes():
    providers = FakeProviders().start()
    yield providers
    providers.stop()


@pytest.fixture
def provider_config(fakes, tmp_path):
    """A ProviderConfig pointing at the fake server, with a fresh response cache."""

    def make(name: str, **overrides) -> ProviderConfig:
        base = fakes.base_url(name)
        values = {"name": name, "base_url": base, "label": name, "retries": 0, "backoff": 0.01,
                  "cache_path": tmp_path / "cache.sqlite3",
                  "api_key": COMICVINE_KEY if name == "comicvine" else "",
                  "covers_base_url": f"{base}/covers" if name == "openlibrary" else ""}
        values.update(overrides)
        return ProviderConfig(**values)

    return make


@pytest.fixture
def live_providers(db, fakes, tmp_path, monkeypatch):
    """The seeded SearchProvider rows pointed at the fake servers, with a private cache."""
    from search.models import SearchProvider
    from search.services import providers as provider_services

    provider_services.ensure_providers()
    monkeypatch.setattr(provider_services, "cache_path", lambda: tmp_path / "provider-cache.sqlite3")
    monkeypatch.setitem(provider_services.PROVIDER_OVERRIDES, "config", {"retries": 0, "backoff": 0.01,
                                                                          "timeout": 5.0})
    for name, server in fakes.servers.items():
        SearchProvider.objects.filter(name=name).update(
            base_url=server.base_url, rate_per_second=None,
            covers_base_url=f"{server.base_url}/covers" if name == "openlibrary" else "",
            api_key=COMICVINE_KEY if name == "comicvine" else "")
    return fakes
