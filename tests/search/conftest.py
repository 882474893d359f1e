from __future__ import annotations

import pytest

from search.providers.base import ProviderConfig
from tests.search.fakes import COMICVINE_KEY, FakeProviders, aim_providers_at


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
    aim_providers_at(fakes, tmp_path, monkeypatch)
    return fakes
