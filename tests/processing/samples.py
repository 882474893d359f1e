"""Real sample files made at test time: EPUB (zip + OPF), MOBI (by calibre), PDF (pypdf),
CBZ/CBR with ComicInfo.xml, WAV and MP3 audiobook parts, cover images."""

from __future__ import annotations

import io
import struct
import subprocess
import wave
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image

from processing.converters.ebook_convert import calibre_env


def image_bytes(width: int = 600, height: int = 900, color=(200, 40, 40), fmt: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, fmt)
    return buffer.getvalue()


def make_epub(
    path: Path,
    *,
    title: str,
    authors: tuple[str, ...] = (),
    isbn: str = "",
    series: str = "",
    series_index: str = "",
    language: str = "en",
    cover: bytes | None = None,
) -> Path:
    creators = "".join(f'<dc:creator opf:role="aut">{escape(a)}</dc:creator>' for a in authors)
    isbn_xml = f'<dc:identifier opf:scheme="ISBN">{isbn}</dc:identifier>' if isbn else ""
    series_xml = (
        (
            f'<meta name="calibre:series" content="{escape(series)}"/>'
            f'<meta name="calibre:series_index" content="{series_index}"/>'
        )
        if series
        else ""
    )
    cover_meta = '<meta name="cover" content="cover-img"/>' if cover else ""
    cover_item = '<item id="cover-img" href="images/cover.jpg" media-type="image/jpeg"/>' if cover else ""
    opf = f"""<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="2.0" unique-identifier="uid">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
    <dc:identifier id="uid" opf:scheme="uuid">0b9b2f4e-1111-2222-3333-444455556666</dc:identifier>
    <dc:title>{escape(title)}</dc:title>{creators}{isbn_xml}<dc:language>{language}</dc:language>
    {series_xml}{cover_meta}
  </metadata>
  <manifest>
    <item id="c1" href="text/c1.xhtml" media-type="application/xhtml+xml"/>
    <item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>{cover_item}
  </manifest>
  <spine toc="ncx"><itemref idref="c1"/></spine>
</package>"""
    ncx = f"""<?xml version="1.0" encoding="utf-8"?>
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><head><meta name="dtb:uid"
content="0b9b2f4e-1111-2222-3333-444455556666"/></head><docTitle><text>{escape(title)}</text></docTitle>
<navMap><navPoint id="n1" playOrder="1"><navLabel><text>One</text></navLabel><content src="text/c1.xhtml"/>
</navPoint></navMap></ncx>"""
    body = "".join(f"<p>Paragraph {i} of {escape(title)}: the quick brown fox jumps.</p>" for i in range(40))
    chapter = f"""<?xml version="1.0" encoding="utf-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>One</title></head><body><h1>Chapter One</h1>
{body}</body></html>"""
    container = """<?xml version="1.0"?><container version="1.0"
xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf"
media-type="application/oebps-package+xml"/></rootfiles></container>"""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        z.writestr("META-INF/container.xml", container, zipfile.ZIP_DEFLATED)
        z.writestr("OEBPS/content.opf", opf, zipfile.ZIP_DEFLATED)
        z.writestr("OEBPS/toc.ncx", ncx, zipfile.ZIP_DEFLATED)
        z.writestr("OEBPS/text/c1.xhtml", chapter, zipfile.ZIP_DEFLATED)
        if cover:
            z.writestr("OEBPS/images/cover.jpg", cover)
    return path


def convert_with_calibre(source: Path, target: Path) -> Path:
    subprocess.run(
        ["ebook-convert", str(source), str(target)],
        check=True,
        capture_output=True,
        env=calibre_env(),
        timeout=300,
    )
    return target


def make_pdf(path: Path, *, title: str, author: str) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=300, height=400)
    writer.add_metadata({"/Title": title, "/Author": author})
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def comicinfo(series: str, number: str, writer: str, title: str = "") -> str:
    return (
        f'<?xml version="1.0"?><ComicInfo><Title>{escape(title)}</Title><Series>{escape(series)}</Series>'
        f"<Number>{number}</Number><Writer>{escape(writer)}</Writer></ComicInfo>"
    )


def make_cbz(path: Path, *, series: str, number: str, writer: str, pages: int = 3) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as z:
        for page in range(1, pages + 1):
            z.writestr(f"{page:03d}.png", image_bytes(400, 600, (page * 40, 80, 120), "PNG"))
        z.writestr("ComicInfo.xml", comicinfo(series, number, writer))
    return path


def make_cbr(
    path: Path,
    *,
    series: str,
    number: str,
    writer: str,
    page_names: tuple[str, ...] = ("page1.png", "page2.png", "page10.png"),
    solid: bool = True,
    extra: dict[str, bytes] | None = None,
) -> Path:
    """A real RAR5 comic made with the `rar` command (solid or not), pages stored as given."""
    staging = path.parent / f".{path.stem}-pages"
    files = {name: image_bytes(300, 450, (40 * i % 255, 90, 160), "PNG") for i, name in enumerate(page_names)}
    files["ComicInfo.xml"] = comicinfo(series, number, writer).encode()
    files.update(extra or {})
    for name, data in files.items():
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        (staging / name).write_bytes(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    command = ["rar", "a", "-ma5", "-s" if solid else "-s-", "-m3", "-r", "-idq", "-y", str(path.resolve()), "*"]
    subprocess.run(command, cwd=staging, check=True, capture_output=True, timeout=120)
    for item in sorted(staging.rglob("*"), reverse=True):
        item.unlink() if item.is_file() else item.rmdir()
    staging.rmdir()
    return path


def make_wav(path: Path, *, seconds: float = 0.2) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x00" * int(8000 * seconds))
    return path


def make_mp3(
    path: Path, *, album: str = "", artist: str = "", frames: int = 40, narrator: str = "", title: str = ""
) -> Path:
    """MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz, ~26 ms each) with an ID3v2 tag written
    by mutagen; the narrator goes where audiobook tools put it (composer). Parts of one
    recording need a title (or another length) to differ: identical files are one part."""
    header = struct.pack(">I", 0xFFFB9000)
    frame = header + b"\x00" * (417 - len(header))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(frame * frames)
    if album or artist or narrator or title:
        from mutagen.easyid3 import EasyID3

        tags = EasyID3()
        for key, value in (("album", album), ("artist", artist), ("composer", narrator), ("title", title)):
            if value:
                tags[key] = value
        tags.save(path)
    return path
