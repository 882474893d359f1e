"""Where an imported item goes in the library. One function (`library_relative_dir` /
`library_path`) so the integrator can switch it to the renamer's template engine
(`core/naming.py`, issue 5) without touching the pipeline.

Default layout: `Author Sort/Series/Title.ext` (ebooks), `Author Sort/Series/Title/NN - part.ext`
(audiobooks), `Series/Title.ext` (comics). Empty segments are dropped."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from processing.types import WantedItem

_RESERVED = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_SPACES = re.compile(r"\s+")
MAX_COMPONENT_BYTES = 200  # leaves room for suffixes like " (2)" and ".epub" under 255


def clean_component(value: str, *, fallback: str = "Unknown") -> str:
    """One safe path component: no separators or reserved characters, no leading/trailing
    dots or spaces, not '.'/'..', at most MAX_COMPONENT_BYTES of UTF-8."""
    text = unicodedata.normalize("NFC", value or "")
    text = _SPACES.sub(" ", _RESERVED.sub("_", text)).strip().strip(".").strip()
    encoded = text.encode("utf-8")
    if len(encoded) > MAX_COMPONENT_BYTES:
        text = encoded[:MAX_COMPONENT_BYTES].decode("utf-8", errors="ignore").rstrip(" .")
    return text if text and text not in (".", "..") else fallback


def _series_segment(item: WantedItem) -> str:
    return clean_component(item.series, fallback="") if item.series else ""


def library_relative_dir(item: WantedItem) -> Path:
    """The folder (relative to the library root) of the item's files."""
    author = clean_component(item.author_sorts[0] if item.author_sorts else "", fallback="Unknown Author")
    series = _series_segment(item)
    title = clean_component(item.title, fallback="Untitled")
    if item.kind == "comic":
        return Path(series or title)
    segments = [author, series] if series else [author]
    if item.kind == "audiobook":
        segments.append(title)
    return Path(*segments)


def book_stem(item: WantedItem) -> str:
    title = clean_component(item.title, fallback="Untitled")
    if item.kind == "comic" and item.issue_number:
        return clean_component(f"{item.series or item.title} #{item.issue_number}")
    return title


def library_path(item: WantedItem, ext: str) -> Path:
    """Relative path of a single-file item, e.g. 'Le Guin, Ursula K./Earthsea/A Wizard of Earthsea.epub'."""
    return library_relative_dir(item) / f"{book_stem(item)}.{ext.lower()}"


def part_name(part: int, total: int, original: Path) -> str:
    """Audiobook parts keep their order in the file name: '01 - Chapter One.mp3'."""
    width = max(2, len(str(total)))
    stem = clean_component(original.stem, fallback="part")
    return f"{part:0{width}d} - {stem}{original.suffix.lower()}"
