from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from media.models import FileState, LibraryFile, MediaItem
from scanning.models import PendingCover, RunState, ScanRun
from scanning.services import scan_folder
from scanning.services.covers import thumbnail_path
from scanning.services.jobs import make_thumbnails
from scanning.services.scan import ScanOptions
from tests.scanning import samples as s

pytestmark = pytest.mark.django_db

DUNE = s.Book(
    "Dune",
    authors=(("Frank Herbert", "Herbert, Frank"),),
    isbn="9780441172719",
    series="Dune",
    series_index="1",
    language="en",
)
EMMA = s.Book(
    "Emma", authors=(("Jane Austen", "Austen, Jane"),), language="en", uuid="00000000-0000-4000-8000-0000e"
)


def _titles() -> set[str]:
    return set(MediaItem.objects.values_list("title", flat=True))


def test_import_creates_items_files_authors_series(library, make_folder):
    s.make_epub(library / "Frank Herbert" / "Dune" / "Dune.epub", DUNE)
    s.make_epub(library / "Jane Austen" / "Emma.epub", EMMA, version=2)
    folder = make_folder(library)
    result = scan_folder(folder.pk)
    assert result["added"] == 2 and result["corrupt"] == 0 and result["errors"] == 0
    dune = MediaItem.objects.get(title="Dune")
    assert dune.isbn13 == "9780441172719" and dune.series.title == "Dune" and dune.series_index == 1
    assert dune.authors_display == "Frank Herbert" and dune.language == "en" and dune.year == 2001
    assert dune.cover_path == "" and result["covers_queued"] == 2  # covers come after the scan
    assert make_thumbnails()["covers_stored"] == 2
    dune.refresh_from_db()
    assert dune.cover_path.startswith("covers/") and thumbnail_path(dune.cover_path).is_file()
    assert not PendingCover.objects.exists()
    assert set(dune.identifiers.values_list("scheme", flat=True)) >= {"isbn13", "uuid"}
    f = LibraryFile.objects.get(item=dune)
    assert (
        f.format == "epub"
        and len(f.sha256) == 64
        and len(f.partial_hash) == 64
        and f.state == FileState.PRESENT
    )
    run = ScanRun.objects.get()
    assert run.state == RunState.SUCCEEDED and run.added == 2


def test_rescan_of_unchanged_tree_writes_nothing_and_opens_no_file(library, make_folder, monkeypatch):
    s.make_epub(library / "a" / "Dune.epub", DUNE)
    s.make_epub(library / "b" / "Emma.epub", EMMA)
    folder = make_folder(library)
    scan_folder(folder.pk)
    import scanning.services.gather as gather
    import scanning.services.scan as scan

    def forbidden(*args, **kwargs):
        raise AssertionError("an unchanged file was opened")

    monkeypatch.setattr(gather, "extract", forbidden)
    monkeypatch.setattr(scan, "quick_hashes", forbidden)
    with CaptureQueriesContext(connection) as queries:
        result = scan_folder(folder.pk)
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and "scanning_scan" not in q["sql"]
    ]
    assert writes == []
    assert result["unchanged"] == 2 and result["added"] == 0


def test_moved_file_keeps_its_item(library, make_folder):
    s.make_epub(library / "old" / "Dune.epub", DUNE)
    folder = make_folder(library)
    scan_folder(folder.pk)
    item_id = MediaItem.objects.get().pk
    (library / "new" / "deeper").mkdir(parents=True)
    shutil.move(library / "old" / "Dune.epub", library / "new" / "deeper" / "Dune (renamed).epub")
    result = scan_folder(folder.pk)
    assert result["moved"] == 1 and result["added"] == 0 and result["missing"] == 0
    f = LibraryFile.objects.get()
    assert f.path.endswith("Dune (renamed).epub") and f.item_id == item_id and f.state == FileState.PRESENT
    assert MediaItem.objects.count() == 1


def test_deleted_file_is_marked_missing_not_dropped(library, make_folder):
    path = s.make_epub(library / "Emma.epub", EMMA)
    folder = make_folder(library)
    scan_folder(folder.pk)
    path.unlink()
    result = scan_folder(folder.pk)
    assert result["missing"] == 1
    f = LibraryFile.objects.get()
    assert f.state == FileState.MISSING and f.item.title == "Emma"
    s.make_epub(library / "Emma.epub", EMMA)  # same content back at the same path
    os.utime(library / "Emma.epub", ns=(f.mtime_ns, f.mtime_ns))
    scan_folder(folder.pk)
    assert LibraryFile.objects.get().state == FileState.PRESENT


