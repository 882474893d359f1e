from __future__ import annotations

import os
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from scanning.extractors import EXTRACTORS, ExtractionError, ExtractOptions, Extractor, MissingTool, extract
from scanning.extractors.base import Cover, build, merge
from scanning.extractors.comic import CbrExtractor
from scanning.extractors.opf import parse_opf
from scanning.extractors.registry import extractor_for, supported_extensions
from tests.scanning import samples as s

BOOK = s.Book(
    "The Left Hand of Darkness",
    isbn="0-441-47812-3",
    series="Hainish Cycle",
    series_index="4",
    language="en-GB",
    subjects=("Science fiction", "Gender"),
    extra_identifiers=(("AMAZON", "B000FC1JAI"),),
)


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """MOBI and AZW3 made from an EPUB by calibre's real converter (once per module)."""
    d = tmp_path_factory.mktemp("calibre")
    epub = s.make_epub(
        d / "src.epub", BOOK, version=2, cover=s.jpeg((10, 200, 10), (300, 450)), cover_style="meta"
    )
    return {"mobi": s.convert(epub, d / "book.mobi"), "azw3": s.convert(epub, d / "book.azw3")}


def test_registry_covers_every_supported_format_and_conforms_to_the_protocol():
    assert supported_extensions() >= {
        ".epub",
        ".mobi",
        ".azw",
        ".azw3",
        ".pdf",
        ".cbz",
        ".cbr",
        ".m4b",
        ".m4a",
        ".mp3",
        ".flac",
        ".ogg",
        ".opus",
    }
    for extractor in EXTRACTORS:
        assert isinstance(extractor, Extractor)
        assert extractor.kind in ("ebook", "comic", "audiobook")
        for ext in extractor.extensions:
            assert extractor_for(Path("x" + ext.upper())) is extractor


@pytest.mark.parametrize("version", [2, 3])
@pytest.mark.parametrize("cover_style", ["properties", "meta", "guide"])
def test_epub_reads_full_opf_metadata_and_cover(tmp_path, version, cover_style):
    cover = s.jpeg((1, 2, 3))
    meta = extract(
        s.make_epub(tmp_path / "b.epub", BOOK, version=version, cover=cover, cover_style=cover_style)
    )
    assert meta.title == "The Left Hand of Darkness"
    assert [(p.name, p.role, p.file_as) for p in meta.authors] == [
        ("Ursula K. Le Guin", "author", "Le Guin, Ursula K.")
    ]
    assert meta.isbn13 == "9780441478125" and ("isbn13", "9780441478125") in meta.identifiers
    assert ("asin", "B000FC1JAI") in meta.identifiers and any(k == "uuid" for k, _ in meta.identifiers)
    assert (meta.series, meta.series_index, meta.language) == ("Hainish Cycle", 4.0, "en")
    assert (meta.publisher, meta.published, meta.year) == ("Sample Press", "2001-05-04", 2001)
    assert meta.subjects == ("Science fiction", "Gender") and meta.description == "A fine book."
    assert meta.cover is not None and meta.cover.data == cover and meta.cover.media_type == "image/jpeg"
    assert meta.confidence["title"] == 0.9 and meta.confidence["cover"] == 0.9


def test_epub_metadata_is_its_package_document_plus_the_cover(tmp_path):
    epub = s.make_epub(tmp_path / "b.epub", BOOK, cover=s.jpeg((1, 2, 3)))
    meta = extract(epub)
    with zipfile.ZipFile(epub) as zf:
        opf = parse_opf(zf.read("OEBPS/content.opf"), source="epub").metadata
    assert replace(meta, cover=None, confidence=opf.confidence) == opf
    assert list(meta.confidence) == [*opf.confidence, "cover"]  # the cover's confidence comes last


def test_epub_with_invalid_isbn_and_missing_cover_gives_partial_metadata(tmp_path):
    book = s.Book("Partial", isbn="9780441478126")  # bad check digit
    meta = extract(s.make_epub(tmp_path / "p.epub", book, cover=b""))
    assert meta.title == "Partial" and meta.isbn13 == "" and meta.cover is None
    assert any("declared but missing" in w for w in meta.warnings)


