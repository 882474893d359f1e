"""EPUB -> KEPUB (reading.kepub): koboSpans around sentences with sequential ids, Kobo's body
divs, the text unchanged, the output still an EPUB (epubcheck: no errors); hostile EPUBs are
refused or defused as everywhere else; "Download as KEPUB" goes through the conversion cache."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from itertools import pairwise
from pathlib import Path

import pytest
from django.urls import reverse
from lxml import etree

from media.models import LibraryFile, MediaItem
from reading import conversions, kepub
from scanning.extractors.base import ExtractionError
from scanning.models import ScanFolder
from tests.reading.samples import CONTAINER, make_long_epub
from tests.scanning.samples import make_zip_bomb

EPUBCHECK_JAR = Path("/usr/share/java/epubcheck.jar")
QUICK_START = Path("/usr/share/calibre/quick_start/eng.epub")
X = "{http://www.w3.org/1999/xhtml}"
SPAN_ID = re.compile(r"kobo\.(\d+)\.(\d+)")


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("One. Two! Three? Four", ["One. ", "Two! ", "Three? ", "Four"]),
        ('He said: "Go." Then left…', ["He said: ", '"Go." ', "Then left…"]),
        ("No end", ["No end"]),
        ("Ends.\n\n", ["Ends.\n\n"]),
        ("", []),
        ("a.b", ["a.", "b"]),
    ],
)
def test_sentences_cut_after_each_sentence_and_join_back(text, pieces):
    assert kepub.sentences(text) == pieces
    assert "".join(kepub.sentences(text)) == text


def _body_text(data: bytes) -> str:
    root = etree.fromstring(data)
    return "".join(root.find(f"{X}body").itertext())


def _check_span_ids(data: bytes) -> list[tuple[int, int]]:
    """The koboSpan ids in document order: paragraphs never go back, segments count 1, 2, ... in
    each paragraph."""
    root = etree.fromstring(data)
    ids = [tuple(map(int, SPAN_ID.fullmatch(s.get("id")).groups()))
           for s in root.iter(f"{X}span") if s.get("class") == "koboSpan"]
    for (para, seg), (next_para, next_seg) in pairwise(ids):
        assert (next_para, next_seg) in ((para, seg + 1), (next_para, 1)) and next_para >= para, ids
    assert len(set(ids)) == len(ids)
    return ids


def _documents(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n.endswith((".xhtml", ".html"))}


def test_a_real_epub_becomes_a_kepub_with_its_text_unchanged(tmp_path):
    source = make_long_epub(tmp_path / "long.epub", chapters=2, paragraphs=5)
    result = kepub.convert(source, tmp_path / "long.kepub.epub")
    assert result.documents == 3 and result.unchanged == ()

    with zipfile.ZipFile(result.output) as zf:
        first = zf.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert zf.read("mimetype") == b"application/epub+zip"
        assert zf.testzip() is None
    before, after = _documents(source), _documents(result.output)
    assert before.keys() == after.keys()
    for name in before:
        assert _body_text(after[name]) == _body_text(before[name]), name

    chapter = etree.fromstring(after["OEBPS/c1.xhtml"])
    body = chapter.find(f"{X}body")
    (columns,) = body
    assert columns.get("id") == "book-columns" and columns[0].get("id") == "book-inner"
    assert chapter.find(f"{X}head/{X}style").get("class") == "kobostylehacks"
    ids = _check_span_ids(after["OEBPS/c1.xhtml"])
    assert ids[0] == (0, 1)  # the heading, before the first paragraph
    # each paragraph is "¶ 1.i The lighthouse keeper ... waves again, and ... years.": 2 sentences
    assert ids[1:] == [(p, s) for p in range(1, 6) for s in (1, 2)]
    first_paragraph = columns[0].find(f"{X}p")
    assert [s.text for s in first_paragraph] == [
        "¶ 1.",  # kepubify's rule cuts after any full stop, as Kobo does
        "1 The lighthouse keeper counted the waves again, and the sea, patient as ever, "
        "answered with the same grey rhythm it had kept for a thousand years.",
    ]
    assert result.spans == sum(len(_check_span_ids(d)) for d in after.values())


@pytest.mark.skipif(not QUICK_START.is_file(), reason="needs Calibre's quick-start EPUB")
def test_calibres_quick_start_guide_converts(tmp_path):
    result = kepub.convert(QUICK_START, tmp_path / "guide.kepub.epub")
    assert result.spans > 100
    before, after = _documents(QUICK_START), _documents(result.output)
    for name in after:
        if name not in result.unchanged:
            assert _body_text(after[name]) == _body_text(before[name]), name
            _check_span_ids(after[name])


@pytest.mark.skipif(not EPUBCHECK_JAR.is_file() or not shutil.which("java"), reason="needs epubcheck")
def test_the_kepub_passes_epubcheck_without_errors(tmp_path):
    source = make_long_epub(tmp_path / "long.epub", chapters=2, paragraphs=5)
    check = subprocess.run(["java", "-jar", str(EPUBCHECK_JAR), str(source)], capture_output=True, text=True,
                           timeout=180)
    assert check.returncode == 0, check.stdout + check.stderr  # the sample itself is valid
    output = kepub.convert(source, tmp_path / "long.kepub.epub").output
    check = subprocess.run(["java", "-jar", str(EPUBCHECK_JAR), str(output)], capture_output=True, text=True,
                           timeout=180)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "0 fatals / 0 errors" in check.stdout + check.stderr


def _epub_with(tmp_path: Path, chapter: str, extra: dict[str, bytes] | None = None) -> Path:
    opf = """<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="2.0"