def test_identical_copy_is_reported_duplicate_not_imported_twice(library, make_folder):
    s.make_epub(library / "a" / "Dune.epub", DUNE)
    (library / "b").mkdir()
    shutil.copy2(library / "a" / "Dune.epub", library / "b" / "Dune copy.epub")
    folder = make_folder(library)
    result = scan_folder(folder.pk)
    assert result["added"] == 1 and result["duplicates"] == 1
    assert MediaItem.objects.count() == 1
    dup = LibraryFile.objects.get(state=FileState.DUPLICATE)
    assert dup.item_id == MediaItem.objects.get().pk and "same content as" in dup.error


@pytest.fixture
def waiting_pool(monkeypatch):
    """The batch sizes given to the extraction processes (from the first batch on, whether
    they are up yet or not)."""
    from scanning.services.parallel import ExtractionPool

    submitted: list[int] = []
    original_submit = ExtractionPool.submit

    def submit(self, todo, setup):
        submitted.append(len(todo))
        return original_submit(self, todo, setup)

    monkeypatch.setattr(ExtractionPool, "submit", submit)
    return submitted


@pytest.mark.parametrize("workers", [0, 1])
def test_a_copy_of_a_file_still_being_read_waits_and_is_reported_duplicate(
    library, make_folder, workers, waiting_pool
):
    """Batch N+1 is placed while batch N is still being read: a copy of one of N's files must
    wait until N is written, then be recognised as its duplicate (not imported twice)."""
    for i in range(48):
        s.make_epub(library / f"Book {i:02}.epub", s.Book(f"Book {i}", uuid=f"00000000-0000-4000-8000-{i:012d}"))
    shutil.copy2(library / "Book 40.epub", library / "Copy.epub")  # walked last: 4th batch, while the 3rd is read
    folder = make_folder(library)
    result = scan_folder(folder.pk, options=ScanOptions(batch_size=16, workers=workers))
    assert result["added"] == 48 and result["duplicates"] == 1 and result["errors"] == 0
    assert MediaItem.objects.count() == 48
    dup = LibraryFile.objects.get(state=FileState.DUPLICATE)
    original = LibraryFile.objects.get(path__endswith="Book 40.epub")
    assert dup.path.endswith("Copy.epub") and dup.item_id == original.item_id
    assert waiting_pool == ([16, 16, 16] if workers else [])


def test_same_book_in_several_formats_is_one_item(library, make_folder):
    book_dir = library / "Frank Herbert" / "Dune"
    s.make_epub(book_dir / "Dune.epub", DUNE)
    s.make_pdf(book_dir / "Dune.pdf", title="Dune", author="Frank Herbert")
    folder = make_folder(library)
    result = scan_folder(folder.pk)
    assert result["added"] == 2
    item = MediaItem.objects.get()
    assert sorted(item.files.values_list("format", flat=True)) == ["epub", "pdf"]


def test_corrupt_file_is_marked_with_reason_and_scan_continues(library, make_folder):
    good = s.make_epub(library / "Dune.epub", DUNE)
    s.make_truncated(good, library / "Broken.epub")
    (library / "junk.pdf").write_bytes(b"this is not a pdf")
    folder = make_folder(library)
    result = scan_folder(folder.pk)
    assert result["added"] == 1 and result["corrupt"] == 2
    broken = LibraryFile.objects.get(path__endswith="Broken.epub")
    assert broken.state == FileState.CORRUPT and broken.item is None and "zip" in broken.error.lower()
    assert good.read_bytes()[:2] == b"PK"  # originals untouched
    again = scan_folder(folder.pk)  # corrupt files are not re-read while unchanged
    assert again["corrupt"] == 0 and again["unchanged"] == 3
    assert LibraryFile.objects.filter(state=FileState.CORRUPT).count() == 2


