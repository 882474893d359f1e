from __future__ import annotations

import pytest

from downloaders.models import DownloadClientConfig
from indexers.models import AcquisitionSettings, IndexerConfig
from media.models import Author, Contribution, MediaItem, MediaStatus
from tests.acquisition.fakes import FakeProwlarr, FakeRelease, FakeSabnzbd

HAIL_MARY = [
    FakeRelease("Andy.Weir.-.Project.Hail.Mary.2021.RETAIL.EPUB.eBook-BitBook", "guid-epub-retail"),
    FakeRelease("Andy Weir - Project Hail Mary (2021) [mobi]", "guid-mobi", size=3_500_000),
    FakeRelease(
        "Project Hail Mary by Andy Weir [ENG / EPUB]",
        "guid-torrent",
        protocol="torrent",
        indexer_id=2,
        info_hash="a" * 40,
        seeders=12,
    ),
    FakeRelease("Andy Weir - The Martian (2014) [epub]", "guid-martian", extra_words="project hail mary"),
    FakeRelease(
        "Project Hail Mary by Andy Weir [ENG / M4B]", "guid-audio", size=600_000_000, categories=(3030,)
    ),
]


def make_item(
    title="Project Hail Mary", author="Andy Weir", *, kind="ebook", status=MediaStatus.WANTED, isbn13=""
) -> MediaItem:
    item = MediaItem.objects.create(title=title, sort_title=title, kind=kind, status=status, isbn13=isbn13)
    if author:
        person = Author.objects.create(name=author, sort_name=author, normalized=author.lower())
        Contribution.objects.create(item=item, author=person)
    return item


@pytest.fixture
def prowlarr():
    server = FakeProwlarr(releases=list(HAIL_MARY)).start()
    yield server
    server.stop()


@pytest.fixture
def sabnzbd(tmp_path):
    server = FakeSabnzbd(complete_dir=tmp_path / "complete", fail_words=("BROKEN",)).start()
    yield server
    server.stop()


@pytest.fixture
def acquisition(db, prowlarr, sabnzbd):
    """Prowlarr and SABnzbd configured against the fakes; automation without delays."""
    IndexerConfig.objects.create(
        name="Prowlarr", url=prowlarr.url, api_key=prowlarr.api_key, timeout_seconds=5
    )
    DownloadClientConfig.objects.create(
        kind="sabnzbd", name="SABnzbd", url=sabnzbd.url, api_key=sabnzbd.api_key, timeout_seconds=5
    )
    settings = AcquisitionSettings.current()
    settings.search_spacing_seconds = 0
    settings.retry_backoff_minutes = 0
    settings.missing_grace_seconds = 0
    settings.save()
    return prowlarr, sabnzbd
