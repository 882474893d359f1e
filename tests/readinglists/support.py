"""Set-up shared by the reading-list tests and their browser journey."""

from __future__ import annotations

from media.models import Author, Contribution, MediaItem, MediaStatus
from tests.readinglists.samples import OWNED
from tests.search.fakes import FakeProviders, aim_providers_at


def providers_on_fakes(tmp_path, monkeypatch):
    """The seeded metadata providers pointed at the local fakes (Open Library, Google Books,
    Comic Vine answering as the recorded real ones), with a private cache; a generator for a
    fixture (the fakes stop after the test)."""
    fakes = FakeProviders().start()
    aim_providers_at(fakes, tmp_path, monkeypatch)
    yield fakes
    fakes.stop()


def make_owned() -> MediaItem:
    """A book already in the library, with the ISBN of the samples' OWNED row."""
    item = MediaItem.objects.create(title=OWNED[0], sort_title=OWNED[0], kind="ebook",
                                    status=MediaStatus.IN_LIBRARY, isbn13=OWNED[2])
    person = Author.objects.create(name=OWNED[1], sort_name=OWNED[1], normalized=OWNED[1].lower())
    Contribution.objects.create(item=item, author=person)
    return item