def test_sidecar_metadata_opf_and_cover_are_sources_not_books(library, make_folder):
    book_dir = library / "Author" / "Book"
    s.make_epub(book_dir / "book.epub", s.Book("Wrong Title", authors=(("Nobody", "Nobody"),)), cover=b"")
    (book_dir / "metadata.opf").write_bytes(
        s.__file__
        and open(  # noqa: SIM115
            os.path.join(
                os.path.dirname(__file__),
                "..",
                "fixtures",
                "opf",
                "calibre_metadata_opf2_lazylibrarian_testdata.opf",
            ),
            "rb",
        ).read()
    )
    (book_dir / "cover.jpg").write_bytes(s.jpeg((1, 2, 3)))
    folder = make_folder(library)
    result = scan_folder(folder.pk)
    assert result["added"] == 1 and LibraryFile.objects.count() == 1
    item = MediaItem.objects.get()
    assert (
        item.title == "Test Title" and item.series.title == "The Testers" and item.isbn13 == "9782123456803"
    )
    assert item.authors_display == "Bob Builder"
    make_thumbnails()
    item.refresh_from_db()  # the EPUB has no cover: the one beside it is used
    assert (Path(settings.DATA_DIR) / item.cover_path).read_bytes() == s.jpeg((1, 2, 3))


def test_audiobook_folder_is_one_item_with_summed_duration(library, make_folder):
    book = library / "Tolkien" / "The Hobbit"
    tags = {"album": "The Hobbit", "artist": "J.R.R. Tolkien", "composer": "Andy Serkis"}
    s.make_mp3(book / "CD1" / "01.mp3", seconds=2, tags={**tags, "title": "Chapter 1"})
    s.make_mp3(book / "CD2" / "02.mp3", seconds=3, tags={**tags, "title": "Chapter 2"})
    s.make_mp3(library / "Other" / "Book" / "01.mp3", seconds=1, tags={"album": "Other", "artist": "X"})
    folder = make_folder(library, content_type="audiobooks")
    result = scan_folder(folder.pk)
    assert result["added"] == 3
    hobbit = MediaItem.objects.get(title="The Hobbit")
    assert hobbit.kind == "audiobook" and hobbit.files.count() == 2
    assert 4 <= hobbit.duration_seconds <= 5
    roles = set(hobbit.contributions.values_list("author__name", "role"))
    assert roles == {("J. R. R. Tolkien", "author"), ("Andy Serkis", "narrator")}
    assert MediaItem.objects.count() == 2


def test_interrupted_scan_resumes_without_redoing_committed_batches(library, make_folder):
    for i in range(7):
        s.make_epub(
            library / f"b{i}" / f"Book {i}.epub",
            s.Book(f"Book {i}", uuid=f"00000000-0000-4000-8000-{i:012d}"),
        )
    folder = make_folder(library)

    class Boom(Exception):
        pass

    calls = {"n": 0}

    def progress(done, total=None, message=None, **kwargs):
        calls["n"] += 1
        if done >= 5:
            raise Boom("worker died")

    import scanning.services.scan as scan_module

    orig = scan_module.Scanner._visit

    def visit(self, directory, entry):
        orig(self, directory, entry)
        progress(self.counts["seen"])

    scan_module.Scanner._visit = visit
    try:
        with pytest.raises(Boom):
            scan_folder(folder.pk, job_id=None, options=ScanOptions(batch_size=2))
    finally:
        scan_module.Scanner._visit = orig
    done_before = LibraryFile.objects.count()
    assert 0 < done_before < 7
    assert ScanRun.objects.get().state == RunState.FAILED
    result = scan_folder(folder.pk)
    assert result["added"] == 7 - done_before and result["unchanged"] == done_before
    assert LibraryFile.objects.count() == 7 and MediaItem.objects.count() == 7


def test_scan_of_missing_folder_is_a_clear_configuration_error(library, make_folder):
    from core.errors import ConfigurationError

    folder = make_folder(library)
    shutil.rmtree(library)
    with pytest.raises(ConfigurationError, match="missing or unreadable"):
        scan_folder(folder.pk)


