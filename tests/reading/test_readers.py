"""The reader pages: which reader opens which book, who may open it, the policy they are served
with and the progress API behind them (byte ranges: test_downloads.py)."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from media.models import LibraryFile, MediaItem
from reading.models import LibraryAccess, ReadingProgress
from reading.readers import audio_tracks, comic_right_to_left
from scanning.models import ScanFolder
from tests.reading.samples import make_long_epub
from tests.scanning.samples import make_cbz, make_m4b, make_mp3, make_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(tmp_path):
    return ScanFolder.objects.create(path=str(tmp_path), name="Books")


def add(folder, title, *paths, kind="ebook"):
    item = MediaItem.objects.create(title=title, sort_title=title, kind=kind)
    for path in paths:
        LibraryFile.objects.create(
            item=item, path=str(path), size=path.stat().st_size, mtime_ns=1, format=path.suffix.lstrip(".")
        )
    return item


def test_reading_a_book_opens_its_epub_before_its_pdf(reader_client, folder, tmp_path):
    item = add(
        folder,
        "Both",
        make_pdf(tmp_path / "both.pdf", title="Both", author="A"),
        make_long_epub(tmp_path / "both.epub"),
    )
    response = reader_client.get(reverse("read-item", args=[item.pk]))
    assert response.status_code == 200 and response.templates[0].name == "reading/ebook.html"
    pdf = item.files.get(format="pdf")
    assert reverse("read-file", args=[pdf.pk]).encode() in response.content  # "also as PDF"
    response = reader_client.get(reverse("read-file", args=[pdf.pk]))
    assert response.templates[0].name == "reading/pdf.html"


def test_a_hidden_librarys_book_is_not_found_in_any_reader(reader_client, reader_user, folder, tmp_path):
    item = add(folder, "Hidden", make_long_epub(tmp_path / "hidden.epub"))
    LibraryAccess.objects.create(user=reader_user, all_libraries=False)
    assert reader_client.get(reverse("read-item", args=[item.pk])).status_code == 404
    assert reader_client.get(reverse("read-file", args=[item.files.get().pk])).status_code == 404
    assert reader_client.get(f"/api/reading/progress/{item.pk}").status_code == 404
    body = {"locator": {"page": 1}, "percent": 5}
    assert (
        reader_client.put(f"/api/reading/progress/{item.pk}", body, content_type="application/json").status_code == 404
    )
    assert not ReadingProgress.objects.exists()


def test_anonymous_visitors_of_a_reader_are_sent_to_log_in(client, folder, tmp_path):
    item = add(folder, "Book", make_long_epub(tmp_path / "book.epub"))
    response = client.get(reverse("read-item", args=[item.pk]))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_reader_pages_allow_book_styles_but_never_book_scripts(reader_client, folder, tmp_path):
    item = add(folder, "Book", make_long_epub(tmp_path / "book.epub"))
    policy = reader_client.get(reverse("read-item", args=[item.pk]))["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "style-src 'self' 'unsafe-inline' blob:" in policy
    assert "frame-src 'self' blob:" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in reader_client.get("/library/")["Content-Security-Policy"]


@pytest.mark.parametrize(("site", "framed"), [("same-origin", True), ("cross-site", False), ("same-site", False)])
def test_only_our_own_pages_may_frame_a_page(reader_client, site, framed):
    response = reader_client.get("/library/", headers={"Sec-Fetch-Dest": "iframe", "Sec-Fetch-Site": site})
    assert (response["X-Frame-Options"] == "SAMEORIGIN") is framed
    assert ("frame-ancestors 'self'" in response["Content-Security-Policy"]) is framed
    assert ("frame-ancestors 'none'" in response["Content-Security-Policy"]) is not framed


def test_the_player_lays_files_in_natural_order_with_their_chapters(reader_client, folder, tmp_path):
    parts = [make_mp3(tmp_path / f"Part {n}.mp3", seconds=1) for n in (10, 2, 1)]
    m4b = make_m4b(tmp_path / "Part 11.m4b", seconds=5, chapters=(("Opening", 0.0), ("Storm", 2.5)))
    item = add(folder, "Heard", *parts, m4b, kind="audiobook")
    response = reader_client.get(reverse("read-item", args=[item.pk]))
    assert response.templates[0].name == "reading/player.html"
    tracks = audio_tracks(item.files.all())
    assert [t.title for t in tracks] == ["Part 1", "Part 2", "Part 10", "Part 11"]
    assert [c.title for c in tracks[0].chapters] == ["Part 1"]  # no chapters of its own: the file is one
    assert [(c.title, c.start) for c in tracks[3].chapters] == [("Opening", 0.0), ("Storm", 2.5)]
    assert all(t.duration and t.duration > 0.5 for t in tracks[:3])


@pytest.mark.parametrize("wanted", ["//evil.example/", "https://evil.example/", "/\\evil.example", "library"])
def test_the_player_frame_shows_only_local_pages(reader_client, folder, tmp_path, wanted):
    item = add(folder, "Heard", make_mp3(tmp_path / "a.mp3"), kind="audiobook")
    response = reader_client.get(reverse("read-item", args=[item.pk]), {"page": wanted})
    assert response.context["frame_page"] == reverse("book-detail", args=[item.pk])
    response = reader_client.get(reverse("read-item", args=[item.pk]), {"page": "/series/?page=2"})
    assert response.context["frame_page"] == "/series/?page=2"


def test_a_manga_is_known_by_its_comicinfo(tmp_path):
    manga = b"<?xml version='1.0'?><ComicInfo><Manga>YesAndRightToLeft</Manga></ComicInfo>"
    assert comic_right_to_left(make_cbz(tmp_path / "m.cbz", manga))
    assert not comic_right_to_left(make_cbz(tmp_path / "c.cbz", b"<ComicInfo><Manga>No</Manga></ComicInfo>"))
    assert not comic_right_to_left(make_cbz(tmp_path / "n.cbz", None))


def test_progress_saved_on_one_device_is_read_on_another(reader_user, folder, tmp_path):
    item = add(folder, "Book", make_long_epub(tmp_path / "book.epub"))
    phone, laptop = Client(enforce_csrf_checks=False), Client()
    phone.force_login(reader_user)
    laptop.force_login(reader_user)
    assert laptop.get(f"/api/reading/progress/{item.pk}").json()["data"]["updated_at"] is None
    body = {
        "file_id": item.files.get().pk,
        "locator": {"cfi": "epubcfi(/6/4!/4/2/1:0)"},
        "percent": 42.5,
        "device": "Phone",
    }
    assert (
        phone.put(f"/api/reading/progress/{item.pk}", json.dumps(body), content_type="application/json").status_code
        == 200
    )
    data = laptop.get(f"/api/reading/progress/{item.pk}").json()["data"]
    assert data["locator"] == body["locator"] and data["percent"] == 42.5 and data["status"] == "reading"
    assert data["device"] == "Phone" and data["file_id"] == body["file_id"] and data["updated_at"]


@pytest.mark.parametrize(
    "body",
    [{"locator": {}, "percent": 101}, {"locator": [], "percent": 1}, {"locator": {}, "percent": 1, "status": "lost"}],
)
def test_bad_progress_is_refused_and_changes_nothing(reader_client, folder, tmp_path, body):
    item = add(folder, "Book", make_long_epub(tmp_path / "book.epub"))
    response = reader_client.put(f"/api/reading/progress/{item.pk}", body, content_type="application/json")
    assert response.status_code == 422 and not ReadingProgress.objects.exists()


def test_progress_naming_another_books_file_is_refused(reader_client, folder, tmp_path):
    item = add(folder, "Book", make_long_epub(tmp_path / "book.epub"))
    other = add(folder, "Other", make_long_epub(tmp_path / "other.epub"))
    body = {"file_id": other.files.get().pk, "locator": {"page": 1}, "percent": 1}
    response = reader_client.put(f"/api/reading/progress/{item.pk}", body, content_type="application/json")
    assert response.status_code == 404 and not ReadingProgress.objects.exists()