def test_real_calibre_quick_start_epubs_are_read():
    for path in sorted(Path("/usr/share/calibre/quick_start").glob("*.epub")):
        meta = extract(path)
        assert meta.title and meta.authors[0].name == "John Schember" and meta.cover is not None


@pytest.mark.parametrize("fmt", ["mobi", "azw3"])
def test_mobi_and_azw3_exth_metadata_and_cover(converted, fmt):
    meta = extract(converted[fmt])
    assert meta.title == "The Left Hand of Darkness"
    assert [p.name for p in meta.authors] == ["Ursula K. Le Guin"]
    assert meta.isbn13 == "9780441478125" and meta.language == "en" and meta.publisher == "Sample Press"
    assert "fine book" in meta.description
    assert [k for k, _ in meta.identifiers] == ["isbn13"]  # calibre puts a UUID in EXTH 113: not an ASIN
    assert meta.cover is not None and meta.cover.media_type == "image/jpeg"
    import io

    from PIL import Image

    assert Image.open(io.BytesIO(meta.cover.data)).size[1] >= 400


def test_mobi_with_wrong_magic_is_corrupt(tmp_path):
    (tmp_path / "x.mobi").write_bytes(b"\0" * 200)
    with pytest.raises(ExtractionError, match="BOOKMOBI"):
        extract(tmp_path / "x.mobi")


def test_truncated_mobi_never_crashes(converted, tmp_path):
    broken = s.make_truncated(converted["mobi"], tmp_path / "t.mobi", keep=0.02)
    try:
        meta = extract(broken)
    except ExtractionError:
        return
    assert meta.source == "mobi"


def test_pdf_info_xmp_and_rendered_cover(tmp_path):
    meta = extract(
        s.make_pdf(
            tmp_path / "d.pdf",
            title="A Study in Scarlet",
            author="Arthur Conan Doyle",
            pages=3,
            xmp_language="fr",
        )
    )
    assert meta.title == "A Study in Scarlet" and [p.name for p in meta.authors] == ["Arthur Conan Doyle"]
    assert meta.page_count == 3 and meta.language == "fr" and meta.confidence["title"] == 0.6
    assert meta.cover is not None and meta.cover.data.startswith(b"\xff\xd8")


