"""Comic folders in a scan: page images are pages, not issues; a `.zip` or `.rar` that holds
page images is a comic (a renamed cbz/cbr), one that holds anything else is left alone."""

from __future__ import annotations

import zipfile

import pytest

from media.models import LibraryFile, MediaItem
from scanning.extractors import kind_for
from scanning.extractors.archives import holds_a_comic
from scanning.models import ScanRun
from scanning.services import scan_folder
from tests.scanning import samples as s

pytestmark = pytest.mark.django_db


def _issues() -> set[tuple[str, str, str]]:
    return {(i.kind, i.series.title if i.series else "", i.title) for i in MediaItem.objects.all()}


def _zip(path, members: dict[str, bytes]):
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_page_images_and_loose_jpgs_in_a_comic_folder_are_not_issues(library, make_folder):
    series = library / "Tidewater (2019)"
    s.make_cbz(series / "Tidewater 001 (2019).cbz", None)
    (series / "Tidewater 002 (2019).jpg").write_bytes(s.jpeg())  # a loose cover scan
    (series / "folder.jpg").write_bytes(s.jpeg())
    unpacked = series / "Tidewater 003"
    unpacked.mkdir()
    for page in range(3):
        (unpacked / f"{page:03d}.jpg").write_bytes(s.jpeg())
    result = scan_folder(make_folder(library, content_type="comics").pk)
    assert result["added"] == 1 and result["errors"] == 0 and result["corrupt"] == 0
    assert [f.path.rsplit("/", 1)[-1] for f in LibraryFile.objects.all()] == ["Tidewater 001 (2019).cbz"]
    item = MediaItem.objects.get()
    assert item.kind == "comic" and item.series.title == "Tidewater" and item.series_index == 1


def test_a_zip_and_a_rar_of_page_images_are_read_as_comics(library, make_folder):
    s.make_cbz(library / "Tidewater" / "Tidewater 004 (2020).zip", s.comicinfo("Tidewater", "4", title="Ashfall"))
    s.make_cbr(library / "Tidewater" / "Tidewater 005 (2020).rar", None)
    result = scan_folder(make_folder(library, content_type="comics").pk)
    assert result["added"] == 2 and result["errors"] == 0 and result["corrupt"] == 0
    assert _issues() == {("comic", "Tidewater", "Ashfall"), ("comic", "Tidewater", "Tidewater #5")}
    assert sorted(LibraryFile.objects.values_list("format", flat=True)) == ["rar", "zip"]


def test_a_zip_of_ebooks_or_other_files_is_not_a_comic_and_not_an_error(library, make_folder):
    _zip(library / "Pack" / "Three Novels.zip", {"a.epub": b"PK epub", "b.epub": b"PK epub", "cover.jpg": s.jpeg()})
    _zip(library / "Pack" / "Tool 1.2.zip", {"tool.exe": b"MZ", "readme.txt": b"hi", "icon.png": b"\x89PNG"})
    (library / "Pack" / "Not really.zip").write_bytes(b"this is no archive at all")
    s.make_cbz(library / "Pack" / "Tidewater 006.zip", None)
    result = scan_folder(make_folder(library).pk)
    assert result["added"] == 1 and result["errors"] == 0 and result["corrupt"] == 0
    assert _issues() == {("comic", "Tidewater", "Tidewater #6")}
    assert ScanRun.objects.get().error_log == []


def test_a_zip_bomb_of_page_names_is_refused_with_the_reason(library, make_folder):
    path = library / "Bomb 001.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("page001.jpg", "w", force_zip64=True) as out:
        for _ in range(300):
            out.write(b"\x00" * (1024 * 1024))
    result = scan_folder(make_folder(library, content_type="comics").pk)
    assert result["added"] == 0 and result["corrupt"] == 1
    assert "bomb" in LibraryFile.objects.get().error.lower()


def test_kind_of_an_archive_comes_from_its_content(tmp_path):
    comic = s.make_cbz(tmp_path / "a.zip", None)
    books = _zip(tmp_path / "b.zip", {"x.epub": b"", "y.mobi": b""})
    assert kind_for(comic) == "comic" and kind_for(str(comic)) == "comic"
    assert kind_for(books) is None
    assert kind_for(tmp_path / "a.cbz") == "comic"  # a cbz is a comic by its name, as before


@pytest.mark.parametrize(
    ("names", "comic"),
    [
        (["001.jpg", "002.jpg", "003.png", "ComicInfo.xml"], True),
        (["Series 001/", "Series 001/p01.jpeg", "Series 001/p02.webp", "__MACOSX/._p01.jpeg"], True),
        (["p01.jpg", "p02.jpg", "p03.jpg", "p04.jpg", "credits.txt", "scan.nfo"], True),
        (["p01.jpg", "p02.jpg", "p03.jpg", "p04.jpg", "extra.html"], True),  # 4 of 5 pages are images
        (["cover.jpg", "book.epub"], False),  # a book inside: not a comic
        (["issue1.cbz", "issue2.cbz"], False),  # a pack of comics is not one comic
        (["cover.jpg", "setup.exe", "lib.dll"], False),
        (["readme.txt"], False),
        ([], False),
    ],
)
def test_an_archive_is_a_comic_when_it_holds_mostly_page_images(names, comic):
    assert holds_a_comic(names) is comic
