"""The safe readers under every extractor: member names, the XML parser, archive members."""

from __future__ import annotations

import io
import struct
import threading
import zipfile
from pathlib import Path

import pytest

from scanning.extractors import ExtractionError, ExtractOptions
from scanning.extractors.safety import SafeZip, _read_intact_member, is_safe_member_name, parse_xml


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("OEBPS/content.opf", True),
        ("mimetype", True),
        ("Text/chapter 1.xhtml", True),
        ("a..b/c...d", True),  # dots inside a name are not a '..' part
        ("a/../b", True),  # stays inside the archive
        ("./a", True),
        ("a\\b", True),  # a backslash is read as a separator, still inside
        ("", False),
        ("/etc/passwd", False),
        ("\\windows\\system32", False),
        ("..", False),
        ("../evil.jpg", False),
        ("a/../../evil.jpg", False),
        ("a\\..\\..\\evil.jpg", False),
        ("..\\evil.jpg", False),
        ("C:/evil.jpg", False),
        ("C:evil.jpg", False),
        ("a\x00.jpg", False),
    ],
)
def test_member_names_that_leave_the_archive_are_unsafe(name, safe):
    assert is_safe_member_name(name) is safe


def test_xml_parser_is_reused_per_thread_and_forgets_the_last_error():
    with pytest.raises(ExtractionError, match="not well-formed"):
        parse_xml(b"<a><b></a>", what="first")
    assert parse_xml(b"<a>ok</a>", what="second").text == "ok"
    assert parse_xml(b"<x:a>recovered</x:a>", what="undeclared prefix").text == "recovered"
    found: list[str] = []
    threads = [
        threading.Thread(target=lambda i=i: found.append(parse_xml(f"<a>{i}</a>".encode(), what="t").text))
        for i in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(found) == ["0", "1", "2", "3"]


def test_entities_stay_unexpanded_when_the_parser_is_reused():
    doc = b'<!DOCTYPE a [<!ENTITY e "EXPANDED">]><a>x&e;y</a>'
    for _ in range(2):
        assert parse_xml(doc, what="entities").text == "xy"


# --- archive members ---------------------------------------------------------------------

PAYLOAD = {"META-INF/container.xml": b"<container/>" * 40, "OEBPS/images/c\u00f6ver.jpg": bytes(range(256)) * 20}


def _archive(path: Path, method: int = zipfile.ZIP_DEFLATED, *, streamed: bool = False) -> Path:
    """Every PAYLOAD member with `method`; `streamed` writes data descriptors as a pipe would."""
    buffer = io.BytesIO()
    target: io.IOBase = buffer
    if streamed:

        class Pipe(io.RawIOBase):
            def writable(self) -> bool:
                return True

            def write(self, data) -> int:  # type: ignore[override]
                return buffer.write(data)

        target = Pipe()
    with zipfile.ZipFile(target, "w", compression=method) as zf:  # type: ignore[arg-type]
        for name, data in PAYLOAD.items():
            zf.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return path


def _patch(path: Path, name: str, *, crc: int | None = None, size: int | None = None, flags: int = 0) -> Path:
    """Rewrite the central directory entry of `name` (CRC, uncompressed size, extra flag bits)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name)
    at = data.index(b"PK\x01\x02")  # the first central directory entry, then on to `name`'s
    while data[at + 46 : at + 46 + len(name.encode())] != name.encode():
        at = data.index(b"PK\x01\x02", at + 4)
    struct.pack_into("<H", data, at + 8, info.flag_bits | flags)
    struct.pack_into("<I", data, at + 16, info.CRC if crc is None else crc)
    struct.pack_into("<I", data, at + 24, info.file_size if size is None else size)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(
    ("method", "streamed", "direct"),
    [
        (zipfile.ZIP_STORED, False, True),
        (zipfile.ZIP_DEFLATED, False, True),
        (zipfile.ZIP_DEFLATED, True, True),  # sizes and CRC after the data, in a descriptor
        (zipfile.ZIP_BZIP2, False, False),  # left to zipfile
        (zipfile.ZIP_LZMA, False, False),
    ],
)
def test_members_read_the_same_as_zipfile_reads_them(tmp_path, method, streamed, direct):
    path = _archive(tmp_path / "book.epub", method, streamed=streamed)
    with SafeZip(path, ExtractOptions()) as safe, zipfile.ZipFile(path) as plain:
        for name, data in PAYLOAD.items():
            assert safe.read(name) == plain.read(name) == data
            assert (_read_intact_member(safe.zf, safe.infos[name]) is not None) is direct


@pytest.mark.parametrize(
    ("damage", "error"),
    [
        ({"crc": 12345}, "Bad CRC-32"),
        ({"size": len(PAYLOAD["META-INF/container.xml"]) - 1}, "Bad CRC-32"),  # one byte more than declared
        ({"flags": 0x1}, "encrypted"),
        ({"flags": 0x20}, "compressed patched data"),
    ],
)
def test_damaged_member_gets_zipfile_s_own_verdict(tmp_path, damage, error):
    path = _patch(_archive(tmp_path / "book.epub"), "META-INF/container.xml", **damage)
    with SafeZip(path, ExtractOptions()) as safe:
        assert _read_intact_member(safe.zf, safe.infos["META-INF/container.xml"]) is None
        with pytest.raises(ExtractionError, match=error):
            safe.read("META-INF/container.xml")


def test_member_whose_local_header_disagrees_is_refused(tmp_path):
    path = _archive(tmp_path / "book.epub")
    data = path.read_bytes()
    path.write_bytes(data.replace(b"META-INF/container.xml", b"META-INF/cOntainer.xml", 1))  # the local header
    with SafeZip(path, ExtractOptions()) as safe, pytest.raises(ExtractionError, match="File name in directory"):
        safe.read("META-INF/container.xml")