def test_pdf_without_renderer_has_no_cover_but_says_why(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # really absent, not mocked
    meta = extract(s.make_pdf(tmp_path / "d.pdf", title="T", author="A"))
    assert meta.cover is None and any("pdftoppm" in w for w in meta.warnings)


def test_cbz_comicinfo_and_first_page_cover(tmp_path):
    info = s.comicinfo(
        "Saga",
        "12",
        volume="2",
        year=2019,
        writer="Brian K. Vaughan",
        penciller="Fiona Staples",
        publisher="Image",
        gtin="9781632153555",
        pages=3,
    )
    meta = extract(s.make_cbz(tmp_path / "saga.cbz", info))
    assert (meta.series, meta.issue, meta.volume, meta.year) == ("Saga", "12", "2", 2019)
    assert [(p.name, p.role) for p in meta.people] == [
        ("Brian K. Vaughan", "writer"),
        ("Fiona Staples", "penciller"),
    ]
    assert meta.publisher == "Image" and meta.language == "en" and meta.page_count == 3
    assert meta.isbn13 == "9781632153555"
    assert meta.cover is not None and meta.cover.data == s.jpeg((40, 90, 90))  # page01 sorted naturally


@pytest.mark.parametrize("solid", [True, False])
def test_cbr_rar5_comicinfo_and_cover(tmp_path, solid):
    meta = extract(s.make_cbr(tmp_path / "w.cbr", s.comicinfo("Watchmen", "3", year=1986), solid=solid))
    assert (meta.series, meta.issue, meta.year) == ("Watchmen", "3", 1986)
    assert meta.cover is not None and meta.cover.data == s.jpeg((40, 90, 90))


def test_cbr_without_any_rar_tool_names_the_missing_tool(tmp_path, monkeypatch):
    cbr = s.make_cbr(tmp_path / "w.cbr", s.comicinfo("Watchmen", "3"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(MissingTool, match="unrar"):
        CbrExtractor().extract(cbr, ExtractOptions())


def test_cbz_without_comicinfo_still_gives_pages_and_cover(tmp_path):
    meta = extract(s.make_cbz(tmp_path / "x.cbz", None, pages=4))
    assert meta.page_count == 4 and meta.cover is not None and meta.series == ""


def test_mp3_id3_tags_duration_and_chapters(tmp_path):
    meta = extract(
        s.make_mp3(
            tmp_path / "a.mp3",
            seconds=3,
            tags={
                "album": "The Hobbit",
                "artist": "J.R.R. Tolkien",
                "composer": "Andy Serkis",
                "series": "Middle-earth",
                "series-part": "1",
                "asin": "B0099SNHQO",
            },
            chapters=(("One", 0, 1500), ("Two", 1500, 3000)),
        )
    )
    assert meta.title == "The Hobbit" and meta.series == "Middle-earth" and meta.series_index == 1.0
    assert [(p.name, p.role) for p in meta.people] == [
        ("J.R.R. Tolkien", "author"),
        ("Andy Serkis", "narrator"),
    ]
    assert 2.5 < meta.duration_seconds < 3.5 and ("asin", "B0099SNHQO") in meta.identifiers
    assert [(c.title, c.start_seconds) for c in meta.chapters] == [("One", 0.0), ("Two", 1.5)]


def test_flac_vorbis_comments(tmp_path):
    meta = extract(
        s.make_flac(
            tmp_path / "a.flac",
            seconds=4,
            tags={
                "album": "Dracula",
                "albumartist": "Bram Stoker",
                "narrator": "Tim Curry",
                "language": "eng",
                "series": "Classics",
                "series-part": "2",
            },
        )
    )
    assert meta.title == "Dracula" and meta.language == "en" and meta.duration_seconds == 4.0
    assert [(p.name, p.role) for p in meta.people] == [("Bram Stoker", "author"), ("Tim Curry", "narrator")]
    assert (meta.series, meta.series_index) == ("Classics", 2.0)


def test_m4b_tags_duration_and_nero_chapters(tmp_path):
    meta = extract(
        s.make_m4b(
            tmp_path / "a.m4b",
            seconds=7,
            tags={
                "\xa9alb": ["Project Hail Mary"],
                "\xa9ART": ["Andy Weir"],
                "\xa9wrt": ["Ray Porter"],
                "covr": [__import__("mutagen.mp4", fromlist=["MP4Cover"]).MP4Cover(s.jpeg())],
            },
            chapters=(("Opening", 0.0), ("Chapter 1", 3.5)),
        )
    )
    assert meta.title == "Project Hail Mary" and meta.duration_seconds == 7.0
    assert [(p.name, p.role) for p in meta.people] == [("Andy Weir", "author"), ("Ray Porter", "narrator")]
    assert [(c.title, c.start_seconds) for c in meta.chapters] == [("Opening", 0.0), ("Chapter 1", 3.5)]
    assert meta.cover is not None and meta.cover.data == s.jpeg()


def test_not_audio_is_an_extraction_error(tmp_path):
    (tmp_path / "x.mp3").write_bytes(b"hello")
    with pytest.raises(ExtractionError):
        extract(tmp_path / "x.mp3")


# --- hostile files ----------------------------------------------------------------------


def test_zip_bomb_is_refused_quickly_without_inflating(tmp_path):
    bomb = s.make_zip_bomb(tmp_path / "bomb.epub")
    assert bomb.stat().st_size < 2 * 1024 * 1024
    started = time.monotonic()
    with pytest.raises(ExtractionError, match=r"zip bomb|limit"):
        extract(bomb)
    assert time.monotonic() - started < 2


def test_member_that_lies_about_its_size_is_capped(tmp_path):
    bomb = s.make_zip_bomb(tmp_path / "bomb.epub", inflated=20 * 1024 * 1024)
    with pytest.raises(ExtractionError):
        extract(bomb, ExtractOptions(max_member_bytes=1024 * 1024, max_total_bytes=10**9))


def test_billion_laughs_is_refused_without_expansion(tmp_path):
    started = time.monotonic()
    with pytest.raises(ExtractionError, match="entity") as caught:
        extract(s.make_epub_with_opf(tmp_path / "lol.epub", s.BILLION_LAUGHS))
    assert time.monotonic() - started < 1 and "lollol" not in caught.value.reason


def test_internal_entities_are_left_unexpanded(tmp_path):
    opf = s.BILLION_LAUGHS.split("<!ENTITY lol2")[0] + "]>" + s.BILLION_LAUGHS.split("]>", 1)[1]
    opf = opf.replace("&lol9;", "&lol1;")
    meta = extract(s.make_epub_with_opf(tmp_path / "lol.epub", opf))
    assert meta.title == "Laughs" and meta.authors[0].name == "Safe Author"


def test_external_entity_is_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    meta = extract(s.make_epub_with_opf(tmp_path / "xxe.epub", s.XXE.format(target=secret)))
    assert meta.title == "Leak" and "TOP-SECRET" not in repr(meta)


def test_path_traversal_members_are_ignored_and_nothing_is_written(tmp_path):
    cbz = s.make_cbz(
        tmp_path / "evil.cbz",
        s.comicinfo("Evil", "1"),
        extra={"../../../../tmp/evil-page.jpg": s.jpeg((0, 0, 0)), "/etc/evil.jpg": s.jpeg((0, 0, 0))},
    )
    before = set(os.listdir(tmp_path))
    meta = extract(cbz)
    assert meta.series == "Evil" and meta.cover.data != s.jpeg((0, 0, 0))
    assert any("unsafe names" in w for w in meta.warnings)
    assert set(os.listdir(tmp_path)) == before and not Path("/tmp/evil-page.jpg").exists()


def test_garbage_with_a_book_extension_is_corrupt_not_a_crash(tmp_path):
    for name in ("x.epub", "x.cbz", "x.pdf", "x.azw3", "x.cbr", "x.m4b", "x.flac"):
        (tmp_path / name).write_bytes(os.urandom(2048))
        with pytest.raises(ExtractionError):
            extract(tmp_path / name)


def test_extractor_is_chosen_by_the_same_suffix_for_a_str_and_a_path():
    from pathlib import PurePath

    from scanning.extractors import extractor_for

    names = ["a/Book.EPUB", "a/b.c/book", "x.tar.cbz", ".epub", "book.", "dir.pdf/file", "Über.mobi", "a.azw3"]
    for name in names:
        assert extractor_for(name) is extractor_for(PurePath(name)), name


def test_merge_keeps_what_every_layer_said_that_it_did_not_keep():
    """The strongest value wins; the others stay with their source and confidence (an equal one
    as the kept object itself, pickled once), through nested merges; covers are not kept."""
    embedded = build("epub", 0.9, title="Winter Planet", cover=Cover(s.jpeg()))
    sidecar = build("metadata.opf", 0.95, title="The Left Hand of Darkness", cover=Cover(s.jpeg((0, 0, 9))))
    name = build("filename", 0.3, title="The Left Hand of Darkness")
    merged = merge(embedded, sidecar, name)
    assert (merged.title, merged.origin("title")) == ("The Left Hand of Darkness", "metadata.opf")
    assert merged.overridden == (("title", "Winter Planet", "epub", 0.9),
                                 ("title", "The Left Hand of Darkness", "filename", 0.3))
    assert merged.overridden[1][1] is merged.title
    again = merge(build("calibre", 0.98, title="Curated"), merged)
    assert [(source, value) for _, value, source, _ in again.overridden] == [
        ("epub", "Winter Planet"),
        ("filename", "The Left Hand of Darkness"),
        ("metadata.opf", "The Left Hand of Darkness"),
    ]
