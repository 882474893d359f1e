"""Files are files: device files, FIFOs, sockets and empty files in a library are reported
and never read; a FIFO put in a book's place after the walk never blocks a reader."""

from __future__ import annotations

import os
import time

import pytest

from media.models import FileState, LibraryFile
from scanning.extractors import ExtractionError, ExtractOptions, extract
from scanning.models import ScanRun
from scanning.services import scan_folder
from scanning.services.gather import SidecarCache, read_cover
from scanning.services.hashing import full_hash, quick_hashes
from scanning.walker import Directory
from tests.hostile_files import RELEASE_AFTER_SECONDS, memory_capped, peak_rss_mb, released_fifo, unix_socket
from tests.scanning import samples as s

DUNE = s.Book("Dune", authors=(("Frank Herbert", "Herbert, Frank"),), uuid="00000000-0000-4000-8000-00000000d")


def _reasons() -> dict[str, str]:
    return {entry["path"]: entry["reason"] for entry in ScanRun.objects.get().error_log}


@pytest.mark.django_db
def test_symlinks_to_device_files_are_reported_and_never_read(library, make_folder):
    s.make_epub(library / "Dune.epub", DUNE)
    os.symlink("/dev/zero", library / "x.cbz")
    os.symlink("/dev/urandom", library / "x.epub")
    before = peak_rss_mb()
    with memory_capped():  # the bug read /dev/zero until the memory ran out
        result = scan_folder(make_folder(library).pk)
    assert peak_rss_mb() - before < 200
    assert result["added"] == 1 and result["errors"] == 2 and result["corrupt"] == 0
    reasons = _reasons()
    assert reasons[str(library / "x.cbz")].startswith("a character device, not a regular file: skipped")
    assert "/dev/zero" in reasons[str(library / "x.cbz")] and "/dev/urandom" in reasons[str(library / "x.epub")]
    assert list(LibraryFile.objects.values_list("path", flat=True)) == [str(library / "Dune.epub")]


@pytest.mark.django_db
def test_a_fifo_named_like_a_book_is_reported_and_the_scan_does_not_wait_for_it(library, make_folder):
    s.make_epub(library / "Dune.epub", DUNE)
    started = time.monotonic()
    with released_fifo(library / "book.epub") as released:
        result = scan_folder(make_folder(library).pk)
    assert not released.is_set() and time.monotonic() - started < RELEASE_AFTER_SECONDS
    assert result["added"] == 1 and result["errors"] == 1
    assert _reasons() == {str(library / "book.epub"): "a FIFO (named pipe), not a regular file: skipped"}


@pytest.mark.django_db
def test_a_unix_socket_named_like_a_book_is_reported(library, make_folder):
    s.make_epub(library / "Dune.epub", DUNE)
    with unix_socket(library / "x.epub"):
        result = scan_folder(make_folder(library).pk)
    assert result["added"] == 1 and result["errors"] == 1
    assert _reasons() == {str(library / "x.epub"): "a socket, not a regular file: skipped"}


@pytest.mark.django_db
def test_empty_files_are_reported_empty_not_duplicates_of_each_other(library, make_folder):
    s.make_epub(library / "Dune.epub", DUNE)
    (library / "a.epub").write_bytes(b"")
    (library / "other").mkdir()
    (library / "other" / "b.epub").write_bytes(b"")
    result = scan_folder(make_folder(library).pk)
    assert result["duplicates"] == 0 and result["corrupt"] == 0 and result["added"] == 1
    assert not LibraryFile.objects.filter(size=0).exists()
    empty = "empty file (0 bytes): not a book, skipped"
    assert _reasons() == {str(library / "a.epub"): empty, str(library / "other" / "b.epub"): empty}


@pytest.mark.django_db
def test_a_book_replaced_by_a_fifo_is_missing_with_the_reason(library, make_folder):
    s.make_epub(library / "Dune.epub", DUNE)
    folder = make_folder(library)
    scan_folder(folder.pk)
    (library / "Dune.epub").unlink()
    with released_fifo(library / "Dune.epub") as released:
        result = scan_folder(folder.pk)
    assert not released.is_set() and result["missing"] == 1
    row = LibraryFile.objects.get()
    assert row.state == FileState.MISSING and row.error == "a FIFO (named pipe), not a regular file: skipped"


@pytest.mark.parametrize("name", ["x.epub", "x.cbz", "x.cbr", "x.pdf", "x.mobi", "x.mp3"])
def test_a_fifo_put_in_a_books_place_after_the_walk_blocks_no_reader(tmp_path, name):
    path = tmp_path / name
    started = time.monotonic()
    with released_fifo(path) as released:
        with pytest.raises(OSError, match="FIFO"):
            quick_hashes(str(path))
        with pytest.raises(OSError, match="FIFO"):
            full_hash(str(path))
        with pytest.raises(ExtractionError, match="FIFO"):
            extract(path, ExtractOptions())
        with pytest.raises(ExtractionError, match="FIFO"):
            read_cover(str(path), "ebook", ExtractOptions())
    assert not released.is_set() and time.monotonic() - started < RELEASE_AFTER_SECONDS


def test_sidecars_that_became_fifos_are_not_read(tmp_path):
    with released_fifo(tmp_path / "metadata.opf") as opf, released_fifo(tmp_path / "cover.jpg") as cover:
        sidecars = {"metadata.opf": str(tmp_path / "metadata.opf"), "cover.jpg": str(tmp_path / "cover.jpg")}
        found = SidecarCache().for_file(Directory(str(tmp_path), (), sidecars), "x.epub")
    assert found == (None, None) and not opf.is_set() and not cover.is_set()

