from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.errors import InvalidInput, NotFound
from processing.steps.locate import LocatedFile, locate, map_remote_path, resolve_storage_path, verify_file
from processing.types import PathMapping
from tests.processing import samples

MAPPINGS = (
    PathMapping("/sab/complete", "/downloads/complete"),
    PathMapping("/sab/complete/books", "/mnt/books"),
    PathMapping("C:\\Users\\xxx\\Downloads\\complete", "/downloads/win"),
)


@pytest.mark.parametrize(
    ("reported", "expected"),
    [
        ("/sab/complete/Some Book", "/downloads/complete/Some Book"),
        ("/sab/complete/books/Dune", "/mnt/books/Dune"),  # the longest prefix wins
        ("/sab/completed/Other", "/sab/completed/Other"),  # whole components only
        ("C:\\Users\\xxx\\Downloads\\complete\\Dune (2)", "/downloads/win/Dune (2)"),
        (
            "c:\\users\\XXX\\downloads\\complete\\a\\b.epub",
            "/downloads/win/a/b.epub",
        ),  # Windows: case-insensitive
        ("/local/already", "/local/already"),
    ],
)
def test_remote_path_mapping(reported, expected):
    assert map_remote_path(reported, MAPPINGS) == Path(expected)


def test_unmapped_windows_path_is_a_clear_error():
    with pytest.raises(InvalidInput, match="path mapping"):
        map_remote_path("D:\\sab\\book", MAPPINGS)


def test_storage_path_outside_the_download_roots_is_refused(tmp_path):
    (tmp_path / "downloads").mkdir()
    with pytest.raises(InvalidInput, match="outside the download folders"):
        resolve_storage_path(str(tmp_path / "downloads" / ".." / "etc"), (), (tmp_path / "downloads",))
    with pytest.raises(InvalidInput, match="absolute"):
        resolve_storage_path("relative/book", (), (tmp_path,))


def test_single_file(tmp_path):
    epub = samples.make_epub(tmp_path / "Book.epub", title="Book")
    located = locate(epub, "ebook")
    assert [f.path for f in located.files] == [epub]


def test_folder_with_one_book_ignores_samples_nfo_par2_and_other_images(tmp_path):
    book = samples.make_epub(tmp_path / "Author - Book" / "Author - Book.epub", title="Book")
    folder = book.parent
    samples.make_epub(folder / "Author - Book.sample.epub", title="Sample")
    samples.make_epub(folder / "Sample" / "book.epub", title="Sample")
    (folder / "release.nfo").write_text("nfo")
    (folder / "book.vol00+01.par2").write_bytes(b"PAR2")
    (folder / "cover.jpg").write_bytes(samples.image_bytes())
    (folder / "screenshot.png").write_bytes(samples.image_bytes(fmt="PNG"))
    located = locate(folder, "ebook")
    assert [f.path for f in located.files] == [book]
    assert located.covers == (folder / "cover.jpg",)
    reasons = dict(located.ignored)
    assert reasons["Author - Book.sample.epub"] == "sample"
    assert reasons["Sample/book.epub"] == "sample"
    assert reasons["release.nfo"] == ".nfo file"
    assert reasons["book.vol00+01.par2"] == ".par2 file"
    assert reasons["screenshot.png"] == "image that is not a cover"


def test_several_formats_of_one_book_preferred_first(tmp_path, session_mobi):
    folder = tmp_path / "dl"
    samples.make_pdf(folder / "Book.pdf", title="Book", author="A")
    samples.make_epub(folder / "Book.epub", title="Book")
    (folder / "Book.mobi").write_bytes(session_mobi.read_bytes())
    assert [f.format for f in locate(folder, "ebook", preferred=("epub",)).files] == ["epub", "mobi", "pdf"]
    assert locate(folder, "ebook", preferred=("mobi",)).primary.format == "mobi"


def test_two_books_of_the_same_format_are_not_guessed(tmp_path):
    samples.make_epub(tmp_path / "dl" / "One.epub", title="One")
    samples.make_epub(tmp_path / "dl" / "Two.epub", title="Two")
    with pytest.raises(InvalidInput, match="more than one book"):
        locate(tmp_path / "dl", "ebook")


def test_identical_copies_are_one_file_under_the_shortest_name(tmp_path):
    book = samples.make_epub(tmp_path / "dl" / "One.epub", title="One")
    (tmp_path / "dl" / "One (copy).epub").write_bytes(book.read_bytes())
    (tmp_path / "dl" / "sub").mkdir()
    (tmp_path / "dl" / "sub" / "1.epub").write_bytes(book.read_bytes())
    located = locate(tmp_path / "dl", "ebook")
    assert [f.path for f in located.files] == [tmp_path / "dl" / "sub" / "1.epub"]
    assert sorted(copy.name for copy, _ in located.copies) == ["One (copy).epub", "One.epub"]


def test_audiobook_disc_folders_in_natural_order(tmp_path):
    root = tmp_path / "Author - Audiobook"
    for disc in (1, 2, 10):
        for track in (1, 2, 11):
            samples.make_wav(root / f"Disc {disc}" / f"Track {track}.wav", seconds=(100 * disc + track) / 1000)
    (root / "Disc 1" / "info.nfo").write_text("x")
    located = locate(root, "audiobook")
    names = [f"{f.path.parent.name}/{f.path.name}" for f in located.files]
    assert names[:4] == [
        "Disc 1/Track 1.wav",
        "Disc 1/Track 2.wav",
        "Disc 1/Track 11.wav",
        "Disc 2/Track 1.wav",
    ]
    assert names[-1] == "Disc 10/Track 11.wav"
    assert [f.part for f in located.files] == list(range(1, 10))