def test_a_richer_format_found_later_fills_blank_fields_but_never_overwrites(library, make_folder):
    book_dir = library / "Frank Herbert" / "Dune"
    s.make_pdf(book_dir / "Dune.pdf", title="Dune", author="Frank Herbert")
    folder = make_folder(library)
    scan_folder(folder.pk)
    item = MediaItem.objects.get()
    assert item.isbn13 == "" and item.series is None and item.publisher == ""
    s.make_epub(book_dir / "Dune.epub", DUNE)
    assert scan_folder(folder.pk)["added"] == 1
    item.refresh_from_db()
    assert MediaItem.objects.count() == 1 and item.files.count() == 2
    assert item.isbn13 == "9780441172719" and item.series.title == "Dune" and item.publisher == "Sample Press"
    assert item.title == "Dune"


def test_extraction_in_worker_processes_gives_the_same_catalogue(library, make_folder, waiting_pool):
    for i in range(40):
        s.make_epub(
            library / f"A{i % 4}" / f"Book {i}.epub",
            s.Book(
                f"Book {i}",
                isbn="",
                uuid=f"00000000-0000-4000-8000-{i:012d}",
                series="S",
                series_index=str(i),
            ),
        )
    (library / "A0" / "bad.epub").write_bytes(b"nope")
    folder = make_folder(library)
    result = scan_folder(folder.pk, options=ScanOptions(workers=2, batch_size=20))
    assert result["added"] == 40 and result["corrupt"] == 1 and result["errors"] == 0
    assert waiting_pool == [20, 20]  # the last file (a batch of one) is read in the scan process
    assert sorted(MediaItem.objects.values_list("series_index", flat=True)) == list(range(40))


@pytest.mark.parametrize(("workers", "count_here_max", "counted_apart"), [(0, 8, False), (1, 8, True), (1, 100, False)])
def test_a_first_import_reports_the_whole_count_as_its_progress_total(
    library, make_folder, monkeypatch, workers, count_here_max, counted_apart
):
    """A big first import's files are counted by a process of its own (the scan process only
    counts far enough to know that it is big); without extraction processes, or when the
    library is small, the scan process counts them all."""
    import scanning.services.scan as scan_module

    monkeypatch.setattr(scan_module, "COUNT_HERE_MAX", count_here_max)
    for i in range(41):
        book = s.Book(f"Book {i}", uuid=f"00000000-0000-4000-8000-{i:012d}")
        s.make_epub(library / f"A{i % 3}" / f"Book {i}.epub", book)
    totals: list[int | None] = []
    folder = make_folder(library)
    scan_folder(
        folder.pk,
        progress=lambda done, total=None, message=None, **kw: totals.append(total),
        options=ScanOptions(batch_size=4, workers=workers),
    )
    assert totals[-1] == 41 and all(t in (None, 41) for t in totals)
    assert (totals[0] is None) == counted_apart  # unknown until the counting process answers


def test_retried_job_resumes_the_same_run_and_adds_up(library, make_folder):
    from core.models import Job

    for i in range(5):
        s.make_epub(
            library / f"{i}" / "b.epub", s.Book(f"Book {i}", uuid=f"00000000-0000-4000-8000-{i:012d}")
        )
    folder = make_folder(library)
    job = Job.objects.create(kind="scanning.scan_folder", target=f"scanfolder:{folder.pk}")
    import scanning.services.scan as scan_module

    original = scan_module.Scanner._write
    calls = {"n": 0}

    def write_then_die(self, batch):
        original(self, batch)
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("worker killed")

    scan_module.Scanner._write = write_then_die
    try:
        with pytest.raises(OSError):
            scan_folder(folder.pk, job_id=job.pk, options=ScanOptions(batch_size=2))
    finally:
        scan_module.Scanner._write = original
    result = scan_folder(folder.pk, job_id=job.pk, options=ScanOptions(batch_size=2))
    run = ScanRun.objects.get()
    assert run.attempts == 2 and run.state == RunState.SUCCEEDED
    assert run.added == 5 and result["added"] == 5 and result["unchanged"] == 4
    assert MediaItem.objects.count() == 5


