"""Set-up shared by the reading-list tests and their browser journey."""

from __future__ import annotations

from media.models import Author, Contribution, MediaItem, MediaStatus
from tests.readinglists.samples import OWNED
from tests.search.fakes import COMICVINE_KEY, FakeProviders


def providers_on_fakes(tmp_path, monkeypatch):
    """The seeded metadata providers pointed at the local fakes (Open Library, Google Books,
    Comic Vine answering as the recorded real ones), with a private cache; a generator for a
    fixture (the fakes stop after the test)."""
    from search.models import SearchProvider
    from search.services import providers as provider_services

    fakes = FakeProviders().start()
    provider_services.ensure_providers()
    monkeypatch.setattr(provider_services, "cache_path", lambda: tmp_path / "provider-cache.sqlite3")
    monkeypatch.setitem(provider_services.PROVIDER_OVERRIDES, "config", {"retries": 0, "backoff": 0.01,
                                                                          "timeout": 5.0})
    for name, server in fakes.servers.items():
        SearchProvider.objects.filter(name=name).update(
            base_url=server.base_url, rate_per_second=None,
            covers_base_url=f"{server.base_url}/covers" if name == "openlibrary" else "",
            api_key=COMICVINE_KEY if name == "comicvine" else "")
    yield fakes
    fakes.stop()


def make_owned() -> MediaItem:
    """A book already in the library, with the ISBN of the samples' OWNED row."""
    item = MediaItem.objects.create(title=OWNED[0], sort_title=OWNED[0], kind="ebook",
                                    status=MediaStatus.IN_LIBRARY, isbn13=OWNED[2])
    person = Author.objects.create(name=OWNED[1], sort_name=OWNED[1], normalized=OWNED[1].lower())
    Contribution.objects.create(item=item, author=person)
    return item
