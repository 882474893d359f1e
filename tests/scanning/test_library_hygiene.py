"""Library hygiene: the folders NAS boxes, operating systems and archives leave in a library are
never walked, AppleDouble `._x.epub` files are never books, cover images are found by the names
people give them (`folder.jpg`, `poster.png`, `v01_cover.jpg`, `<title> cover.jpg`, the only
image of a book folder), and an audiobook file directly in the scanned folder is a book of its own.
Every case is made of real files on disk."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from media.models import MediaItem
from scanning.services import scan_folder
from scanning.services.jobs import make_thumbnails
from scanning.sidecars import cover_paths, settle
from scanning.walker import count_files, directory_at, walk
from tests.scanning import samples as s

EXTS = frozenset({"epub", "pdf", "mp3"})
JUNK_FOLDERS = (
    "__MACOSX",
    "@eaDir",
    "@recycle",
    "#recycle",
    "@Recently-Snapshot",
    ".caltrash",
    ".Trash-1000",
    "$RECYCLE.BIN",
    ".yacreaderlibrary",
    ".@__thumb",
    "System Volume Information",
    ".hidden",
)


def _found(root: Path) -> list[str]:
    return sorted(os.path.relpath(f.path, root) for d in walk(str(root), EXTS) for f in d.files)


@pytest.mark.parametrize("junk", JUNK_FOLDERS)
def test_junk_folders_are_never_walked_nor_counted(tmp_path, junk):
    (tmp_path / "Author" / "Book").mkdir(parents=True)
    (tmp_path / "Author" / "Book" / "Book.epub").write_bytes(b"x")
    for folder in (tmp_path / junk, tmp_path / "Author" / junk / "Book.epub"):  # at the top and deep down
        folder.mkdir(parents=True)
        (folder / "Book.epub").write_bytes(b"x")
    assert _found(tmp_path) == ["Author/Book/Book.epub"]
    assert count_files(str(tmp_path), EXTS) == 1


def test_appledouble_files_beside_books_are_not_books(tmp_path):
    for name in ("Emma.epub", "._Emma.epub", "._01.mp3", "01.mp3"):
        (tmp_path / "Emma" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "Emma" / name).write_bytes(b"x")
    assert _found(tmp_path) == ["Emma/01.mp3", "Emma/Emma.epub"]


def test_a_library_inside_a_hidden_folder_is_still_walked(tmp_path):
    root = tmp_path / ".books"  # the folder the user chose: only folders below it are judged
    (root / "Author").mkdir(parents=True)
    (root / "Author" / "Book.epub").write_bytes(b"x")
    assert _found(root) == ["Author/Book.epub"]


def _covers(folder: Path, files: dict[str, bytes], book: str) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    directory, _ = settle(directory_at(str(folder), EXTS))
    return [Path(p).name for p in cover_paths(directory, book)]


@pytest.mark.parametrize(
    ("images", "expected"),
    [
        (["folder.jpg"], ["folder.jpg"]),
        (["poster.png"], ["poster.png"]),
        (["front.jpg"], ["front.jpg"]),
        (["v01_cover.jpg"], ["v01_cover.jpg"]),
        (["Dune cover.jpg"], ["Dune cover.jpg"]),
        (["Dune_cover.webp"], ["Dune_cover.webp"]),
        (["scan0001.jpg"], ["scan0001.jpg"]),  # the only image of the book's folder
        (["folder.jpg", "cover.jpg", "poster.png"], ["cover.jpg", "folder.jpg", "poster.png"]),
        (["Dune.jpg", "cover.jpg"], ["Dune.jpg", "cover.jpg"]),  # its own first
        (["back.jpg", "spine.jpg"], []),  # two images, neither named as a cover: no guess
    ],
)
def test_cover_images_are_found_by_the_names_people_give_them(tmp_path, images, expected):
    files = {"Dune.epub": b"x", **{name: s.jpeg() for name in images}}
    assert _covers(tmp_path / "Dune", files, "Dune.epub") == expected


def test_in_a_folder_of_several_books_a_named_cover_is_its_books_only(tmp_path):
    files = {"Dune.epub": b"x", "Emma.epub": b"x", "Dune cover.jpg": s.jpeg(), "poster.png": s.jpeg()}
    assert _covers(tmp_path / "Mixed", files, "Dune.epub") == ["Dune cover.jpg"]
    assert _covers(tmp_path / "Mixed", files, "Emma.epub") == []  # poster.png is set aside: whose is it?
    assert _covers(tmp_path / "Lone", {"Dune.epub": b"x", "Emma.epub": b"x", "x.jpg": s.jpeg()}, "Emma.epub") == []


@pytest.mark.django_db
@pytest.mark.parametrize("cover_name", ["v01_cover.jpg", "poster.png", "The Martian cover.jpg", "only-image.jpg"])
def test_the_scan_gives_a_book_the_cover_found_beside_it(library, make_folder, cover_name):
    side_cover = s.jpeg((9, 99, 9))
    book = library / "Andy Weir" / "The Martian"
    s.make_epub(book / "The Martian.epub", s.Book("The Martian", authors=(("Andy Weir", "Weir, Andy"),)), cover=b"")
    (book / cover_name).write_bytes(side_cover)
    scan_folder(make_folder(library).pk)
    make_thumbnails()
    item = MediaItem.objects.get(title="The Martian")
    assert item.cover_path and (Path(settings.DATA_DIR) / item.cover_path).read_bytes() == side_cover


@pytest.mark.django_db
def test_audiobook_files_directly_in_the_scanned_folder_are_books_of_their_own(library, make_folder):
    s.make_mp3(library / "Ender Quill.mp3", seconds=1, tags={"album": "Ender Quill", "artist": "Hana Ivers"})
    s.make_mp3(library / "Human Tides.mp3", seconds=1, tags={"album": "Human Tides", "artist": "Bo Lund"})
    s.make_mp3(library / "Salt and Signal" / "01.mp3", seconds=1, tags={"album": "Salt and Signal"})
    s.make_mp3(library / "Salt and Signal" / "02.mp3", seconds=1, tags={"album": "Salt and Signal"})
    scan_folder(make_folder(library, content_type="audiobooks").pk)
    counts = {item.title: item.files.count() for item in MediaItem.objects.all()}
    assert counts == {"Ender Quill": 1, "Human Tides": 1, "Salt and Signal": 2}


@pytest.mark.django_db
def test_books_in_junk_folders_are_not_imported(library, make_folder):
    s.make_epub(library / "Andy Weir" / "Artemis.epub", s.Book("Artemis"))
    s.make_epub(library / "@eaDir" / "Artemis.epub" / "Copy.epub", s.Book("Thumbnail Copy"))
    s.make_epub(library / "#recycle" / "Deleted.epub", s.Book("Deleted Book"))
    scan_folder(make_folder(library).pk)
    assert set(MediaItem.objects.values_list("title", flat=True)) == {"Artemis"}