def test_cbr_without_a_rar_tool_is_an_error_to_retry_not_a_corrupt_file(library, make_folder, monkeypatch):
    s.make_cbr(library / "Watchmen 001.cbr", s.comicinfo("Watchmen", "1"))
    folder = make_folder(library)
    monkeypatch.setenv("PATH", str(library / "no-tools-here"))
    result = scan_folder(folder.pk)
    assert result["errors"] == 1 and result["corrupt"] == 0 and not LibraryFile.objects.exists()
    assert "unrar" in ScanRun.objects.get().error_log[0]["reason"]
    monkeypatch.undo()
    assert scan_folder(folder.pk)["added"] == 1
    assert MediaItem.objects.get().title == "Watchmen #1"


def test_a_full_disk_pauses_the_scan_with_a_clear_message(library, make_folder, monkeypatch):
    from django.db import OperationalError

    from scanning.services import scan as scan_module
    from scanning.services.covers import DiskFull

    s.make_epub(library / "Dune.epub", DUNE)
    folder = make_folder(library)
    original = scan_module.write_batch

    def database_full(*args, **kwargs):
        original(*args, **kwargs)  # rows written, then the commit-time failure SQLite reports
        raise OperationalError("database or disk is full")

    monkeypatch.setattr(scan_module, "write_batch", database_full)
    with pytest.raises(DiskFull, match="Disk full"):
        scan_folder(folder.pk)
    run = ScanRun.objects.get()
    assert run.state == RunState.PAUSED and "Disk full" in run.message
    assert not LibraryFile.objects.exists() and not MediaItem.objects.exists()  # rolled back
    monkeypatch.undo()
    assert scan_folder(folder.pk)["added"] == 1


def test_a_full_disk_stops_the_cover_job_and_loses_no_queued_cover(library, make_folder):
    from media.covers import cover_store
    from scanning.services.covers import DiskFull

    cover = s.noise_jpeg(os.getpid() + 1)
    for i in range(3):
        s.make_epub(library / f"Book {i}.epub", s.Book(f"Book {i}", uuid=f"00000000-0000-4000-8000-{i:012d}"),
                    cover=cover)
    scan_folder(make_folder(library).pk)
    _, cover_folder, cover_target = cover_store().location(cover, "jpg")
    os.makedirs(cover_folder, exist_ok=True)
    os.symlink("/dev/full", cover_target)  # writing this cover fails with ENOSPC
    with pytest.raises(DiskFull, match="Disk full"):
        make_thumbnails()
    assert not os.path.lexists(cover_target)  # the failed write is removed
    assert PendingCover.objects.count() == 3 and not MediaItem.objects.exclude(cover_path="").exists()
    assert make_thumbnails()["covers_stored"] == 3  # the retried job finishes
    assert Path(cover_target).read_bytes() == cover and not PendingCover.objects.exists()


def test_a_huge_flat_folder_is_written_in_bounded_batches(library, make_folder):
    for i in range(9):
        s.make_epub(library / f"Book {i}.epub", s.Book(f"Book {i}", uuid=f"00000000-0000-4000-8000-{i:012d}"))
    folder = make_folder(library)
    import scanning.services.scan as scan_module

    sizes = []
    original = scan_module.Scanner._write

    def spy(self, submitted):
        sizes.append(submitted.size if submitted is not None else 0)
        original(self, submitted)

    scan_module.Scanner._write = spy
    try:
        assert scan_folder(folder.pk, options=ScanOptions(batch_size=4))["added"] == 9
    finally:
        scan_module.Scanner._write = original
    assert max(sizes) <= 4 and sum(sizes) == 9


def test_scanned_books_are_searchable_as_soon_as_the_scan_commits(library, make_folder, reader_client):
    s.make_epub(library / "Frank Herbert" / "Dune" / "Dune.epub", DUNE)
    s.make_epub(library / "Jane Austen" / "Emma.epub", EMMA, version=2)
    scan_folder(make_folder(library).pk)
    for query, title in (("dune", "Dune"), ("author:austen", "Emma"), ("isbn:9780441172719", "Dune")):
        items = reader_client.get("/api/library/search", {"q": query}).json()["data"]["items"]
        assert [i["title"] for i in items] == [title], query


