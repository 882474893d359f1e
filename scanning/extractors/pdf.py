"""PDF: the Info dictionary and XMP (Dublin Core), page count, and a cover rendered from
the first page with poppler's `pdftoppm` when it is installed."""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path
from typing import BinaryIO

from scanning.extractors import common
from scanning.extractors.base import Cover, ExtractedMetadata, ExtractionError, ExtractOptions, Person, build
from scanning.extractors.safety import open_book

logger = logging.getLogger(__name__)
_JUNK_TITLES = ("untitled", "microsoft word", "title", "document")


def _info(reader) -> dict[str, str]:
    try:
        info = reader.metadata or {}
        return {str(k): str(v) for k, v in info.items() if isinstance(v, str | bytes) or hasattr(v, "strip")}
    except Exception as exc:  # broken Info dictionaries are common
        logger.debug("PDF Info unreadable: %s", exc)
        return {}


def _xmp(reader) -> dict[str, object]:
    try:
        xmp = reader.xmp_metadata
    except Exception:
        return {}
    if xmp is None:
        return {}
    out: dict[str, object] = {}
    for attr, key in (
        ("dc_title", "title"),
        ("dc_creator", "creators"),
        ("dc_language", "language"),
        ("dc_publisher", "publisher"),
        ("dc_description", "description"),
        ("dc_date", "date"),
        ("dc_identifier", "identifier"),
    ):
        try:
            out[key] = getattr(xmp, attr)
        except Exception:  # malformed XMP: skip the field
            continue
    return out


def _alt(value: object) -> str:
    if isinstance(value, dict):
        return str(value.get("x-default") or next(iter(value.values()), ""))
    if isinstance(value, list | tuple):
        return str(value[0]) if value else ""
    return str(value or "")


def _render_first_page(handle: BinaryIO, options: ExtractOptions, warnings: list[str]) -> Cover | None:
    """pdftoppm reads the open file on its standard input: the very file checked to be regular."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        warnings.append("no cover: pdftoppm (poppler-utils) is not installed")
        return None
    try:
        handle.seek(0)
        done = subprocess.run(
            [tool, "-f", "1", "-l", "1", "-scale-to", "800", "-jpeg", "-q", "-"],
            stdin=handle,
            capture_output=True,
            timeout=options.tool_timeout_seconds,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        warnings.append(f"no cover: pdftoppm failed ({exc})")
        return None
    if done.returncode != 0 or not done.stdout.startswith(b"\xff\xd8"):
        warnings.append("no cover: pdftoppm could not render the first page")
        return None
    return Cover(done.stdout, "image/jpeg")


def _title_and_people(info: dict[str, str], xmp: dict[str, object]) -> tuple[str, tuple[Person, ...]]:
    """XMP first, then the Info dictionary; word-processor placeholders are not titles."""
    title = common.clean_text(_alt(xmp.get("title")) or info.get("/Title", ""))
    if title.lower().startswith(_JUNK_TITLES) or title.lower().endswith((".doc", ".docx", ".pdf")):
        title = ""
    creators = xmp.get("creators") or [
        a.strip() for a in info.get("/Author", "").replace(";", "&").split("&")
    ]
    people = tuple(Person(common.clean_text(str(n))) for n in creators if str(n).strip())  # type: ignore
    return title, people


class PdfExtractor:
    name = "pdf"
    extensions = frozenset({".pdf"})
    kind = "ebook"

    def extract(self, path: Path, options: ExtractOptions) -> ExtractedMetadata:
        with open_book(path) as handle:  # read as it is needed (a path would be read whole)
            return self._extract(handle, options)

    def _extract(self, handle: BinaryIO, options: ExtractOptions) -> ExtractedMetadata:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        try:
            reader = PdfReader(handle, strict=False)
            pages = len(reader.pages)
        except (PdfReadError, OSError, ValueError, KeyError, TypeError) as exc:
            raise ExtractionError(f"not a readable PDF: {exc}") from exc
        info, xmp = _info(reader), _xmp(reader)
        warnings: list[str] = []
        title, people = _title_and_people(info, xmp)
        published, year = common.parse_date(str(_alt(xmp.get("date"))) or info.get("/CreationDate", "")[2:6])
        isbn13 = next(
            (common.isbn_from(str(i)) for i in (xmp.get("identifier") or []) if common.isbn_from(str(i))), ""
        )
        cover = (
            _render_first_page(handle, options, warnings)
            if options.with_cover and options.render_pdf_cover
            else None
        )
        return build(
            "pdf",
            0.6,
            warnings=tuple(warnings),
            overrides={"page_count": 1.0, "cover": 0.5},
            title=title,
            people=people,
            language=common.language_code(_alt(xmp.get("language"))),
            publisher=common.clean_text(_alt(xmp.get("publisher"))),
            description=common.strip_html(_alt(xmp.get("description")) or info.get("/Subject", "")),
            published=published,
            year=year,
            page_count=pages,
            isbn13=isbn13,
            identifiers=(("isbn13", isbn13),) if isbn13 else (),
            cover=cover,
        )
