"""Sidecars belong to one book: a generic metadata.opf or cover.jpg applies only when the
folder holds one book (or calibre's one-book folder), a named one (`<stem>.opf`) to its
book; in a folder of several books the generic ones are ignored and reported, and the
books are never merged because of them."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from media.models import LibraryFile, MediaItem
from scanning.services import scan_folder
from scanning.services.jobs import make_thumbnails
from tests.scanning import samples as s

pytestmark = pytest.mark.django_db

WEIR = (("Andy Weir", "Weir, Andy"),)
MARTIAN = s.Book("The Martian", authors=WEIR, isbn="9780553418026", uuid="00000000-0000-4000-8000-00000000a001")
ARTEMIS = s.Book("Artemis", authors=WEIR, uuid="00000000-0000-4000-8000-00000000a002")
RANDOMIZE = s.Book("Randomize", authors=WEIR, uuid="00000000-0000-4000-8000-00000000a003")
ARTEMIS_OPF = s.Book("Artemis", authors=WEIR, isbn="9780553448122", series="Moon", series_index="1")
SIDE_COVER = s.jpeg((9, 9, 9))


def _items() -> dict[str, set[str]]:
    return {
        item.title: {Path(f.path).name for f in item.files.all()}
        for item in MediaItem.objects.prefetch_related("files")
    }


def _cover(title: str) -> bytes | None:
    make_thumbnails()
    item = MediaItem.objects.get(title=title)
    return (Path(settings.DATA_DIR) / item.cover_path).read_bytes() if item.cover_path else None


def _sidecar_problems(client) -> list[dict]:
    response = client.get("/api/scanning/sidecar-problems")
    assert response.status_code == 200, response.content
    return response.json()["data"]["items"]


def _weir_folder(folder: Path, *, opf: str = "metadata.opf", cover: str = "cover.jpg") -> Path:
    """Artemis and Randomize (no cover inside) with The Martian's OPF and a cover beside them."""
    s.make_epub(folder / "Artemis.epub", ARTEMIS, cover=b"")
    s.make_epub(folder / "Randomize.epub", RANDOMIZE, cover=b"")
    s.make_opf(folder / opf, MARTIAN)
    (folder / cover).write_bytes(SIDE_COVER)
    return folder


def test_a_generic_opf_in_a_folder_of_two_books_merges_nothing_and_is_reported(library, make_folder, admin_client):
    weir = _weir_folder(library / "Weir, Andy")
    result = scan_folder(make_folder(library).pk)
    assert result["added"] == 2 and LibraryFile.objects.count() == 2 and result["shared_sidecars"] == 1
    assert _items() == {"Artemis": {"Artemis.epub"}, "Randomize": {"Randomize.epub"}}
    assert not MediaItem.objects.filter(isbn13=MARTIAN.isbn).exists()
    assert _cover("Artemis") is None and _cover("Randomize") is None  # nor the folder's cover
    [problem] = _sidecar_problems(admin_client)
    assert problem["path"] == str(weir) and problem["sidecars"] == ["cover.jpg", "metadata.opf"]
    assert problem["books"] == 2 and "Name them after their book" in problem["reason"]
    assert "one metadata.opf or cover for all" in admin_client.get("/").content.decode()  # the dashboard


def test_the_problem_goes_when_the_sidecar_is_named_after_its_book(library, make_folder, admin_client):
    weir = _weir_folder(library / "Weir, Andy")
    folder = make_folder(library)
    scan_folder(folder.pk)
    assert len(_sidecar_problems(admin_client)) == 1
    (weir / "metadata.opf").rename(weir / "Artemis.opf")
    (weir / "cover.jpg").unlink()
    assert scan_folder(folder.pk)["shared_sidecars"] == 0
    assert _sidecar_problems(admin_client) == []


def test_sidecars_named_after_a_book_apply_to_that_book_only(library, make_folder):
    weir = library / "Weir, Andy"
    s.make_epub(weir / "Artemis.epub", ARTEMIS, cover=b"")
    s.make_epub(weir / "Randomize.epub", RANDOMIZE, cover=b"")
    s.make_opf(weir / "Artemis.opf", ARTEMIS_OPF)
    (weir / "Artemis.jpg").write_bytes(SIDE_COVER)
    result = scan_folder(make_folder(library).pk)
    assert result["added"] == 2 and result["shared_sidecars"] == 0
    artemis, randomize = MediaItem.objects.get(title="Artemis"), MediaItem.objects.get(title="Randomize")
    assert artemis.isbn13 == ARTEMIS_OPF.isbn and artemis.series.title == "Moon"
    assert randomize.isbn13 == "" and randomize.series_id is None
    assert _cover("Artemis") == SIDE_COVER and _cover("Randomize") is None