def test_scanned_values_become_embedded_provenance_before_providers_merge(library, make_folder):
    from search.models import FieldCandidate
    from search.services.library_values import record_library_values

    s.make_epub(library / "Frank Herbert" / "Dune" / "Dune.epub", DUNE)
    scan_folder(make_folder(library).pk)
    dune = MediaItem.objects.get(title="Dune")
    assert record_library_values(dune) is None  # what the scan queued is recorded, field by field
    recorded = {c.field: c.value for c in FieldCandidate.objects.filter(item=dune, source__name="embedded_epub")}
    assert recorded["title"] == "Dune" and recorded["isbn13"] == "9780441172719"
    assert recorded["authors"] == ["Frank Herbert"] and recorded["series"]["name"] == "Dune"
    FieldCandidate.objects.filter(item=dune).delete()  # an item scanned before scans recorded provenance
    assert record_library_values(dune) == "embedded_epub"
    assert FieldCandidate.objects.get(item=dune, field="title", source__name="embedded_epub").value == "Dune"
    assert MediaItem.objects.get(pk=dune.pk).title == "Dune"  # recording changes no value


def test_extraction_processes_that_do_not_start_fall_back_to_the_scan_process(
    library, make_folder, monkeypatch, caplog
):
    import scanning.services.scan as scan_module

    for i in range(40):
        s.make_epub(library / f"Book {i:02}.epub", s.Book(f"Book {i}", uuid=f"00000000-0000-4000-8000-{i:012d}"))
    monkeypatch.setattr(scan_module, "POOL_START_SECONDS", 0)  # no process can answer that fast
    folder = make_folder(library)
    with caplog.at_level("WARNING", logger="scanning.services.scan"):
        result = scan_folder(folder.pk, options=ScanOptions(batch_size=20, workers=1))
    assert result["added"] == 40 and result["errors"] == 0
    assert "reading files in the scan process" in caplog.text


def test_worker_tasks_carry_the_folder_without_its_file_list(library):
    import pickle

    from scanning.extractors import ExtractOptions
    from scanning.services.gather import PrepareSetup
    from scanning.services.hashing import Hashes
    from scanning.services.parallel import task_args
    from scanning.services.scan import Pending
    from scanning.walker import WalkProblems, walk

    for i in range(300):
        (library / f"Book {i:03}.epub").write_bytes(b"x")
    (folder,) = list(walk(str(library), frozenset({"epub"}), WalkProblems()))
    todo = [Pending(e, folder, "ebook", Hashes("p", "f")) for e in folder.files[:16]]
    args = task_args(todo, PrepareSetup(str(library), ExtractOptions()))
    assert {a[2].path for a in args} == {folder.path} and all(a[2].files == () for a in args)
    assert len(pickle.dumps(args)) < 16 * 2_000  # not 16 copies of a 300-file listing


def test_a_format_added_later_gives_a_coverless_item_its_cover(library, make_folder):
    book = s.Book("Dune", authors=(("Frank Herbert", "Herbert, Frank"),), isbn="9780441172719")
    s.make_epub(library / "Dune.epub", book, cover=b"")  # no cover in the first file
    folder = make_folder(library)
    scan_folder(folder.pk)
    assert make_thumbnails()["covers_stored"] == 0 and not PendingCover.objects.exists()
    cover = s.noise_jpeg(7)
    s.make_epub(library / "again" / "Dune.epub", book, cover=cover)  # same book, another file
    assert scan_folder(folder.pk)["covers_queued"] == 1
    assert make_thumbnails()["covers_stored"] == 1
    item = MediaItem.objects.get()
    assert item.files.count() == 2 and (Path(settings.DATA_DIR) / item.cover_path).read_bytes() == cover


def test_the_cover_job_skips_files_gone_or_unreadable_since_the_scan(library, make_folder):
    for i, title in enumerate(("Gone", "Kept")):
        book = s.Book(title, uuid=f"00000000-0000-4000-8000-{i:012d}")
        s.make_epub(library / f"{title}.epub", book, cover=s.noise_jpeg(i))
    scan_folder(make_folder(library).pk)
    (library / "Gone.epub").write_bytes(b"not a zip any more")
    assert make_thumbnails()["covers_stored"] == 1
    assert set(MediaItem.objects.exclude(cover_path="").values_list("title", flat=True)) == {"Kept"}
    assert not PendingCover.objects.exists()


