"""Writing the final metadata into a NEW EPUB copy (EPUB 2 and EPUB 3 packages), read back
by our reader and by calibre's `ebook-meta`; the original is never modified."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from core.errors import InvalidInput, ServiceUnavailable
from processing import services
from processing.converters.ebook_convert import calibre_env
from processing.epub import read_epub_package
from processing.epub_write import update_package, write_epub_metadata
from processing.models import PostProcessStatus
from processing.opf import OpfCreator, OpfMetadata, OpfSeries
from tests.processing import samples

META = OpfMetadata(
    title="Rock & Roll <Live> 東京",
    creators=(
        OpfCreator("Ursula K. Le Guin", "Le Guin, Ursula K.", "author"),
        OpfCreator("Jane Doe", "Doe, Jane", "author"),
    ),
    identifiers=(("isbn", "9780547773742"), ("goodreads", "13642")),
    series=(OpfSeries("Earthsea & Beyond", "2.5"),),
    language="ja",
    description="<p>A boy & his <b>shadow</b>.</p>",
)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ebook_meta(path: Path) -> str:
    done = subprocess.run(
        ["ebook-meta", str(path)], capture_output=True, text=True, env=calibre_env(), check=True, timeout=120
    )
    return done.stdout


def check_copy(source: Path, target: Path) -> None:
    with zipfile.ZipFile(target) as new, zipfile.ZipFile(source) as old:
        first = new.infolist()[0]
        assert (first.filename, first.compress_type, new.read(first)) == (
            "mimetype",
            zipfile.ZIP_STORED,
            b"application/epub+zip",
        )
        assert new.testzip() is None
        assert sorted(new.namelist()) == sorted(n for n in old.namelist() if not n.endswith("/"))  # folders implied
    meta = read_epub_package(target).metadata
    assert meta.title == META.title and meta.authors == ("Ursula K. Le Guin", "Jane Doe")
    assert meta.identifier("isbn") == "9780547773742" and meta.identifier("goodreads") == "13642"
    assert meta.series == (OpfSeries("Earthsea & Beyond", "2.5"),) and meta.language == "ja"
    assert meta.description == META.description


@pytest.mark.skipif(not shutil.which("ebook-meta"), reason="calibre missing")
def test_epub2_copy_carries_the_metadata_and_calibre_reads_it(tmp_path):
    source = samples.make_epub(
        tmp_path / "in.epub", title="Old Title", authors=("Someone Else",), isbn="9780000000002", cover=b"x"
    )
    before = sha(source)
    target = write_epub_metadata(source, tmp_path / "out.epub", META)
    assert sha(source) == before
    check_copy(source, target)
    read = ebook_meta(target)
    assert "Rock & Roll <Live> 東京" in read
    assert "Ursula K. Le Guin" in read and "Jane Doe" in read and "Someone Else" not in read
    assert "Earthsea & Beyond #2.5" in read and "isbn:9780547773742" in read and "jpn" in read
    assert "[Le Guin, Ursula K. & Doe, Jane]" in read  # calibre's joined author sort
    kept = read_epub_package(target).metadata.identifier("uuid")
    assert kept == "0b9b2f4e-1111-2222-3333-444455556666"  # the package's unique identifier is kept
    assert read_epub_package(target).metadata.cover_href == "images/cover.jpg"  # the rest is untouched


@pytest.mark.skipif(not shutil.which("ebook-convert"), reason="calibre missing")
def test_epub3_copy_uses_refines_and_calibre_reads_it(tmp_path):
    source = samples.make_epub(tmp_path / "in.epub", title="Old", authors=("Someone Else",))
    epub3 = tmp_path / "in3.epub"
    subprocess.run(
        ["ebook-convert", str(source), str(epub3), "--epub-version", "3"],
        check=True,
        capture_output=True,
        env=calibre_env(),
        timeout=300,
    )
    target = write_epub_metadata(epub3, tmp_path / "out3.epub", META)
    check_copy(epub3, target)
    with zipfile.ZipFile(target) as archive:
        opf = next(archive.read(n) for n in archive.namelist() if n.endswith(".opf")).decode()
    assert 'property="role"' in opf and "urn:isbn:9780547773742" in opf and "opf:role" not in opf
    read = ebook_meta(target)
    assert "Ursula K. Le Guin" in read and "Earthsea & Beyond #2.5" in read and "9780547773742" in read


def test_other_contributors_stay_and_bad_input_is_refused(tmp_path):
    opf = b"""<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="2.0" unique-identifier="id">
    <metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
    <dc:identifier id="id">urn:uuid:1</dc:identifier><dc:identifier opf:scheme="ISBN">123</dc:identifier>
    <dc:creator opf:role="ill">An Illustrator</dc:creator><dc:creator>Old Author</dc:creator>
    <meta name="calibre:series" content="Old Series"/></metadata><manifest/><spine/></package>"""
    text = update_package(opf, META).decode()
    assert "An Illustrator" in text and "Old Author" not in text and "Old Series" not in text
    assert "urn:uuid:1" in text and ">123<" not in text
    with pytest.raises(InvalidInput, match="not well-formed"):
        update_package(b"<package><metadata>", META)
    source = samples.make_epub(tmp_path / "in.epub", title="T")
    with pytest.raises(InvalidInput, match="new file"):
        write_epub_metadata(source, source, META)
    broken = tmp_path / "broken.epub"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InvalidInput):
        write_epub_metadata(broken, tmp_path / "x.epub", META)
    assert not (tmp_path / "x.epub").exists() and not list(tmp_path.glob(".*.part"))


def test_publisher_and_date_replace_the_books_own_only_when_known(tmp_path):
    opf = b"""<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="2.0"
    unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:opf="http://www.idpf.org/2007/opf"><dc:title>Old</dc:title>
    <dc:identifier id="id">urn:uuid:1</dc:identifier><dc:publisher>Old Press</dc:publisher>
    <dc:date opf:event="publication">1999</dc:date><dc:date opf:event="modification">2020-01-01</dc:date>
    </metadata><manifest/><spine/></package>"""
    known = replace(META, publisher="Sample Press & Sons", date="2001-05-04")
    text = update_package(opf, known).decode()
    assert "Old Press" not in text and ">1999<" not in text and "2020-01-01" not in text
    assert text.count("<dc:publisher>") == 1 and "Sample Press &amp; Sons" in text
    assert text.count("<dc:date>") == 1 and ">2001-05-04<" in text
    unknown = update_package(opf, META).decode()  # META has neither: the book's own stay
    assert "Old Press" in unknown and ">1999<" in unknown and "2020-01-01" in unknown
    source = samples.make_epub(tmp_path / "in.epub", title="T")
    read = read_epub_package(write_epub_metadata(source, tmp_path / "out.epub", known)).metadata
    assert (read.publisher, read.date) == ("Sample Press & Sons", "2001-05-04")


@pytest.mark.django_db
def test_import_files_a_new_epub_with_the_metadata_and_keeps_the_download(
    dirs, import_settings, earthsea, earthsea_epub
):
    import_settings.write_epub_metadata = True
    import_settings.save()
    before = sha(earthsea_epub)
    created = services.create_run(storage_path=str(earthsea_epub.parent), media_item_id=earthsea.pk)
    with contextlib.suppress(services.ImportFailed, ServiceUnavailable):
        services.run_import(created.pk)
    created.refresh_from_db()

    assert created.post_process_status == PostProcessStatus.COMPLETED, created.error
    assert next(s for s in created.steps if s["name"] == "embed")["status"] == "ok"
    book = dirs.library / "Guin, Ursula K. Le" / "Earthsea" / "A Wizard of Earthsea.epub"
    meta = read_epub_package(book).metadata
    assert meta.series == (OpfSeries("Earthsea", "1"),) and meta.description.startswith("<p>A boy & his")
    assert os.stat(book).st_nlink == 1 and not os.path.samefile(book, earthsea_epub)  # a copy, not the download
    assert sha(earthsea_epub) == before and os.stat(earthsea_epub).st_nlink == 1

    services.undo_import(created.pk)
    assert not book.exists() and sha(earthsea_epub) == before