def test_a_folder_of_one_book_in_several_formats_still_uses_its_generic_sidecars(library, make_folder):
    book = library / "Weir, Andy" / "The Martian"
    s.make_epub(book / "the martian.epub", s.Book("Unknown", authors=WEIR), cover=b"")
    s.make_pdf(book / "The Martian.pdf", title="Unknown", author="Andy Weir")
    s.make_opf(book / "metadata.opf", MARTIAN)
    (book / "cover.jpg").write_bytes(SIDE_COVER)
    result = scan_folder(make_folder(library).pk)
    assert result["shared_sidecars"] == 0
    assert _items() == {"The Martian": {"the martian.epub", "The Martian.pdf"}}
    assert MediaItem.objects.get().isbn13 == MARTIAN.isbn


def test_an_audiobook_folder_of_tracks_uses_its_generic_opf(library, make_folder):
    book = library / "Andy Weir" / "The Martian"
    for track in ("01.mp3", "02.mp3"):
        s.make_mp3(book / track, tags={"album": "Unknown", "artist": "Andy Weir"})
    s.make_opf(book / "metadata.opf", MARTIAN)
    result = scan_folder(make_folder(library, content_type="audiobooks").pk)
    assert result["shared_sidecars"] == 0
    assert _items() == {"The Martian": {"01.mp3", "02.mp3"}}


def test_a_calibre_book_folder_is_one_book_whatever_its_files_are_called(library, make_folder):
    calibre = library / "Calibre Library"
    (calibre).mkdir()
    (calibre / "metadata.db").write_bytes(b"")  # calibre's database marks the library
    book = calibre / "Andy Weir" / "The Martian (12)"
    s.make_epub(book / "The Martian - Andy Weir.epub", s.Book("Unknown", authors=WEIR), cover=b"")
    s.make_epub(book / "original.epub", s.Book("Unknown", authors=WEIR), cover=b"")
    s.make_opf(book / "metadata.opf", MARTIAN)
    result = scan_folder(make_folder(library).pk)
    assert result["shared_sidecars"] == 0
    assert _items() == {"The Martian": {"The Martian - Andy Weir.epub", "original.epub"}}


def test_a_folder_named_like_calibres_outside_a_calibre_library_is_not_one(library, make_folder):
    _weir_folder(library / "Weir, Andy" / "Books (12)")
    result = scan_folder(make_folder(library).pk)
    assert result["shared_sidecars"] == 1 and set(_items()) == {"Artemis", "Randomize"}


def test_a_comic_folder_image_is_the_series_and_is_not_reported(library, make_folder):
    series = library / "Saga"
    for issue in (1, 2):
        s.make_cbz(series / f"Saga {issue:03d}.cbz", s.comicinfo(series="Saga", number=str(issue)))
    (series / "cover.jpg").write_bytes(SIDE_COVER)
    result = scan_folder(make_folder(library, content_type="comics").pk)
    assert result["added"] == 2 and result["shared_sidecars"] == 0


@pytest.mark.parametrize(
    ("names", "books"),
    [
        (("Dune.epub",), 1),
        (("Dune.epub", "Dune.PDF", "dune.mobi"), 1),  # one book in three formats
        (("Dune.epub", "Emma.epub"), 2),
        (("01.mp3", "02.mp3", "03.mp3"), 1),  # an audiobook's tracks
        (("01.mp3", "02.mp3", "Dune.epub"), 1),  # with its ebook, as Audiobookshelf keeps it
        (("01.mp3", "02.mp3", "Dune.epub", "Emma.epub"), 3),
        (("Dune.m4b", "Dune.epub"), 1),
        (("Dune.m4b", "Emma.epub"), 2),
        (("Saga 001.cbz", "Saga 002.cbz"), 0),  # comics: the folder image is the series'
    ],
)
def test_books_in_a_folder(names, books):
    from scanning.sidecars import books_in
    from scanning.walker import FileEntry

    files = tuple(FileEntry(f"/x/{n}", n, 1, 1, n.rsplit(".", 1)[1].lower()) for n in names)
    assert books_in(files) == books
