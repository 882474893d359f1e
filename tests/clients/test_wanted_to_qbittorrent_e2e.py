"""The whole torrent chain with real programs: a wanted book is searched on a local Torznab
indexer serving a real .torrent, grabbed, downloaded by qbittorrent-nox from a seeding
qbittorrent-nox through opentracker, imported with a hardlink while the torrent keeps
seeding (even with the import mode set to "move"), then removed from the client (files
kept) once the seeding goal is reached."""

from __future__ import annotations

from pathlib import Path

import pytest

from downloaders import seeding, services
from downloaders.clients.base import JobState
from downloaders.models import AttemptState, DownloadAttempt
from indexers.models import IndexerConfig, SearchResult
from media.models import Author, LibraryFile, MediaItem, MediaStatus
from processing.models import ImportRun, KindProcessingSettings, PostProcessStatus
from tests.acquisition.conftest import make_item
from tests.acquisition.test_pipeline_e2e import _run_until, _tick_scheduler, _wait
from tests.clients.swarm import seed_book
from tests.clients.torznab import FakeTorznab, TorrentRelease
from tests.processing.samples import image_bytes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def torznab():
    server = FakeTorznab().start()
    yield server
    server.stop()


@pytest.fixture
def book(seeder, tracker, tmp_path_factory):
    cover = image_bytes(600, 900, (30, 60, 90), "JPEG")  # a real-sized EPUB (over the 10 KiB sanity floor)
    folder = tmp_path_factory.mktemp("e2e-seed")
    return seed_book(seeder, tracker, folder, title="Project Hail Mary", author="Andy Weir", cover=cover)


@pytest.fixture
def chain(settings, tmp_path, torznab, book, qbittorrent, qbittorrent_configured):
    from indexers.models import AcquisitionSettings

    torznab.releases.append(
        TorrentRelease(
            "Andy Weir - Project Hail Mary (2021) [EPUB]", book.torrent, book.info_hash, book.path.stat().st_size
        )
    )
    IndexerConfig.objects.create(
        name="Torznab", kind="torznab", url=torznab.url, api_key=torznab.api_key, timeout_seconds=5
    )
    acquisition = AcquisitionSettings.current()
    acquisition.search_spacing_seconds = acquisition.retry_backoff_minutes = acquisition.missing_grace_seconds = 0
    acquisition.save()
    imports = KindProcessingSettings.for_kind("ebook")
    imports.import_mode = "move"  # the user's choice; a seeding torrent must still not be moved
    imports.save()
    settings.LIBRARY_DIR = tmp_path / "library"
    settings.LIBRARY_DIR.mkdir()
    return settings.LIBRARY_DIR


def _client_status(attempt: DownloadAttempt):
    client = services.configured_clients()[0].client()
    try:
        return client.status(attempt.client_job_id)
    finally:
        client.close()


def test_wanted_book_is_found_on_torznab_downloaded_by_qbittorrent_and_hardlinked_while_seeding(
    chain, worker, book, qbittorrent, qbittorrent_configured
):
    item = make_item()
    Author.objects.filter(contributions__item=item).update(sort_name="Weir, Andy")
    _tick_scheduler(0)
    attempt = _wait(lambda: DownloadAttempt.objects.filter(item=item).first(), message="automatic grab")
    result = SearchResult.objects.get(item=item, guid__endswith="/details/0")
    assert result.protocol == "torrent" and result.seeders == 1 and result.accepted, result.rejections
    assert (attempt.client_kind, attempt.client_job_id, attempt.info_hash) == (
        "qbittorrent",
        book.info_hash,
        book.info_hash,
    )
    _run_until(lambda: DownloadAttempt.objects.get(pk=attempt.pk).state == AttemptState.IMPORTED)

    attempt.refresh_from_db()
    run = ImportRun.objects.get(download_attempt_id=attempt.pk)
    assert run.post_process_status == PostProcessStatus.COMPLETED, run.error
    filed = chain / "Weir, Andy" / "Project Hail Mary.epub"
    download = Path(attempt.storage_path)
    assert download.parent == qbittorrent.downloads  # where qBittorrent put it, not moved
    assert download.read_bytes() == book.path.read_bytes()
    assert filed.stat().st_ino == download.stat().st_ino and download.stat().st_nlink == 2  # a hardlink
    assert LibraryFile.objects.get(item=item, format="epub").path == str(filed)
    assert MediaItem.objects.get(pk=item.pk).status == MediaStatus.POST_PROCESSED_SUCCESS
    still = _client_status(attempt)
    assert still.state == JobState.COMPLETED and still.seeding, still

    _tick_scheduler(30)  # no seeding goal set: the torrent stays in the client
    assert _client_status(attempt).seeding
    qbittorrent_configured.seed_time_limit_minutes = 0  # the user's goal: reached at once
    qbittorrent_configured.save()
    _tick_scheduler(31)
    attempt.refresh_from_db()
    assert attempt.client_status == seeding.SEED_GOAL_REACHED
    assert _client_status(attempt).state == JobState.MISSING  # removed from qBittorrent ...
    assert download.is_file() and filed.is_file()  # ... with its files kept
