"""A calibre library is a trusted source: a real library built with `calibredb add`, edited
with `calibredb set_metadata` (which changes the database, not the files), scans with every
edit intact, and nothing inside it is ever written."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from media.models import Author, MediaItem
from scanning.extractors import calibre_db, extract
from scanning.extractors.base import Person, build
from scanning.extractors.calibre_db import CalibreError, _published, read_library
from scanning.models import ScanRun
from scanning.services import scan_folder
from scanning.services.jobs import make_thumbnails
from search.models import FieldCandidate
from search.services.scan_provenance import record_pending
from tests.scanning import samples as s

pytestmark = pytest.mark.skipif(shutil.which("calibredb") is None, reason="calibre (calibredb) is not installed")

# What the files themselves say: every curated value below differs from it.
EMBEDDED = s.Book(
    "Embedded Title",
    authors=(("Some Writer", "Writer, Some"),),
    isbn="9780441172719",
    series="Embedded Series",
    series_index="1",
    publisher="Embedded Press",
    date="1999-01-02",
    subjects=("Embedded Tag",),
    language="en",
    uuid="11111111-0000-4000-8000-000000000001",
)
TWIN = s.Book("Twin", authors=(("Cy Moss", "Moss, Cy"),), uuid="11111111-0000-4000-8000-000000000002")
EDITS = {
    "title": "The Curated Saga Begins",
    "authors": "Ada Quill & Bo Lark",
    "author_sort": "Quill, Ada (curated) & Lark, Bo",
    "series": "Curated Saga",
    "series_index": "2.5",
    "tags": "Hand Tag,Second Tag",
    "identifiers": "isbn:9780306406157,goodreads:12345,amazon:B00CURATED",
    "publisher": "Curator Press",
    "pubdate": "2003-07-09",
    "rating": "4",
    "comments": "<p>My <b>own</b> notes</p>",
    "languages": "deu",
}


def _calibredb(*args: str) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QTWEBENGINE_DISABLE_SANDBOX": "1"}
    subprocess.run(["calibredb", *args], check=True, capture_output=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def calibre_library(tmp_path_factory) -> Path:
    """Book 1 (EPUB + PDF) edited in calibre; books 2 and 3 two distinct calibre books with one
    title and author. Built once, in two calls (each calibredb call costs 0.5-2 s)."""
    work = tmp_path_factory.mktemp("calibre")
    library = work / "Calibre Library"
    s.make_epub(work / "in" / "1" / "embedded.epub", EMBEDDED)
    s.make_pdf(work / "in" / "1" / "embedded.pdf", title="Embedded PDF Title", author="Some Writer")
    s.make_epub(work / "in" / "2" / "twin.epub", TWIN, chapter_text="First edition. " * 20)
    s.make_epub(work / "in" / "3" / "twin.epub", TWIN, chapter_text="Second edition. " * 20)
    folders = [str(work / "in" / str(n)) for n in (1, 2, 3)]  # book ids 1, 2, 3: one book per folder
    _calibredb("add", "--library-path", str(library), "--duplicates", "--one-book-per-directory", *folders)
    cover = work / "chosen-cover.jpg"
    cover.write_bytes(s.noise_jpeg(7, (80, 120)))
    fields = [f"{name}:{value}" for name, value in EDITS.items()] + [f"cover:{cover}"]
    _calibredb("set_metadata", "--library-path", str(library), "1", *(a for f in fields for a in ("--field", f)))
    return library


def _state(root: Path) -> dict[str, tuple]:
    """Every file and folder under `root` (itself included): its mtime and, for a file, the
    SHA-256 of its content."""
    return {
        str(p.relative_to(root)): (
            p.stat().st_mtime_ns,
            hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder",
        )
        for p in [root, *sorted(root.rglob("*"))]
    }


def _curated_book_folder(library: Path) -> Path:
    return next(library.glob("Ada Quill/The Curated Saga Begins (1)"))


def test_calibre_edits_survive_the_scan_and_nothing_is_written_into_the_library(calibre_library, make_folder):
    before = _state(calibre_library)
    folder = _curated_book_folder(calibre_library)
    epub = next(folder.glob("*.epub"))
    assert extract(epub).title == "Embedded Title"  # calibre changed its database, not the file

    result = scan_folder(make_folder(calibre_library).pk)
    make_thumbnails()  # the cover job reads covers after the scan

    assert result["errors"] == 0 and result["added"] == 4
    item = MediaItem.objects.get(title="The Curated Saga Begins")
    assert {Path(p).suffix for p in item.files.values_list("path", flat=True)} == {".epub", ".pdf"}
    authors = [(c.author.name, c.author.sort_name) for c in item.contributions.select_related("author")]
    assert authors == [("Ada Quill", "Quill, Ada (curated)"), ("Bo Lark", "Lark, Bo")]
    assert item.series.title == "Curated Saga" and item.series_index == Decimal("2.50")
    assert sorted(item.tags.values_list("name", flat=True)) == ["Hand Tag", "Second Tag"]
    assert set(item.identifiers.values_list("scheme", "value")) >= {
        ("isbn13", "9780306406157"),
        ("goodreads", "12345"),
        ("asin", "B00CURATED"),
    }
    assert not item.identifiers.filter(value="9780441172719").exists()  # the file's ISBN is not the book's
    assert (item.isbn13, item.publisher, item.published, item.year) == (
        "9780306406157",
        "Curator Press",
        "2003-07-09",
        2003,
    )
    assert (item.language, item.description, item.rating) == ("de", "My own notes", 8)
    assert (Path(settings.DATA_DIR) / item.cover_path).read_bytes() == (folder / "cover.jpg").read_bytes()
    assert (folder / "cover.jpg").read_bytes() != s.jpeg()  # not the cover inside the EPUB
    assert MediaItem.objects.filter(title="Twin").count() == 2  # two calibre books stay two items
    assert not Author.objects.filter(name="Some Writer").exists()
    record_pending()  # provenance: calibre's values are credited to the Calibre library source
    sources = dict(item.resolved_fields.values_list("field", "source__name"))
    assert {sources[f] for f in ("title", "authors", "series", "publisher", "language")} == {"calibre"}
    titles = dict(FieldCandidate.objects.filter(item=item, field="title").values_list("source__name", "value"))
    assert titles["calibre"] == item.title and titles["embedded_epub"] == "Embedded Title"  # what the file says
    assert _state(calibre_library) == before


def test_a_field_calibre_leaves_empty_takes_nothing_from_the_file():
    """An empty calibre value is the user's too (a tag removed in calibre does not come back,
    not even as a candidate); a value calibre gives beats the file's, which is kept as said."""
    calibre = build("calibre", calibre_db.CONFIDENCE, title="Curated", people=(Person("Ada Quill"),))
    embedded = build("epub", 0.9, title="Embedded", subjects=("Embedded Tag",), page_count=12)
    merged = calibre_db.curated(calibre, embedded)
    assert (merged.title, merged.subjects, merged.page_count) == ("Curated", (), 12)
    assert merged.overridden == (("title", "Embedded", "epub", 0.9),)


