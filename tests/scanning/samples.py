"""Real sample files made by code: EPUB 2/3, MOBI/AZW3 (calibre), PDF, CBZ/CBR, MP3,
FLAC, M4B, and hostile or corrupt ones. Shared by the tests and the benchmark corpus."""

from __future__ import annotations

import functools
import io
import os
import shutil
import struct
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class Book:
    title: str
    authors: tuple[tuple[str, str], ...] = (("Ursula K. Le Guin", "Le Guin, Ursula K."),)
    language: str = "en"
    isbn: str = ""
    series: str = ""
    series_index: str = ""
    publisher: str = "Sample Press"
    date: str = "2001-05-04"
    description: str = "<p>A <b>fine</b> book.</p>"
    subjects: tuple[str, ...] = ("Fiction",)
    uuid: str = "5b0e8a9e-0000-4000-8000-000000000001"
    extra_identifiers: tuple[tuple[str, str], ...] = field(default_factory=tuple)


@functools.lru_cache(maxsize=16)
def jpeg(color: tuple[int, int, int] = (200, 30, 30), size: tuple[int, int] = (60, 90)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def noise_jpeg(seed: int, size: tuple[int, int] = (60, 90)) -> bytes:
    """A unique cover per seed (solid colours collapse to identical JPEG bytes)."""
    import random

    from PIL import Image

    raw = random.Random(seed).randbytes(size[0] * size[1] * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, raw).save(buffer, "JPEG", quality=60)
    return buffer.getvalue()


def _opf(book: Book, version: int, cover_style: str) -> str:
    dc = []
    for i, (name, file_as) in enumerate(book.authors):
        if version == 2:
            dc.append(
                f'<dc:creator opf:role="aut" opf:file-as="{escape(file_as)}">{escape(name)}</dc:creator>'
            )
        else:
            dc.append(
                f'<dc:creator id="c{i}">{escape(name)}</dc:creator>'
                f'<meta refines="#c{i}" property="role" scheme="marc:relators">aut</meta>'
                f'<meta refines="#c{i}" property="file-as">{escape(file_as)}</meta>'
            )
    dc.append(f'<dc:identifier id="uid">urn:uuid:{book.uuid}</dc:identifier>')
    if book.isbn:
        dc.append(
            f'<dc:identifier opf:scheme="ISBN">{book.isbn}</dc:identifier>'
            if version == 2
            else f"<dc:identifier>urn:isbn:{book.isbn}</dc:identifier>"
        )
    for scheme, value in book.extra_identifiers:
        dc.append(f'<dc:identifier opf:scheme="{scheme}">{value}</dc:identifier>')
    dc += [f"<dc:subject>{escape(s)}</dc:subject>" for s in book.subjects]
    if book.series and version == 3:
        dc.append(
            f'<meta property="belongs-to-collection" id="s1">{escape(book.series)}</meta>'
            '<meta refines="#s1" property="collection-type">series</meta>'
            f'<meta refines="#s1" property="group-position">{book.series_index}</meta>'
        )
    elif book.series:
        dc.append(
            f'<meta name="calibre:series" content="{escape(book.series)}"/>'
            f'<meta name="calibre:series_index" content="{book.series_index}"/>'
        )
    cover_item = '<item id="cover-img" href="images/cover.jpg" media-type="image/jpeg"{}/>'
    if cover_style == "properties":
        cover_item = cover_item.format(' properties="cover-image"')
    else:
        cover_item = cover_item.format("")
        if cover_style == "meta":
            dc.append('<meta name="cover" content="cover-img"/>')
    guide = '<guide><reference type="cover" href="cover.xhtml"/></guide>' if cover_style == "guide" else ""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="{version}.0" unique-identifier="uid">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
<dc:title>{escape(book.title)}</dc:title><dc:language>{book.language}</dc:language>
<dc:publisher>{escape(book.publisher)}</dc:publisher><dc:date>{book.date}</dc:date>
<dc:description>{escape(book.description)}</dc:description>
{"".join(dc)}
</metadata>
<manifest><item id="c1" href="text/ch1.xhtml" media-type="application/xhtml+xml"/>
<item id="cv" href="cover.xhtml" media-type="application/xhtml+xml"/>{cover_item}</manifest>
<spine><itemref idref="c1"/></spine>{guide}
</package>"""


def make_opf(path: Path, book: Book) -> Path:
    """A sidecar OPF (calibre's metadata.opf is OPF 2) describing `book`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_opf(book, 2, "meta"), encoding="utf-8")
    return path


CONTAINER = """<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>"""


def make_epub(
    path: Path,
    book: Book,
    *,
    version: int = 3,
    cover: bytes | None = None,
    cover_style: str = "properties",
    chapter_text: str = "Call me Ishmael. " * 20,
    extra: dict[str, bytes] | None = None,  # further members, stored uncompressed
) -> Path:
    cover = jpeg() if cover is None else cover
    path.parent.mkdir(parents=True, exist_ok=True)
    xhtml = (
        '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head>'
        f"<title>{escape(book.title)}</title></head><body><h1>{escape(book.title)}</h1>"
        f"<p>{escape(chapter_text)}</p></body></html>"
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        zf.writestr("META-INF/container.xml", CONTAINER, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("OEBPS/content.opf", _opf(book, version, cover_style), compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("OEBPS/text/ch1.xhtml", xhtml, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr(
            "OEBPS/cover.xhtml",
            '<html xmlns="http://www.w3.org/1999/xhtml"><body><img src="images/cover.jpg"/></body></html>',
            compress_type=zipfile.ZIP_DEFLATED,
        )
        if cover:
            zf.writestr("OEBPS/images/cover.jpg", cover)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


def convert(source: Path, target: Path) -> Path:
    """MOBI/AZW3 through calibre's ebook-convert (the real converter)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QTWEBENGINE_DISABLE_SANDBOX": "1"}
    subprocess.run(
        ["ebook-convert", str(source), str(target)], check=True, capture_output=True, env=env, timeout=180
    )
    return target


def make_pdf(path: Path, *, title: str, author: str, pages: int = 2, xmp_language: str = "") -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=300, height=400)
    writer.add_metadata({"/Title": title, "/Author": author, "/Subject": "A test PDF"})
    if xmp_language:
        from pypdf.xmp import XmpInformation

        xmp = XmpInformation.create()
        xmp.dc_title = {"x-default": title}
        xmp.dc_creator = [author]
        xmp.dc_language = [xmp_language]
        writer.xmp_metadata = xmp
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def comicinfo(
    series: str,
    number: str,
    volume: str = "",
    year: int = 2019,
    writer: str = "Alan Moore",
    penciller: str = "Dave Gibbons",
    publisher: str = "DC",
    language: str = "en",
    pages: int = 3,
    gtin: str = "",
    title: str = "",
) -> bytes:
    parts = {
        "Title": title,
        "Series": series,
        "Number": number,
        "Volume": volume,
        "Year": str(year),
        "Writer": writer,
        "Penciller": penciller,
        "Publisher": publisher,
        "LanguageISO": language,
        "PageCount": str(pages),
        "GTIN": gtin,
    }
    body = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in parts.items() if v)
    return (
        f'<?xml version="1.0"?><ComicInfo xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{body}'
        "</ComicInfo>"
    ).encode()


def make_cbz(path: Path, info: bytes | None, pages: int = 3, extra: dict[str, bytes] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(pages, 0, -1):  # written out of order on purpose
            zf.writestr(f"page{i:02d}.jpg", jpeg((i * 40 % 255, 90, 90)))
        if info is not None:
            zf.writestr("ComicInfo.xml", info)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


def make_cbr(path: Path, info: bytes | None, pages: int = 3, *, solid: bool = True) -> Path:
    """A real RAR5 archive made by `rar` (solid by default: the case free tools fail on)."""
    work = path.parent / f".{path.stem}-src"
    work.mkdir(parents=True, exist_ok=True)
    for i in range(1, pages + 1):
        (work / f"page{i:02d}.jpg").write_bytes(jpeg((i * 40 % 255, 90, 90)))
    if info is not None:
        (work / "ComicInfo.xml").write_bytes(info)
    args = ["rar", "a", "-ma5", "-idq", "-ep1"] + (["-s"] if solid else []) + [str(path)]
    subprocess.run(args + sorted(str(p) for p in work.iterdir()), check=True, capture_output=True, timeout=60)
    shutil.rmtree(work)
    return path


# --- audio: minimal real streams, tagged with mutagen -----------------------------------

MP3_FRAME = b"\xff\xfb\x90\x00" + b"\x00" * 413  # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz: 417 bytes


def make_mp3(
    path: Path,
    *,
    seconds: float = 2.0,
    tags: dict[str, str] | None = None,
    chapters: tuple[tuple[str, int, int], ...] = (),
) -> Path:
    from mutagen.id3 import CHAP, ID3, TALB, TCOM, TIT2, TPE1, TPE2, TXXX

    frames = int(seconds * 44100 / 1152)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(MP3_FRAME * frames)
    id3 = ID3()
    tags = tags or {}
    simple = {"title": TIT2, "album": TALB, "artist": TPE1, "albumartist": TPE2, "composer": TCOM}
    for key, frame in simple.items():
        if key in tags:
            id3.add(frame(encoding=3, text=[tags[key]]))
    for key in ("SERIES", "SERIES-PART", "ASIN", "ISBN", "NARRATOR"):
        if key.lower() in tags:
            id3.add(TXXX(encoding=3, desc=key, text=[tags[key.lower()]]))
    for i, (title, start, end) in enumerate(chapters):
        id3.add(
            CHAP(
                element_id=f"ch{i}",
                start_time=start,
                end_time=end,
                sub_frames=[TIT2(encoding=3, text=[title])],
            )
        )
    id3.save(path)
    return path


def make_flac(path: Path, *, seconds: float = 3.0, tags: dict[str, str] | None = None) -> Path:
    from mutagen.flac import FLAC

    rate, samples = 44100, int(seconds * 44100)
    packed = (rate << 44) | (1 << 41) | (15 << 36) | samples  # rate:20, channels-1:3, bps-1:5, samples:36
    info = struct.pack(">HH", 4096, 4096) + b"\x00" * 6 + packed.to_bytes(8, "big") + b"\x00" * 16
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"fLaC" + bytes([0x80]) + len(info).to_bytes(3, "big") + info)
    audio = FLAC(path)
    for key, value in (tags or {}).items():
        audio[key] = value
    audio.save()
    return path


def _atom(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _full(kind: bytes, payload: bytes, version: int = 0) -> bytes:
    return _atom(kind, bytes([version, 0, 0, 0]) + payload)


def make_m4b(
    path: Path,
    *,
    seconds: int = 5,
    tags: dict[str, object] | None = None,
    chapters: tuple[tuple[str, float], ...] = (),
) -> Path:
    """ftyp + moov (mvhd, one sound trak, Nero chapters) + mdat; tags written by mutagen."""
    from mutagen.mp4 import MP4

    mvhd = _full(b"mvhd", struct.pack(">IIII", 0, 0, 1000, seconds * 1000) + b"\x00" * 80)
    mdhd = _full(b"mdhd", struct.pack(">IIII", 0, 0, 44100, seconds * 44100) + b"\x00" * 4)
    hdlr = _full(b"hdlr", b"\x00" * 4 + b"soun" + b"\x00" * 12 + b"SoundHandler\x00")
    stsd = _full(b"stsd", struct.pack(">I", 0))
    trak = _atom(b"trak", _atom(b"mdia", mdhd + hdlr + _atom(b"minf", _atom(b"stbl", stsd))))
    chpl = b""
    if chapters:
        body = b"\x00" * 4 + bytes([len(chapters)])
        for title, start in chapters:
            raw = title.encode()
            body += struct.pack(">Q", int(start * 10_000_000)) + bytes([len(raw)]) + raw
        chpl = _atom(b"udta", _full(b"chpl", body, version=1))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        _atom(b"ftyp", b"M4B \x00\x00\x02\x00M4B isom")
        + _atom(b"moov", mvhd + trak + chpl)
        + _atom(b"mdat", b"\x00" * 64)
    )
    audio = MP4(path)
    if audio.tags is None:
        audio.add_tags()
    for key, value in (tags or {}).items():
        audio.tags[key] = value
    audio.save()
    return path


# --- hostile and corrupt files ------------------------------------------------------------


def make_zip_bomb(path: Path, *, inflated: int = 300 * 1024 * 1024) -> Path:
    """An EPUB whose OPF inflates to hundreds of MB from a few hundred KB."""
    path.parent.mkdir(parents=True, exist_ok=True)
    chunk = b"\x00" * (1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        zf.writestr("META-INF/container.xml", CONTAINER)
        with zf.open("OEBPS/content.opf", "w", force_zip64=True) as handle:
            for _ in range(inflated // len(chunk)):
                handle.write(chunk)
    return path


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE package [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<package xmlns="http://www.idpf.org/2007/opf" version="2.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:title>Laughs &lol9;</dc:title><dc:creator>Safe Author</dc:creator></metadata></package>"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE package [<!ENTITY secret SYSTEM "file://{target}">]>
<package xmlns="http://www.idpf.org/2007/opf" version="2.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:title>Leak &secret;</dc:title><dc:creator>Safe Author</dc:creator></metadata></package>"""


def make_epub_with_opf(path: Path, opf: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        zf.writestr("META-INF/container.xml", CONTAINER)
        zf.writestr("OEBPS/content.opf", opf)
    return path


def make_truncated(source: Path, target: Path, keep: float = 0.4) -> Path:
    data = source.read_bytes()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data[: int(len(data) * keep)])
    return target