def test_comic_archive(tmp_path):
    cbz = samples.make_cbz(
        tmp_path / "dl" / "Saga 001.cbz", series="Saga", number="1", writer="Brian K. Vaughan"
    )
    assert locate(tmp_path / "dl", "comic").primary.path == cbz


def test_wrong_media_kind_says_what_was_found(tmp_path):
    samples.make_wav(tmp_path / "dl" / "part1.wav")
    with pytest.raises(InvalidInput, match=r"No ebook file .* \(found 1 audio\)"):
        locate(tmp_path / "dl", "ebook")


def test_missing_storage_path(tmp_path):
    with pytest.raises(NotFound, match="does not exist"):
        locate(tmp_path / "gone", "ebook")


def _file(path: Path) -> LocatedFile:
    return LocatedFile(path, path.suffix.lstrip(".").lower(), path.stat().st_size)


def test_verify_accepts_real_files(tmp_path, session_mobi):
    files = [
        samples.make_epub(tmp_path / "a.epub", title="A"),
        session_mobi,
        samples.make_pdf(tmp_path / "a.pdf", title="A", author="B"),
        samples.make_cbz(tmp_path / "a.cbz", series="S", number="1", writer="W"),
        samples.make_wav(tmp_path / "a.wav"),
        samples.make_mp3(tmp_path / "a.mp3", album="A", artist="B"),
    ]
    for path in files:
        verify_file(_file(path))


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.epub", b"", "is empty"),
        ("text.epub", b"this is not a zip archive " * 20, "not a valid .epub"),
        ("cut.pdf", b"%PDF-1.7\n" + b"0" * 500, "not a complete PDF"),
        ("fake.mobi", b"x" * 200, "no BOOKMOBI header"),
        ("noise.mp3", b"\x01\x02" * 500, "audio file"),
    ],
)
def test_verify_rejects_broken_files_with_a_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InvalidInput, match=reason):
        verify_file(_file(path))


def test_verify_rejects_a_truncated_epub(tmp_path):
    full = samples.make_epub(tmp_path / "full.epub", title="A").read_bytes()
    cut = tmp_path / "cut.epub"
    cut.write_bytes(full[: len(full) // 2])
    with pytest.raises(InvalidInput, match=r"not a valid \.epub"):
        verify_file(_file(cut))


def test_verify_rejects_a_zip_that_is_no_epub(tmp_path):
    import zipfile

    path = tmp_path / "plain.epub"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hello " * 100)
    with pytest.raises(InvalidInput, match=r"container\.xml is missing"):
        verify_file(_file(path))


def test_special_files_in_a_download_folder_are_ignored_with_the_reason(tmp_path):
    from tests.hostile_files import released_fifo, unix_socket

    book = samples.make_epub(tmp_path / "Book" / "Book.epub", title="Book")
    os.symlink("/dev/zero", book.parent / "linked.mobi")  # symlinks are never followed in a download
    with released_fifo(book.parent / "Other.mobi") as released, unix_socket(book.parent / "cover.jpg"):
        located = locate(book.parent, "ebook")
    assert not released.is_set()
    assert [f.path for f in located.files] == [book] and located.covers == ()
    assert dict(located.ignored) == {
        "Other.mobi": "a FIFO (named pipe), not a regular file: skipped",
        "cover.jpg": "a socket, not a regular file: skipped",
    }


def test_a_storage_path_that_is_a_fifo_is_refused_with_the_reason(tmp_path):
    from tests.hostile_files import released_fifo

    with released_fifo(tmp_path / "Book.epub") as released, pytest.raises(InvalidInput, match="FIFO"):
        locate(tmp_path / "Book.epub", "ebook")
    assert not released.is_set()


@pytest.mark.parametrize("fmt", ["epub", "pdf", "mobi", "mp3"])
def test_verify_refuses_a_fifo_put_in_place_of_a_located_file(tmp_path, fmt):
    from tests.hostile_files import released_fifo

    path = tmp_path / f"Book.{fmt}"
    with released_fifo(path) as released, pytest.raises(InvalidInput, match="FIFO"):
        verify_file(LocatedFile(path, fmt, 1000))
    assert not released.is_set()


def test_nas_and_os_debris_in_a_download_is_not_a_second_book(tmp_path):
    """A Synology `@eaDir` or macOS `__MACOSX` copy beside the book is debris, not another book."""
    book = samples.make_epub(tmp_path / "dl" / "Book.epub", title="Book")
    samples.make_epub(tmp_path / "dl" / "@eaDir" / "Book.epub", title="Thumbnail index")
    samples.make_epub(tmp_path / "dl" / "__MACOSX" / "Old.epub", title="Resource fork")
    assert [f.path for f in locate(tmp_path / "dl", "ebook").files] == [book]


def test_covers_are_recognised_as_the_scan_recognises_them(tmp_path):
    samples.make_epub(tmp_path / "dl" / "Book.epub", title="Book")
    (tmp_path / "dl" / "v01_cover.jpg").write_bytes(samples.image_bytes())
    (tmp_path / "dl" / "Book cover.png").write_bytes(samples.image_bytes(fmt="PNG"))
    covers = {p.name for p in locate(tmp_path / "dl", "ebook").covers}
    assert covers == {"v01_cover.jpg", "Book cover.png"}