@pytest.mark.parametrize("workers", [0, 1])
def test_full_hashes_of_big_files_are_completed_where_the_files_are_read(
    library, make_folder, workers, waiting_pool
):
    """The scan process reads only samples of a big file; its full SHA-256 still ends up on the
    file's row (from the extraction process), and moves and copies are confirmed by it."""
    import hashlib

    filler = {"OEBPS/filler.bin": os.urandom(300_000)}  # bigger than the 3 samples
    for i in range(40):
        s.make_epub(library / f"Book {i:02}.epub", s.Book(f"Book {i}", uuid=f"00000000-0000-4000-8000-{i:012d}"),
                    extra=filler)
    folder = make_folder(library)
    scan_folder(folder.pk, options=ScanOptions(batch_size=16, workers=workers))
    rows = LibraryFile.objects.values_list("path", "sha256")
    assert len(rows) == 40 and all(sha == hashlib.sha256(Path(p).read_bytes()).hexdigest() for p, sha in rows)
    shutil.move(library / "Book 00.epub", library / "Moved.epub")
    shutil.copy2(library / "Book 01.epub", library / "Copy.epub")
    result = scan_folder(folder.pk, options=ScanOptions(batch_size=16, workers=workers))
    assert (result["moved"], result["duplicates"], result["added"]) == (1, 1, 0)


def test_same_samples_but_other_content_is_not_taken_for_a_copy(library, make_folder):
    """Equal partial hashes (size and the three samples) must be confirmed by the full hash."""
    first = bytearray(400_000)
    first[100_000] = 1  # outside the three 64 KiB samples
    (library / "one.epub").write_bytes(first)
    folder = make_folder(library)
    scan_folder(folder.pk)
    first[100_000] = 2
    (library / "two.epub").write_bytes(first)
    result = scan_folder(folder.pk)
    assert result["duplicates"] == 0 and result["corrupt"] == 1
    partial = set(LibraryFile.objects.values_list("partial_hash", flat=True))
    assert len(partial) == 1 and LibraryFile.objects.filter(state=FileState.CORRUPT).count() == 2


def test_a_batch_of_only_corrupt_files_is_recorded(library, make_folder):
    """Every file without an item: on PostgreSQL the batch's item column is an array of NULLs."""
    for i in range(3):
        (library / f"bad{i}.epub").write_bytes(b"junk" * (i + 1))
    result = scan_folder(make_folder(library).pk)
    assert result["corrupt"] == 3 and result["errors"] == 0
    assert set(LibraryFile.objects.values_list("item_id", "state")) == {(None, FileState.CORRUPT)}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="a SQLite setting")
def test_a_scan_writes_with_spaced_wal_checkpoints_and_restores_the_setting(library, make_folder):
    from core.bulk import SPACED_CHECKPOINT_PAGES

    def autocheckpoint() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            return cursor.fetchone()[0]

    s.make_epub(library / "Dune.epub", DUNE)
    seen: list[int] = []
    before = autocheckpoint()
    scan_folder(make_folder(library).pk, progress=lambda *a, **k: seen.append(autocheckpoint()))
    assert seen and set(seen) == {SPACED_CHECKPOINT_PAGES}
    assert autocheckpoint() == before


@pytest.mark.parametrize(
    ("missing", "warning"),
    [("ExtractionPool", "Cannot start extraction processes"), ("FileCounter", "Cannot start the counting process")],
)
def test_a_scan_without_processes_to_be_had_reads_and_counts_files_itself(
    library, make_folder, monkeypatch, caplog, missing, warning
):
    import scanning.services.scan as scan_module

    def no_process(*args, **kwargs):
        raise OSError(11, "Resource temporarily unavailable")

    for i in range(10):
        s.make_epub(library / f"Book {i}.epub", s.Book(f"Book {i}", uuid=f"00000000-0000-4000-8000-{i:012d}"))
    monkeypatch.setattr(scan_module, missing, no_process)
    monkeypatch.setattr(scan_module, "COUNT_HERE_MAX", 4)
    totals: list[int | None] = []
    with caplog.at_level("WARNING", logger="scanning.services.scan"):
        result = scan_folder(
            make_folder(library).pk,
            progress=lambda done, total=None, message=None, **kw: totals.append(total),
            options=ScanOptions(batch_size=2, workers=1),
        )
    assert result["added"] == 10 and result["errors"] == 0
    assert set(totals) == {10}  # counted here at once
    assert warning in caplog.text
