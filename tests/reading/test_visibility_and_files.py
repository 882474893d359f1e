"""Who sees which library's files, and the two ways bytes leave: a download and a comic page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from media.models import LibraryFile, MediaItem
from reading.models import LibraryAccess
from reading.visibility import visible_file, visible_items
from scanning.models import ScanFolder
from tests.scanning.samples import make_cbr, make_cbz

pytestmark = pytest.mark.django_db


def _book(folder: ScanFolder, name: str, data: bytes = b"%PDF-1.4 book", fmt: str = "pdf") -> LibraryFile:
    path = folder.path + "/" + name
    with open(path, "wb") as handle:
        handle.write(data)
    item = MediaItem.objects.create(title=name, sort_title=name)
    return LibraryFile.objects.create(item=item, path=path, size=len(data), mtime_ns=0, format=fmt)


@pytest.fixture
def two_libraries(tmp_path):
    (tmp_path / "kids").mkdir()
    (tmp_path / "kids-private").mkdir()  # a sibling whose name starts like the other: not inside it
    kids = ScanFolder.objects.create(path=str(tmp_path / "kids"), name="Kids")
    private = ScanFolder.objects.create(path=str(tmp_path / "kids-private"), name="Private")
    return kids, private, _book(kids, "open.pdf"), _book(private, "hidden.pdf")


def test_a_reader_limited_to_one_library_sees_only_its_books(reader_user, two_libraries):
    kids, _, open_file, hidden_file = two_libraries
    access = LibraryAccess.objects.create(user=reader_user, all_libraries=False)
    access.libraries.add(kids)
    assert list(visible_items(reader_user)) == [open_file.item]
    assert visible_file(reader_user, hidden_file.pk) is None
    assert visible_file(reader_user, open_file.pk) == open_file


def test_readers_see_every_library_until_limited_and_admins_always(reader_user, admin_user, two_libraries):
    assert visible_items(reader_user).count() == 2
    LibraryAccess.objects.create(user=reader_user, all_libraries=False)
    assert visible_items(reader_user).count() == 0
    assert visible_items(admin_user).count() == 2


def test_a_hidden_librarys_file_is_not_found_for_that_reader(reader_client, reader_user, two_libraries):
    kids, _, open_file, hidden_file = two_libraries
    LibraryAccess.objects.create(user=reader_user, all_libraries=False).libraries.add(kids)
    assert reader_client.get(reverse("file-download", args=[hidden_file.pk])).status_code == 404
    response = reader_client.get(reverse("file-download", args=[open_file.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 book"


def test_anonymous_visitors_are_sent_to_log_in(client, two_libraries):
    response = client.get(reverse("file-download", args=[two_libraries[2].pk]))
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize("maker", [make_cbz, make_cbr], ids=["cbz", "cbr"])
def test_comic_pages_come_one_by_one_in_reading_order(admin_client, tmp_path, maker):
    folder = ScanFolder.objects.create(path=str(tmp_path), name="Comics")
    fmt = maker.__name__[-3:]
    path = maker(tmp_path / f"Saga 001.{fmt}", None, pages=3)
    item = MediaItem.objects.create(title="Saga", sort_title="Saga", kind="comic")
    comic = LibraryFile.objects.create(item=item, path=str(path), size=path.stat().st_size, mtime_ns=0, format=fmt)
    first = admin_client.get(reverse("comic-page", args=[comic.pk, 1]))
    third = admin_client.get(reverse("comic-page", args=[comic.pk, 3]))
    assert first.status_code == third.status_code == 200
    assert first["Content-Type"] == "image/jpeg" and first.content != third.content
    assert admin_client.get(reverse("comic-page", args=[comic.pk, 4])).status_code == 404
    assert folder.pk
