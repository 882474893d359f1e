"""ISBN-10/13 validation and conversion (checksums per ISO 2108)."""

from __future__ import annotations

import re

_NOT_ISBN_CHARS = re.compile(r"[^0-9Xx]")
_ISBN10 = re.compile(r"\d{9}[\dX]")
_ISBN13 = re.compile(r"97[89]\d{10}")


def clean(raw: str) -> str:
    """Keep digits and X: 'ISBN 978-0-316-03057-1' -> '9780316030571'."""
    value = raw.strip()
    if value.lower().startswith(("isbn", "urn:isbn:")):
        value = value.split(":", 1)[-1] if value.lower().startswith("urn") else value[4:]
    return _NOT_ISBN_CHARS.sub("", value).upper()


def is_valid_isbn10(value: str) -> bool:
    if not _ISBN10.fullmatch(value):
        return False
    total = sum((10 - i) * (10 if ch == "X" else int(ch)) for i, ch in enumerate(value))
    return total % 11 == 0


def _isbn13_check_digit(first12: str) -> str:
    total = sum(map(int, first12[0::2])) + 3 * sum(map(int, first12[1::2]))  # weights 1, 3, 1, 3...
    return str((10 - total % 10) % 10)


def is_valid_isbn13(value: str) -> bool:
    return bool(_ISBN13.fullmatch(value)) and _isbn13_check_digit(value[:12]) == value[12]


def to_isbn13(raw: str) -> str | None:
    """A valid ISBN-10 or -13 in any spelling -> ISBN-13; anything else -> None."""
    value = clean(raw)
    if len(value) == 13 and is_valid_isbn13(value):
        return value
    if len(value) == 10 and is_valid_isbn10(value):
        body = "978" + value[:9]
        return body + _isbn13_check_digit(body)
    return None


def to_isbn10(raw: str) -> str | None:
    value = to_isbn13(raw)
    if value is None or not value.startswith("978"):
        return None
    body = value[3:12]
    total = sum((10 - i) * int(ch) for i, ch in enumerate(body))
    check = (11 - total % 11) % 11
    return body + ("X" if check == 10 else str(check))