def test_a_calibre_library_inside_a_scan_folder_is_read_too(calibre_library, make_folder, tmp_path):
    books = tmp_path / "books"
    shutil.copytree(calibre_library, books / "calibre")
    s.make_epub(books / "loose" / "Emma.epub", s.Book("Emma", authors=(("Jane Austen", "Austen, Jane"),)))
    result = scan_folder(make_folder(books).pk)
    assert result["errors"] == 0
    assert set(MediaItem.objects.values_list("title", flat=True)) == {"The Curated Saga Begins", "Twin", "Emma"}
    assert MediaItem.objects.get(title="The Curated Saga Begins").rating == 8


def test_a_damaged_calibre_database_is_a_scan_problem_and_the_files_speak(calibre_library, make_folder, tmp_path):
    copy = tmp_path / "library"
    shutil.copytree(calibre_library, copy)
    database = copy / "metadata.db"
    database.write_bytes(database.read_bytes()[:100] + b"\xff" * 4096)  # a header, then garbage
    result = scan_folder(make_folder(copy).pk)
    assert result["errors"] == 1 and result["added"] == 4
    problem = ScanRun.objects.get().error_log[0]
    assert problem["path"] == str(database)
    assert "calibre library not read" in problem["reason"] and "damaged" in problem["reason"]
    assert MediaItem.objects.filter(title="Embedded Title").exists()  # described by its file


def test_a_rescan_of_an_unchanged_calibre_library_does_not_read_its_database(calibre_library, make_folder, tmp_path):
    copy = tmp_path / "library"
    shutil.copytree(calibre_library, copy)
    folder = make_folder(copy)
    assert scan_folder(folder.pk)["added"] == 4
    (copy / "metadata.db").write_bytes(b"damaged after the first scan")
    again = scan_folder(folder.pk)
    assert again["errors"] == 0 and again["unchanged"] == 4  # no file changed: the library was not opened


def test_a_locked_calibre_database_says_so(calibre_library, tmp_path):
    copy = tmp_path / "library"
    shutil.copytree(calibre_library, copy)
    holder = sqlite3.connect(copy / "metadata.db", isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        with pytest.raises(CalibreError, match="locked by another program"):
            read_library(str(copy), lock_wait_seconds=0.1)
    finally:
        holder.close()


def test_a_wal_library_is_read_without_creating_files_beside_it(calibre_library, tmp_path):
    copy = tmp_path / "library"
    shutil.copytree(calibre_library, copy)
    with sqlite3.connect(copy / "metadata.db") as db:
        assert db.execute("PRAGMA journal_mode = WAL").fetchone() == ("wal",)
    db.close()
    before = _state(copy)
    library = read_library(str(copy))
    assert _state(copy) == before and not list(copy.glob("metadata.db-*"))
    assert sorted(library.metadata(p).title for p in library.files) == ["The Curated Saga Begins"] * 2 + ["Twin"] * 2


def test_a_calibre_library_that_is_not_one_is_reported(tmp_path):
    (tmp_path / "metadata.db").write_bytes(b"not a database at all")
    with pytest.raises(CalibreError, match="damaged"):
        read_library(str(tmp_path))


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("2003-07-09 00:00:00+00:00", ("2003-07-09", 2003)),  # midnight UTC
        ("2015-04-26 22:00:00+00:00", ("2015-04-27", 2015)),  # midnight in Paris, stored in UTC
        ("2015-04-27 05:00:00+00:00", ("2015-04-27", 2015)),  # midnight in New York
        ("0101-01-01 00:00:00+00:00", ("", None)),  # calibre's "no date"
        ("", ("", None)),
    ],
)
def test_calibre_dates_are_the_day_the_user_typed(stored, expected):
    assert _published(stored) == expected
