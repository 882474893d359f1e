"""Downloads as clients expect them: names from the metadata, Content-Type, byte ranges (resume,
audio seeking), conditional GETs, and files that must never be served (special files, symlinks
out of the library, hidden libraries), plus the whole audiobook as one streamed zip."""

from __future__ import annotations

import io
import os
import zipfile
from email.utils import formatdate
from pathlib import Path

import pytest
from django.urls import reverse

from media.models import Author, Contribution, LibraryFile, MediaItem
from reading.models import LibraryAccess
from reading.names import base_name
from reading.serving import content_disposition
from scanning.models import ScanFolder
from tests.scanning.samples import make_mp3

pytestmark = pytest.mark.django_db
DATA = bytes(range(256)) * 40  # 10,240 bytes, every offset recognisable


def _item(title: str, *authors: str, kind: str = "ebook") -> MediaItem:
    item = MediaItem.objects.create(title=title, sort_title=title, kind=kind)
    for position, name in enumerate(authors):
        author = Author.objects.create(name=name, sort_name=name, normalized=name.lower())
        Contribution.objects.create(item=item, author=author, position=position)
    return item


def _file(item: MediaItem, path: Path, fmt: str) -> LibraryFile:
    st = path.stat()
    return LibraryFile.objects.create(item=item, path=str(path), size=st.st_size, mtime_ns=st.st_mtime_ns, format=fmt)


@pytest.fixture
def library(tmp_path) -> Path:
    root = tmp_path / "library"
    root.mkdir()
    ScanFolder.objects.create(path=str(root), name="Books")
    return root


@pytest.fixture
def book(library) -> LibraryFile:
    path = library / "le guin" / "earthsea.epub"
    path.parent.mkdir()
    path.write_bytes(DATA)
    return _file(_item("A Wizard of Earthsea", "Ursula K. Le Guin"), path, "epub")


def _get(client, library_file, **headers):
    return client.get(reverse("file-download", args=[library_file.pk]), headers=headers)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_download_is_named_after_the_book_with_its_content_type(admin_client, book):
    response = _get(admin_client, book)
    assert response.status_code == 200 and _body(response) == DATA
    assert response["Content-Type"] == "application/epub+zip"
    assert response["Content-Disposition"] == 'attachment; filename="Ursula K. Le Guin - A Wizard of Earthsea.epub"'
    assert response["Content-Length"] == str(len(DATA)) and response["Accept-Ranges"] == "bytes"


def test_non_ascii_names_get_an_rfc5987_name_and_an_ascii_fallback():
    header = content_disposition("Stanisław Lem - Solaris: Ä/B.epub")
    assert header.startswith('attachment; filename="Stanis_aw Lem - Solaris: A/B.epub"; ')
    assert header.endswith("filename*=UTF-8''Stanis%C5%82aw%20Lem%20-%20Solaris%3A%20%C3%84%2FB.epub")


@pytest.mark.parametrize(
    ("authors", "title", "expected"),
    [
        (["Ursula K. Le Guin"], "A Wizard of Earthsea", "Ursula K. Le Guin - A Wizard of Earthsea"),
        (["A", "B", "C", "D"], "Anthology", "A & B & C et al. - Anthology"),
        ([], "Only a Title", "Only a Title"),
        (["Who"], "", "Who - Untitled"),
        (["AC/DC"], "Back/In\nBlack", "AC-DC - Back-In Black"),
    ],
)
def test_base_names(authors, title, expected):
    assert base_name(authors, title) == expected


def test_a_title_with_reserved_characters_becomes_a_safe_name(admin_client, library):
    path = library / "x.pdf"
    path.write_bytes(b"%PDF-1.4")
    library_file = _file(_item('Why? "Because": <Yes>/No', "Łukasz"), path, "pdf")
    disposition = _get(admin_client, library_file)["Content-Disposition"]
    assert "filename*=UTF-8''%C5%81ukasz%20-%20Why_%20_Because_%20-%20_Yes_-No.pdf" in disposition
    assert "/" not in disposition.split("filename*")[0]


@pytest.mark.parametrize(
    ("range_header", "start", "stop"),
    [
        ("bytes=0-99", 0, 100),
        ("bytes=-100", len(DATA) - 100, len(DATA)),
        ("bytes=10000-", 10000, len(DATA)),
        ("bytes=10000-99999", 10000, len(DATA)),
    ],
    ids=["first-bytes", "suffix", "open-ended", "past-the-end"],
)
def test_a_single_range_answers_206_with_those_bytes(admin_client, book, range_header, start, stop):
    response = _get(admin_client, book, Range=range_header)
    assert response.status_code == 206
    assert _body(response) == DATA[start:stop]
    assert response["Content-Range"] == f"bytes {start}-{stop - 1}/{len(DATA)}"
    assert response["Content-Length"] == str(stop - start)


def test_an_unsatisfiable_range_answers_416_with_the_size(admin_client, book):
    response = _get(admin_client, book, Range=f"bytes={len(DATA)}-")
    assert response.status_code == 416 and response["Content-Range"] == f"bytes */{len(DATA)}"


