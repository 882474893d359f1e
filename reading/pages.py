"""Comic pages one by one, without extracting the archive: the page list of a CBZ/CBR (images in
natural order, as the scan counts them) and the bytes of one page. Archive limits and unsafe
member names are handled by the scan's readers (SafeZip, the RAR reader's caps)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scanning.extractors.base import ExtractionError, ExtractOptions
from scanning.extractors.comic import _pick, _rar_read, configure_rar_backend
from scanning.extractors.safety import SafeZip, image_media_type, is_safe_member_name, open_book

OPTIONS = ExtractOptions(with_cover=False)
ZIP_FORMATS = frozenset({"cbz", "zip"})
RAR_FORMATS = frozenset({"cbr", "rar"})
PAGED_FORMATS = ZIP_FORMATS | RAR_FORMATS


@dataclass(frozen=True)
class Page:
    data: bytes
    media_type: str


def _format(path: Path) -> str:
    return path.suffix.lower().lstrip(".")


def page_names(path: Path) -> list[str]:
    fmt = _format(path)
    if fmt in ZIP_FORMATS:
        with SafeZip(path, OPTIONS) as zf:
            return _pick(zf.names())[1]
    if fmt in RAR_FORMATS:
        return _rar_pages(path, None)[0]
    raise ExtractionError(f"{fmt or 'this file'} has no pages to stream")


def read_page(path: Path, number: int) -> Page:
    """Page `number` (1-based). IndexError when there is no such page."""
    if number < 1:
        raise IndexError(number)
    fmt = _format(path)
    if fmt in ZIP_FORMATS:
        with SafeZip(path, OPTIONS) as zf:
            names = _pick(zf.names())[1]
            if number > len(names):
                raise IndexError(number)
            data = zf.read(names[number - 1])
    elif fmt in RAR_FORMATS:
        names, data = _rar_pages(path, number)
        if data is None:
            raise IndexError(number)
    else:
        raise ExtractionError(f"{fmt or 'this file'} has no pages to stream")
    return Page(data, image_media_type(data) or "application/octet-stream")


def _rar_pages(path: Path, number: int | None) -> tuple[list[str], bytes | None]:
    import rarfile

    with open_book(path) as handle:
        configure_rar_backend()
        try:
            with rarfile.RarFile(handle) as rf:
                safe = {i.filename: i for i in rf.infolist() if not i.is_dir() and is_safe_member_name(i.filename)}
                names = _pick(list(safe))[1]
                if number is None or number > len(names):
                    return names, None
                return names, _rar_read(rf, safe[names[number - 1]], OPTIONS.max_member_bytes)
        except (rarfile.Error, OSError) as exc:
            raise ExtractionError(f"not a readable RAR archive: {exc}") from exc
