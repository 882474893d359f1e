"""Comic pages one by one without re-reading the archive: the CBZ page index is kept per archive
version, a CBR is extracted once into the size-capped page cache, pages answer conditional GETs,
and the pages API gives the count and the URLs readers fetch."""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from media.models import LibraryFile, MediaItem
from reading import pages
from reading.disk_cache import DiskCache
from reading.models import LibraryAccess
from scanning.models import ScanFolder
from tests.scanning.samples import make_cbr, make_cbz

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_caches(settings, tmp_path):
    settings.CACHE_DIR = tmp_path / "cache"
    pages.INDEXES.clear()
    yield
    pages.INDEXES.clear()


@pytest.fixture
def library(tmp_path) -> Path:
    root = tmp_path / "comics"
    root.mkdir()
    ScanFolder.objects.create(path=str(root), name="Comics")
    return root


def _comic(path: Path, fmt: str) -> LibraryFile:
    item = MediaItem.objects.create(title=path.stem, sort_title=path.stem, kind="comic")
    return LibraryFile.objects.create(item=item, path=str(path), size=path.stat().st_size, mtime_ns=0, format=fmt)


def _page(client, comic: LibraryFile, number: int, **headers):
    return client.get(reverse("comic-page", args=[comic.pk, number]), headers=headers)


def _zip_page(path: Path, number: int) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(f"page{number:02d}.jpg")


def test_the_cbz_page_index_is_built_once_per_archive_version(admin_client, library):
    path = make_cbz(library / "Saga 001.cbz", None, pages=4)
    comic = _comic(path, "cbz")
    builds = pages.INDEXES.builds
    for number in (1, 4, 2, 3):
        response = _page(admin_client, comic, number)
        assert response.status_code == 200 and response.content == _zip_page(path, number)
    assert pages.INDEXES.builds == builds + 1

    make_cbz(path, None, pages=6)  # rewritten with more pages: a new version
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert _page(admin_client, comic, 6).content == _zip_page(path, 6)
    assert pages.INDEXES.builds == builds + 2


def test_pages_answer_304_while_the_archive_is_unchanged(admin_client, library):
    comic = _comic(make_cbz(library / "Saga 002.cbz", None, pages=2), "cbz")
    first = _page(admin_client, comic, 1)
    assert first["ETag"] != _page(admin_client, comic, 2)["ETag"]
    repeat = _page(admin_client, comic, 1, If_None_Match=first["ETag"])
    assert repeat.status_code == 304 and repeat.content == b""


def test_a_cbr_is_extracted_once_into_the_page_cache(admin_client, library, settings, monkeypatch):
    path = make_cbr(library / "Saga 003.cbr", None, pages=3)
    comic = _comic(path, "cbr")
    runs = []
    real_run = pages._run_extractor
    monkeypatch.setattr(pages, "_run_extractor", lambda *args: runs.append(args) or real_run(*args))
    first, third = _page(admin_client, comic, 1), _page(admin_client, comic, 3)
    pages.INDEXES.clear()  # as in another web process: the page cache on disk is reused
    second = _page(admin_client, comic, 2)
    assert [r.status_code for r in (first, second, third)] == [200, 200, 200]
    assert first["Content-Type"] == "image/jpeg" and len({first.content, second.content, third.content}) == 3
    assert len(runs) == 1
    cached = [p for p in (Path(settings.CACHE_DIR) / "pages").iterdir() if not p.name.startswith(".")]
    assert len(cached) == 1 and sorted(p.name for p in cached[0].iterdir()) == ["00001", "00002", "00003", "index.json"]


def test_the_page_cache_evicts_the_least_recently_used_entries(tmp_path):
    roomy = DiskCache(tmp_path / "c", cap_bytes=10**6)
    for number, name in enumerate(("first", "second", "third")):
        work = roomy.work_path(name)
        work.mkdir(parents=True)
        (work / "page").write_bytes(b"x" * 1000)
        roomy.commit(work, name)
        os.utime(roomy.path(name), (1000 + number, 1000 + number))
    capped = DiskCache(roomy.root, cap_bytes=2500)
    assert capped.get("first") is not None  # read again: now the most recently used
    assert capped.evict() == [capped.path("second")]
    assert sorted(p.name for p in capped.root.iterdir()) == ["first", "third"]


def test_an_entry_bigger_than_the_cap_is_kept_until_the_next_one(tmp_path):
    cache = DiskCache(tmp_path / "c", cap_bytes=10)
    work = cache.work_path("big")
    work.write_bytes(b"x" * 100)
    assert cache.commit(work, "big").read_bytes() == b"x" * 100


def test_the_pages_api_gives_the_count_and_urls_of_the_right_images(admin_client, library):
    path = make_cbz(library / "Saga 004.cbz", None, pages=3)
    comic = _comic(path, "cbz")
    response = admin_client.get(f"/api/reading/files/{comic.pk}/pages")
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["count"] == 3 and len(data["urls"]) == 3
    assert data["url_template"].replace("{page}", "2") == data["urls"][1]
    for number, url in enumerate(data["urls"], start=1):
        assert admin_client.get(url).content == _zip_page(path, number)


def test_a_hidden_librarys_comic_has_no_pages_for_that_reader(reader_client, reader_user, library, tmp_path):
    comic = _comic(make_cbz(library / "Saga 005.cbz", None, pages=2), "cbz")
    LibraryAccess.objects.create(user=reader_user, all_libraries=False)
    assert _page(reader_client, comic, 1).status_code == 404
    assert reader_client.get(f"/api/reading/files/{comic.pk}/pages").status_code == 404


@pytest.mark.timeout(20)
def test_a_fifo_in_a_comics_place_is_refused_without_blocking(admin_client, library):
    path = library / "Saga 006.cbz"
    os.mkfifo(path)
    comic = LibraryFile.objects.create(
        item=MediaItem.objects.create(title="x", sort_title="x"), path=str(path), size=1, mtime_ns=0, format="cbz"
    )
    assert _page(admin_client, comic, 1).status_code == 404
    assert admin_client.get(f"/api/reading/files/{comic.pk}/pages").status_code == 404