@pytest.mark.parametrize("range_header", ["bytes=0-9,20-29", "items=0-9", "bytes=abc"])
def test_several_or_malformed_ranges_get_the_whole_file(admin_client, book, range_header):
    response = _get(admin_client, book, Range=range_header)
    assert response.status_code == 200 and _body(response) == DATA


def test_conditional_gets_answer_304_while_the_file_is_unchanged(admin_client, book):
    first = _get(admin_client, book)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and modified == formatdate(int(Path(book.path).stat().st_mtime), usegmt=True)
    assert _get(admin_client, book, If_None_Match=etag).status_code == 304
    assert _get(admin_client, book, If_Modified_Since=modified).status_code == 304
    Path(book.path).write_bytes(DATA + b"more")  # a new version: new validators
    os.utime(book.path, ns=(0, 2_000_000_000_000_000_000))
    changed = _get(admin_client, book, If_None_Match=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_if_range_resumes_only_the_same_version(admin_client, book):
    etag = _get(admin_client, book)["ETag"]
    same = _get(admin_client, book, Range="bytes=100-199", If_Range=etag)
    assert same.status_code == 206 and _body(same) == DATA[100:200]
    other = _get(admin_client, book, Range="bytes=100-199", If_Range='"an-older-version"')
    assert other.status_code == 200 and _body(other) == DATA


def test_a_hidden_librarys_file_is_not_found_for_a_limited_reader(reader_client, reader_user, book, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    LibraryAccess.objects.create(user=reader_user, all_libraries=False).libraries.add(
        ScanFolder.objects.create(path=str(other), name="Other")
    )
    assert _get(reader_client, book).status_code == 404
    assert _get(reader_client, book, Range="bytes=0-9").status_code == 404


@pytest.mark.timeout(20)
def test_a_fifo_in_a_books_place_is_refused_without_blocking(admin_client, book):
    os.unlink(book.path)
    os.mkfifo(book.path)
    assert _get(admin_client, book).status_code == 404


def test_a_symlink_out_of_the_library_is_refused(admin_client, book, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the server's secrets")
    os.unlink(book.path)
    os.symlink(secret, book.path)
    assert _get(admin_client, book).status_code == 404


def test_a_symlink_inside_the_library_is_served(admin_client, book, library):
    target = library / "real.epub"
    os.rename(book.path, target)
    os.symlink(target, book.path)
    assert _body(_get(admin_client, book)) == DATA


@pytest.fixture
def audiobook(library) -> MediaItem:
    item = _item("The Hobbit", "J. R. R. Tolkien", kind="audiobook")
    folder = library / "hobbit"
    for part in (1, 2, 3):
        _file(item, make_mp3(folder / f"Part {part:02d}.mp3", seconds=1.0 + part), "mp3")
    return item


def test_each_audiobook_part_has_its_own_name_and_seeks(admin_client, audiobook):
    part = audiobook.files.get(path__endswith="Part 02.mp3")
    response = _get(admin_client, part, Range="bytes=1000-1999")
    assert response.status_code == 206 and response["Content-Type"] == "audio/mpeg"
    assert _body(response) == Path(part.path).read_bytes()[1000:2000]
    assert 'filename="J. R. R. Tolkien - The Hobbit - Part 02.mp3"' in response["Content-Disposition"]


def test_the_audiobook_zip_unzips_to_the_same_bytes(admin_client, audiobook):
    response = admin_client.get(reverse("item-zip", args=[audiobook.pk]))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="J. R. R. Tolkien - The Hobbit.zip"'
    chunks = list(response.streaming_content)
    assert len(chunks) > 3  # written piece by piece, not built whole
    with zipfile.ZipFile(io.BytesIO(b"".join(chunks))) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert names == [f"J. R. R. Tolkien - The Hobbit/Part {n:02d}.mp3" for n in (1, 2, 3)]
        for name, library_file in zip(names, audiobook.files.order_by("path"), strict=True):
            assert archive.read(name) == Path(library_file.path).read_bytes()
            assert archive.getinfo(name).compress_type == zipfile.ZIP_STORED


def test_the_zip_holds_only_the_files_a_reader_may_see(reader_client, reader_user, audiobook, tmp_path):
    LibraryAccess.objects.create(user=reader_user, all_libraries=False)
    assert reader_client.get(reverse("item-zip", args=[audiobook.pk])).status_code == 404


def test_the_book_page_offers_the_downloads(reader_client, book):
    page = reader_client.get(reverse("book-detail", args=[book.item_id]))
    assert page.status_code == 200
    assert b'id="reading-files" data-item-id="%d"' % book.item_id in page.content
    assert b"js/book-files.js" in page.content
    files = reader_client.get(f"/api/reading/items/{book.item_id}/files").json()["data"]["files"]
    assert [f["download_url"] for f in files] == [reverse("file-download", args=[book.pk])]
