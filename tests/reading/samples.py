"""Books for the reader tests, made by code: an EPUB 3 long enough to turn pages, whose paragraphs
are numbered so a test can tell where it is; audiobook parts of real MP3 frames."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

CONTAINER = """<?xml version="1.0"?><container version="1.0"
xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf"
media-type="application/oebps-package+xml"/></rootfiles></container>"""


def make_long_epub(path: Path, *, title: str = "A Long Book", chapters: int = 3, paragraphs: int = 60) -> Path:
    """`chapters` chapters ("Chapter 1"...) of `paragraphs` paragraphs ("¶ 2.17 ...") with a nav."""
    items = "".join(
        f'<item id="c{n}" href="c{n}.xhtml" media-type="application/xhtml+xml"/>' for n in range(1, chapters + 1)
    )
    spine = "".join(f'<itemref idref="c{n}"/>' for n in range(1, chapters + 1))
    opf = f"""<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="uid">urn:uuid:7b1c6c84-2d54-4a67-9d0e-5f2d2b9c0a11</dc:identifier>
    <dc:title>{escape(title)}</dc:title><dc:language>en</dc:language>
    <meta property="dcterms:modified">2024-01-01T00:00:00Z</meta>
  </metadata>
  <manifest><item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>{items}</manifest>
  <spine>{spine}</spine>
</package>"""
    links = "".join(f'<li><a href="c{n}.xhtml">Chapter {n}</a></li>' for n in range(1, chapters + 1))
    nav = f"""<?xml version="1.0" encoding="utf-8"?>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"><head><title>Contents</title></head>
<body><nav epub:type="toc"><ol>{links}</ol></nav></body></html>"""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        zf.writestr("META-INF/container.xml", CONTAINER, zipfile.ZIP_DEFLATED)
        zf.writestr("OEBPS/content.opf", opf, zipfile.ZIP_DEFLATED)
        zf.writestr("OEBPS/nav.xhtml", nav, zipfile.ZIP_DEFLATED)
        for n in range(1, chapters + 1):
            body = "".join(
                f"<p>¶ {n}.{i} The lighthouse keeper counted the waves again, and the sea, patient as ever, "
                f"answered with the same grey rhythm it had kept for a thousand years.</p>"
                for i in range(1, paragraphs + 1)
            )
            chapter = f"""<?xml version="1.0" encoding="utf-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Chapter {n}</title></head>
<body><h1>Chapter {n}</h1>{body}</body></html>"""
            zf.writestr(f"OEBPS/c{n}.xhtml", chapter, zipfile.ZIP_DEFLATED)
    return path
