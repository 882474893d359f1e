"""Reading untrusted archives and XML safely: no entity expansion, no network, no
extraction to disk, capped sizes and compression ratios, no path traversal."""

from __future__ import annotations

import io
import os
import posixpath
import struct
import threading
import zipfile
import zlib
from pathlib import Path

from lxml import etree

from core.files import open_regular
from scanning.extractors.base import ExtractionError, ExtractOptions

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp")
_LOCAL_HEADER = struct.Struct("<4s2xH18xHH")  # signature, flags, name and extra lengths (APPNOTE 4.3.7)
_LOCAL_SIGNATURE = b"PK\x03\x04"
_UTF8_NAME = 0x800
_FLAGS_FOR_ZIPFILE = 0x1 | 0x20 | 0x40  # encrypted, patched data, strong encryption
_PLAIN_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_parsers = threading.local()  # lxml parsers are reused, but never shared between threads


def open_book(path: Path | str) -> io.BufferedReader:
    """The book file opened for reading, if it is a regular file (never blocks on a FIFO put
    in its place: see core.files); else ExtractionError saying what it is."""
    try:
        return open_regular(path)
    except OSError as exc:
        raise ExtractionError(f"cannot read file: {exc.strerror or exc}") from exc


def xml_parser(*, recover: bool = False) -> etree.XMLParser:
    """Entities are never resolved (XXE, billion laughs), no DTD or network access."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
        recover=recover,
    )


def _thread_parser(*, recover: bool) -> etree.XMLParser:
    """This thread's `xml_parser(recover=...)`, made once: building a parser's context
    costs more than parsing a small OPF."""
    name = "recover" if recover else "strict"
    parser = getattr(_parsers, name, None)
    if parser is None:
        parser = xml_parser(recover=recover)
        setattr(_parsers, name, parser)
    return parser


def parse_xml(data: bytes, *, what: str) -> etree._Element:
    """Strict first; real-world OPFs with undeclared namespace prefixes (`ns0:package`,
    `dc:creator` without xmlns:dc) are re-read in recover mode, which keeps every safety flag."""
    try:
        root = etree.fromstring(data, parser=_thread_parser(recover=False))
    except etree.XMLSyntaxError as exc:
        if "Namespace prefix" not in str(exc):
            raise ExtractionError(f"{what} is not well-formed XML: {exc}") from exc
        try:
            root = etree.fromstring(data, parser=_thread_parser(recover=True))
        except etree.XMLSyntaxError as again:
            raise ExtractionError(f"{what} is not well-formed XML: {again}") from again
    if root is None:
        raise ExtractionError(f"{what} is empty")
    _drop_entity_references(root)
    return root


def _drop_entity_references(root: etree._Element) -> None:
    """Unresolved entity references carry no text we trust: remove them, keep their tails."""
    for ref in list(root.iter(etree.Entity)):
        parent, previous, tail = ref.getparent(), ref.getprevious(), ref.tail or ""
        if parent is None:
            continue
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
        parent.remove(ref)


def is_safe_member_name(name: str) -> bool:
    """Relative, no '..' component, no drive letters or backslash tricks."""
    if not name or name.startswith(("/", "\\")) or "\x00" in name:
        return False
    if not (".." in name or "\\" in name or ":" in name):
        return True  # normalising such a name cannot make a '..' component or a drive letter
    normal = posixpath.normpath(name.replace("\\", "/"))
    return not (normal.startswith("../") or normal == ".." or (len(normal) > 1 and normal[1] == ":"))


class SafeZip:
    """A read-only view of a zip that refuses bombs and traversal names."""

    def __init__(self, path: Path, options: ExtractOptions) -> None:
        self.options = options
        self.handle = open_book(path)
        try:
            self.zf = zipfile.ZipFile(self.handle)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            self.handle.close()
            raise ExtractionError(f"not a readable zip archive: {exc}") from exc
        infos = self.zf.infolist()
        total = sum(i.file_size for i in infos)
        if total > options.max_total_bytes:
            self.close()
            raise ExtractionError(
                f"archive declares {total} uncompressed bytes, over the "
                f"{options.max_total_bytes} byte limit (possible zip bomb)"
            )
        unsafe: list[str] = []
        self.infos: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if not is_safe_member_name(info.filename):
                unsafe.append(info.filename)
            elif not info.is_dir():
                self.infos[info.filename] = info
        self.unsafe_names = tuple(unsafe)

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.zf.close()  # leaves a file it was given open
        self.handle.close()

    def names(self) -> list[str]:
        return list(self.infos)

    def read(self, name: str, *, limit: int | None = None) -> bytes:
        info = self.infos.get(name)
        if info is None:
            raise KeyError(name)
        cap = check_member(info, self.options, limit)
        data = _read_intact_member(self.zf, info) if info.compress_size <= cap else None
        return data if data is not None else self._read_with_zipfile(name, info, cap)

    def _read_with_zipfile(self, name: str, info: zipfile.ZipInfo, cap: int) -> bytes:
        try:
            with self.zf.open(info) as handle:
                data = handle.read(cap + 1)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
            raise ExtractionError(f"cannot read {name!r} from the archive: {exc}") from exc
        except Exception as exc:  # zlib.error and friends
            raise ExtractionError(f"cannot read {name!r} from the archive: {exc}") from exc
        if len(data) > cap:
            raise ExtractionError(f"member {name!r} inflates past the {cap} byte limit (possible zip bomb)")
        return data


def check_member(info: zipfile.ZipInfo, options, limit: int | None = None) -> int:
    """The byte cap for reading this member; ExtractionError if it is over it or compresses like
    a zip bomb."""
    name = info.filename
    cap = min(limit or options.max_member_bytes, options.max_member_bytes)
    if info.file_size > cap:
        raise ExtractionError(f"member {name!r} is {info.file_size} bytes, over the {cap} byte limit")
    if (
        info.compress_size
        and info.file_size / max(info.compress_size, 1) > options.max_ratio
        and info.file_size > 1024 * 1024
    ):
        raise ExtractionError(
            f"member {name!r} compresses {info.file_size // max(info.compress_size, 1)}:1 (possible zip bomb)"
        )
    return cap


def _read_intact_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """`read_intact_member` from the ZipFile's own file. Not for a ZipFile that another thread
    reads at the same time."""
    return read_intact_member(zf.fp, info) if zf.fp is not None else None


def read_intact_member(fp, info: zipfile.ZipInfo) -> bytes | None:
    """A stored or deflated member read with one seek, one read and one zlib call, when its
    local header, name, length and CRC all agree with the central directory; None otherwise.
    zipfile's own reader returns the same bytes for such a member (only through many more
    Python calls), and for anything else it decides and words the error. Inflating stops one
    byte past the declared size. `fp` is an open file of the archive (a ZipInfo kept from an
    earlier reading of its directory serves as long as the archive is unchanged)."""
    if info.flag_bits & _FLAGS_FOR_ZIPFILE or info.compress_type not in _PLAIN_METHODS:
        return None
    try:
        fp.seek(info.header_offset)
        signature, flags, name_length, extra_length = _LOCAL_HEADER.unpack(fp.read(_LOCAL_HEADER.size))
        name = fp.read(name_length).decode("utf-8" if flags & _UTF8_NAME else "cp437")
        if signature != _LOCAL_SIGNATURE or name != info.orig_filename:
            return None
        fp.seek(extra_length, os.SEEK_CUR)
        data = fp.read(info.compress_size)
        if info.compress_type == zipfile.ZIP_DEFLATED:
            inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            data = inflater.decompress(data, info.file_size + 1)
            if not inflater.eof:
                return None
    except Exception:  # a short read, a bad name or stream: zipfile's reader gives the verdict
        return None
    return data if len(data) == info.file_size and zlib.crc32(data) == info.CRC else None


def image_media_type(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None
