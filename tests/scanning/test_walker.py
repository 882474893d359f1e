from __future__ import annotations

import os
import unicodedata

from scanning.walker import WalkProblems, count_files, directory_at, walk

EXTS = frozenset({"epub", "pdf", "mp3"})


def _files(root, problems=None):
    return sorted(os.path.relpath(f.path, root) for d in walk(str(root), EXTS, problems) for f in d.files)


def test_walk_finds_books_ignores_junk_and_reports_sidecars(tmp_path):
    (tmp_path / "A" / "B").mkdir(parents=True)
    for name in (
        "A/B/book.epub",
        "A/B/book.PDF",
        "A/B/notes.txt",
        "A/.DS_Store",
        "A/._book.epub",
        "Thumbs.db",
        "A/B/desktop.ini",
        "A/B/metadata.opf",
        "A/B/cover.jpg",
        "A/archive.zip",
    ):
        (tmp_path / name).write_bytes(b"x")
    dirs = list(walk(str(tmp_path), EXTS))
    assert _files(tmp_path) == ["A/B/book.PDF", "A/B/book.epub"]
    book_dir = next(d for d in dirs if d.path.endswith("B"))
    assert set(book_dir.sidecars) == {"metadata.opf", "cover.jpg"}
    assert {f.ext for f in book_dir.files} == {"epub", "pdf"} and all(f.size == 1 for f in book_dir.files)
    assert count_files(str(tmp_path), EXTS) == 2
    assert directory_at(book_dir.path, EXTS) == book_dir  # what the cover job finds beside a book


def test_a_limited_count_stops_at_the_first_folder_past_the_limit(tmp_path):
    for i in range(5):
        (tmp_path / f"{i}").mkdir()
        (tmp_path / f"{i}" / "book.epub").write_bytes(b"x")
    assert count_files(str(tmp_path), EXTS) == 5
    assert count_files(str(tmp_path), EXTS, limit=2) == 3  # enough to know there are more than 2


def test_a_book_named_like_a_folder_or_a_sidecar_is_told_apart(tmp_path):
    (tmp_path / "Dune.epub").mkdir()  # a folder with a book's name
    (tmp_path / "Dune.epub" / "Dune.epub").write_bytes(b"x")
    (tmp_path / "cover.jpg").mkdir()  # a folder with a sidecar's name is walked, not read
    (tmp_path / "cover.jpg" / "Emma.pdf").write_bytes(b"x")
    (tmp_path / "COVER.JPG.epub").write_bytes(b"x")
    assert _files(tmp_path) == ["COVER.JPG.epub", "Dune.epub/Dune.epub", "cover.jpg/Emma.pdf"]
    assert directory_at(str(tmp_path), EXTS).sidecars == {}


def test_symlinks_are_followed_once_loops_end_and_broken_ones_are_logged(tmp_path):
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / "x.epub").write_bytes(b"x")
    root = tmp_path / "lib"
    (root / "real").mkdir(parents=True)
    (root / "real" / "y.epub").write_bytes(b"y")
    os.symlink(outside, root / "linked")  # followed
    os.symlink(root, root / "real" / "loop")  # back to the root: not followed again
    os.symlink(outside / "deep", root / "again")  # inside an already followed tree: not walked twice
    os.symlink(tmp_path / "gone.epub", root / "broken.epub")
    problems = WalkProblems()
    files = _files(root, problems)
    assert sorted(files) == ["linked/deep/x.epub", "real/y.epub"] or sorted(files) == [
        "again/x.epub",
        "real/y.epub",
    ]
    assert problems.broken_links == [str(root / "broken.epub")]


def test_unicode_nfd_and_long_names_are_walked_as_they_are(tmp_path):
    nfd = unicodedata.normalize("NFD", "Émile Zola")
    long_name = ("Ü" * 100) + ".epub"  # 200 bytes of UTF-8 + extension
    (tmp_path / nfd).mkdir()
    (tmp_path / nfd / long_name).write_bytes(b"x")
    entry = next(iter(walk(str(tmp_path), EXTS))).files[0]
    assert entry.name == long_name and nfd in entry.path and os.path.exists(entry.path)


def test_missing_root_is_a_problem_not_a_crash(tmp_path):
    problems = WalkProblems()
    assert list(walk(str(tmp_path / "nope"), EXTS, problems)) == []
    assert problems.unreadable


def test_special_and_empty_files_are_skipped_with_the_reason_plain_files_kept(tmp_path):
    from tests.hostile_files import released_fifo, unix_socket

    (tmp_path / "book.epub").write_bytes(b"x")
    (tmp_path / "empty.epub").write_bytes(b"")
    os.symlink("/dev/null", tmp_path / "null.pdf")
    os.symlink("/dev/null", tmp_path / "cover.jpg")  # a sidecar's name: not read either
    (tmp_path / "linked.epub").symlink_to(tmp_path / "book.epub")  # a link to a book is a book
    problems = WalkProblems()
    with released_fifo(tmp_path / "fifo.mp3"), unix_socket(tmp_path / "socket.epub"):
        assert _files(tmp_path, problems) == ["book.epub", "linked.epub"]
        assert directory_at(str(tmp_path), EXTS).sidecars == {}
    assert dict(problems.skipped) == {
        str(tmp_path / "cover.jpg"): "a character device, not a regular file: skipped (a symbolic link to /dev/null)",
        str(tmp_path / "empty.epub"): "empty file (0 bytes): not a book, skipped",
        str(tmp_path / "fifo.mp3"): "a FIFO (named pipe), not a regular file: skipped",
        str(tmp_path / "null.pdf"): "a character device, not a regular file: skipped (a symbolic link to /dev/null)",
        str(tmp_path / "socket.epub"): "a socket, not a regular file: skipped",
    }
