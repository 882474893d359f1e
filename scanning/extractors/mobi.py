"""MOBI, AZW and AZW3 (KF8): the PalmDB record table, the MOBI header and its EXTH
records (title, authors, publisher, ISBN, ASIN, language, description, cover record).
Read directly from the file: no conversion, no external tool."""

from __future__ import annotations

import re
import struct
from pathlib import Path

from core.files import size_of
from scanning.extractors import common
from scanning.extractors.base import Cover, ExtractedMetadata, ExtractionError, ExtractOptions, Person, build
from scanning.extractors.safety import image_media_type, open_book

_EXTH_TEXT = {
    100: "author",
    101: "publisher",
    103: "description",
    104: "isbn",
    105: "subject",
    106: "published",
    113: "asin",
    503: "title",
    524: "language",
    108: "contributor",
    504: "asin",
}
_NO_IMAGE = 0xFFFFFFFF
_ASIN = re.compile(r"[A-Z0-9]{10}")
_ENCODINGS = {65001: "utf-8", 1252: "cp1252"}


def _records(data: bytes) -> list[int]:
    if len(data) < 78 or data[60:68] not in (b"BOOKMOBI", b"TEXtREAd"):
        raise ExtractionError("not a MOBI/AZW file: PalmDB type is not BOOKMOBI")
    (count,) = struct.unpack_from(">H", data, 76)
    if count == 0 or 78 + count * 8 > len(data):
        raise ExtractionError("MOBI record table is truncated")
    offsets = [struct.unpack_from(">I", data, 78 + i * 8)[0] for i in range(count)]
    return [*offsets, len(data)]


def _record(data: bytes, offsets: list[int], index: int) -> bytes:
    if not 0 <= index < len(offsets) - 1:
        raise ExtractionError(f"record {index} does not exist")
    start, end = offsets[index], offsets[index + 1]
    if not 0 <= start <= end <= len(data):
        raise ExtractionError(f"record {index} points outside the file")
    return data[start:end]


def _read_head(path: Path, limit: int) -> tuple[bytes, bool]:
    """The file up to `limit` bytes (its header and records come first), and whether there was more."""
    try:
        with open_book(path) as handle:
            return handle.read(limit), size_of(handle) > limit
    except OSError as exc:
        raise ExtractionError(f"cannot read file: {exc.strerror or exc}") from exc


def _exth(rec0: bytes, header_len: int, encoding: str) -> dict[int, list[bytes]]:
    start = 16 + header_len
    if rec0[start : start + 4] != b"EXTH":
        return {}
    _length, count = struct.unpack_from(">II", rec0, start + 4)
    pos, found = start + 12, {}
    for _ in range(min(count, 10_000)):
        if pos + 8 > len(rec0):
            break
        rtype, rlen = struct.unpack_from(">II", rec0, pos)
        if rlen < 8 or pos + rlen > len(rec0):
            break
        found.setdefault(rtype, []).append(rec0[pos + 8 : pos + rlen])
        pos += rlen
    return found


class MobiExtractor:
    name = "mobi"
    extensions = frozenset({".mobi", ".azw", ".azw3", ".prc"})
    kind = "ebook"

    def extract(self, path: Path, options: ExtractOptions) -> ExtractedMetadata:
        data, truncated = _read_head(path, options.max_total_bytes)
        offsets = _records(data)
        rec0 = _record(data, offsets, 0)
        if rec0[16:20] != b"MOBI":
            title = data[:32].split(b"\0", 1)[0].decode("cp1252", "replace")
            return build("mobi", 0.5, warnings=("PalmDOC without a MOBI header",), title=title)
        header_len, encoding_id = (
            struct.unpack_from(">II", rec0, 20)[0],
            struct.unpack_from(">I", rec0, 28)[0],
        )
        encoding = _ENCODINGS.get(encoding_id, "cp1252")
        exth = (
            _exth(rec0, header_len, encoding)
            if len(rec0) > 0x84 and struct.unpack_from(">I", rec0, 0x80)[0] & 0x40
            else {}
        )
        values = self._values(rec0, exth, encoding)
        warnings = [f"only the first {len(data)} bytes were read (the file is larger)"] if truncated else []
        cover = self._cover(data, offsets, rec0, exth, options, warnings) if options.with_cover else None
        return build("mobi", 0.85, warnings=tuple(warnings), cover=cover, **values)

    @staticmethod
    def _texts(exth: dict[int, list[bytes]], rtype: int, encoding: str) -> list[str]:
        return [common.clean_text(v.decode(encoding, "replace"), 20_000) for v in exth.get(rtype, [])]

    def _values(self, rec0: bytes, exth: dict[int, list[bytes]], encoding: str) -> dict[str, object]:
        text = lambda t: next(iter(self._texts(exth, t, encoding)), "")  # noqa: E731
        name_off, name_len = struct.unpack_from(">II", rec0, 0x54)
        full_name = (
            rec0[name_off : name_off + name_len].decode(encoding, "replace") if name_len < 4096 else ""
        )
        isbn13 = next(
            (common.isbn_from(v) for v in self._texts(exth, 104, encoding) if common.isbn_from(v)), ""
        )
        asin = next((a for a in (text(113), text(504)) if _ASIN.fullmatch(a)), "")  # calibre puts UUIDs here
        published, year = common.parse_date(text(106))
        identifiers = tuple(x for x in (("isbn13", isbn13), ("asin", asin)) if x[1])
        people = tuple(Person(name=a, role="author") for a in self._texts(exth, 100, encoding) if a)
        return {
            "title": text(503) or common.clean_text(full_name),
            "people": people,
            "publisher": text(101),
            "description": common.strip_html(text(103)),
            "isbn13": isbn13,
            "identifiers": identifiers,
            "language": common.language_code(text(524)),
            "published": published,
            "year": year,
            "subjects": tuple(s for s in self._texts(exth, 105, encoding) if s),
        }

    @staticmethod
    def _cover(
        data: bytes,
        offsets: list[int],
        rec0: bytes,
        exth: dict[int, list[bytes]],
        options: ExtractOptions,
        warnings: list[str],
    ) -> Cover | None:
        first_image = struct.unpack_from(">I", rec0, 0x6C)[0] if len(rec0) >= 0x70 else _NO_IMAGE
        for rtype in (201, 202):  # cover offset, then thumbnail offset
            raw = exth.get(rtype, [b""])[0]
            if len(raw) != 4 or first_image == _NO_IMAGE:
                continue
            (offset,) = struct.unpack(">I", raw)
            if offset == _NO_IMAGE:
                continue
            try:
                image = _record(data, offsets, first_image + offset)
            except ExtractionError as exc:
                warnings.append(f"cover record unreadable: {exc.reason}")
                continue
            media_type = image_media_type(image)
            if media_type and len(image) <= options.max_cover_bytes:
                return Cover(image, media_type)
        return None