unique-identifier="u"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="u">x</dc:identifier>
<dc:title>T</dc:title><dc:language>en</dc:language></metadata><manifest>
<item id="c" href="c.xhtml" media-type="application/xhtml+xml"/></manifest><spine><itemref idref="c"/></spine>
</package>"""
    path = tmp_path / "book.epub"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        zf.writestr("META-INF/container.xml", CONTAINER)
        zf.writestr("OEBPS/content.opf", opf)
        zf.writestr("OEBPS/c.xhtml", chapter)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


def test_an_external_entity_is_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    chapter = f"""<?xml version="1.0"?><!DOCTYPE html [<!ENTITY s SYSTEM "file://{secret}">]>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title></head><body><p>Leak &s; here.</p></body></html>"""
    result = kepub.convert(_epub_with(tmp_path, chapter), tmp_path / "out.kepub.epub")
    assert b"TOP-SECRET" not in result.output.read_bytes()
    with zipfile.ZipFile(result.output) as zf:
        assert b"TOP-SECRET" not in zf.read("OEBPS/c.xhtml")


def test_traversal_names_and_junk_are_left_out(tmp_path):
    chapter = '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title></head><body><p>Hi.</p></body></html>'
    source = _epub_with(tmp_path, chapter, {"../../evil.txt": b"x", "OEBPS/Thumbs.db": b"x"})
    with zipfile.ZipFile(kepub.convert(source, tmp_path / "out.kepub.epub").output) as zf:
        names = zf.namelist()
    assert "../../evil.txt" not in names and "OEBPS/Thumbs.db" not in names and "OEBPS/c.xhtml" in names


def test_a_zip_bomb_is_refused_and_leaves_no_output(tmp_path):
    with pytest.raises(ExtractionError):
        kepub.convert(make_zip_bomb(tmp_path / "bomb.epub"), tmp_path / "out.kepub.epub")
    assert list(tmp_path.glob("*out*")) == []


def test_a_document_that_is_not_xml_or_is_a_kepub_already_is_kept_as_it_is(tmp_path):
    broken = "<html><body><p>Unclosed <b>tags</p>"
    result = kepub.convert(_epub_with(tmp_path, broken), tmp_path / "a.kepub.epub")
    assert result.unchanged == ("OEBPS/c.xhtml",)
    with zipfile.ZipFile(result.output) as zf:
        assert zf.read("OEBPS/c.xhtml").decode() == broken
    twice = kepub.convert(result.output, tmp_path / "b.kepub.epub")
    assert twice.spans == 0


def test_svg_and_pre_keep_their_text_and_images_get_a_span_of_their_own(tmp_path):
    chapter = """<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title></head><body>
<pre>Code. More.</pre><svg xmlns="http://www.w3.org/2000/svg"><text>Label. Two.</text></svg><p>Text. More.</p>
<p>Before <img src="a.png" alt="a"/> after.</p></body></html>"""
    result = kepub.convert(_epub_with(tmp_path, chapter), tmp_path / "a.kepub.epub")
    root = etree.fromstring(_documents(result.output)["OEBPS/c.xhtml"])
    assert root.find(f".//{X}pre").text == "Code. More." and len(root.find(f".//{X}pre")) == 0
    assert [len(e) for e in root.iter("{http://www.w3.org/2000/svg}text")] == [0]
    assert [s.text for s in root.find(f".//{X}p")] == ["Text. ", "More."]
    image = root.find(f".//{X}img")
    assert image.getparent().get("class") == "koboSpan" and image.getparent().get("id") == "kobo.3.1"
    assert _check_span_ids(etree.tostring(root))[-3:] == [(2, 1), (3, 1), (3, 2)]


# --- "Download as KEPUB" ---------------------------------------------------------------------


@pytest.mark.django_db
def test_download_as_kepub_is_offered_and_served_from_the_cache(admin_client, settings, tmp_path):
    settings.CACHE_DIR = tmp_path / "cache"
    root = tmp_path / "books"
    ScanFolder.objects.create(path=str(root), name="Books")
    path = make_long_epub(root / "long.epub", title="The Long Book", chapters=1, paragraphs=3)
    item = MediaItem.objects.create(title="The Long Book", sort_title="Long Book")
    st = path.stat()
    epub = LibraryFile.objects.create(item=item, path=str(path), size=st.st_size, mtime_ns=st.st_mtime_ns,
                                      format="epub")
    listed = admin_client.get(f"/api/reading/files/{epub.pk}").json()["data"]["conversions"]
    assert [c["target"] for c in listed] == ["kepub", "azw3", "pdf"]

    result = conversions.convert_into_cache(epub.pk, "kepub")  # the job's work, here in-process
    assert result["cached"] is False and result["size"] > 0
    response = admin_client.get(reverse("file-convert", args=[epub.pk, "kepub"]))
    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/kepub+zip"
    assert response["Content-Disposition"] == 'attachment; filename="The Long Book.kepub.epub"'
    assert b'class="koboSpan"' in zipfile.ZipFile(io.BytesIO(body)).read("OEBPS/c1.xhtml")
    again = admin_client.post(f"/api/reading/files/{epub.pk}/conversions/kepub")
    assert again.status_code == 200 and again.json()["data"]["ready"] is True
