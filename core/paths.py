"""Safe file names and paths: clean values before they reach a template, legalise each
path component (reserved and control characters, trailing dots and spaces, Windows
device names, 255 bytes in UTF-8 keeping the extension), NFC, case-insensitive
collision keys, numeric suffixes and a join that never leaves its root.

Pure functions: no ORM, no settings."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from core.errors import InvalidInput

MAX_COMPONENT_BYTES = 255
MAX_PATH_BYTES = 4096
MAX_EXTENSION_BYTES = 16

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0080-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
_RESERVED = re.compile(r'[<>"|?*\\/]')
_COLON_SPACE = re.compile(r"\s*:\s+")
_SPACES = re.compile(r"\s+")
_WINDOWS_DEVICES = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}
_SUFFIXED = re.compile(r"^(?P<stem>.*?) \((?P<n>\d+)\)$")


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def clean_value(value: object) -> str:
    """A metadata value made fit to be placed inside one path component: NFC, no
    control characters, no path separators (a `/` in a title is not a folder), single
    spaces. Reserved characters are handled later by `legalize_component`."""
    if value is None:
        return ""
    text = re.sub(r"[\t\n\r\x0b\x0c\u2028\u2029]", " ", nfc(str(value)))
    text = _CONTROL.sub("", text)
    text = text.replace("/", "-").replace("\\", "-")
    return _SPACES.sub(" ", text).strip()


def split_extension(name: str) -> tuple[str, str]:
    """('Title', '.epub'); a leading dot or an implausibly long suffix is not an extension."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or not ext or len(ext.encode()) > MAX_EXTENSION_BYTES or " " in ext:
        return name, ""
    return stem, f".{ext}"


def truncate_utf8(text: str, max_bytes: int) -> str:
    """Cut `text` to at most `max_bytes` of UTF-8 without splitting a character or leaving
    a dangling combining mark."""
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    cut = encoded[: max(max_bytes, 0)].decode("utf-8", errors="ignore")
    while cut and unicodedata.combining(cut[-1]):
        cut = cut[:-1]
    return cut


def _replace_reserved(text: str) -> str:
    text = _COLON_SPACE.sub(" - ", text)  # "Title: Subtitle" -> "Title - Subtitle"
    text = text.replace(":", "-")
    return _RESERVED.sub("_", _CONTROL.sub("", text))


def legalize_component(
    name: str, *, keep_extension: bool = True, max_bytes: int = MAX_COMPONENT_BYTES
) -> str:
    """One file or folder name that every common filesystem accepts. Returns "" when
    nothing is left (the caller decides whether that is an error)."""
    text = _SPACES.sub(" ", _replace_reserved(nfc(name))).strip()
    stem, ext = split_extension(text) if keep_extension else (text, "")
    stem = stem.rstrip(". ").strip()
    ext = ext.rstrip(". ")
    if stem.split(".")[0].upper() in _WINDOWS_DEVICES:
        stem = f"_{stem}"
    if stem.startswith("."):
        stem = f"_{stem.lstrip('.')}"  # no hidden files, no "." or ".."
    if stem in {"", "_"}:
        return ""
    stem = truncate_utf8(stem, max_bytes - len(ext.encode("utf-8"))).rstrip(". ").strip()
    return f"{stem}{ext}" if stem else ""


def path_bytes(path: str | os.PathLike[str]) -> int:
    return len(os.fsencode(path))


def case_key(path: str | os.PathLike[str]) -> str:
    """Key under which two paths collide on a case-insensitive (and normalising) filesystem."""
    return unicodedata.normalize("NFC", os.fspath(path)).casefold()


def validate_relative(relative: str | os.PathLike[str]) -> PurePosixPath:
    """A relative path with no `..`, no absolute start, no empty or dot components."""
    text = os.fspath(relative).replace("\\", "/")
    if not text or text.startswith("/") or re.match(r"^[A-Za-z]:", text):
        raise InvalidInput(f"Not a relative path: {text!r}")
    parts = text.split("/")
    for part in parts:
        if part in {"", ".", ".."} or "\x00" in part:
            raise InvalidInput(f"Unsafe path component {part!r} in {text!r}")
    return PurePosixPath(*parts)


def safe_join(root: str | os.PathLike[str], relative: str | os.PathLike[str]) -> Path:
    """`root / relative`, guaranteed to stay inside `root` (also through symlinks that
    already exist)."""
    base = Path(root).resolve()
    joined = base.joinpath(*validate_relative(relative).parts)
    resolved = joined.resolve()
    if resolved != base and not resolved.is_relative_to(base):
        raise InvalidInput(f"Path {os.fspath(relative)!r} escapes the library root")
    if path_bytes(joined) > MAX_PATH_BYTES:
        raise InvalidInput(f"Path is longer than {MAX_PATH_BYTES} bytes", details={"path": str(joined)})
    return joined


def is_under(path: str, root: str) -> bool:
    """`path` is `root` or below it, as both are written (no symlink resolved, no I/O)."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def is_inside(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> bool:
    try:
        return Path(path).resolve().is_relative_to(Path(root).resolve())
    except (OSError, ValueError):
        return False


def with_suffix_number(path: Path, number: int) -> Path:
    """`Title.epub` -> `Title (2).epub`, still within 255 bytes."""
    stem, ext = split_extension(path.name)
    match = _SUFFIXED.match(stem)
    if match:
        stem = match.group("stem")
    tail = f" ({number}){ext}"
    stem = truncate_utf8(stem, MAX_COMPONENT_BYTES - len(tail.encode()))
    return path.with_name(f"{stem}{tail}")


def unique_path(path: Path, taken: Callable[[Path], bool], *, limit: int = 10_000) -> Path:
    """The first of `path`, `path (1)`, `path (2)`... for which `taken` is false."""
    if not taken(path):
        return path
    for number in range(1, limit):
        candidate = with_suffix_number(path, number)
        if not taken(candidate):
            return candidate
    raise InvalidInput(f"No free name for {path.name!r} after {limit} tries")
