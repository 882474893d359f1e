"""An item's external ids as people read them: a label for the scheme ("ISBN-13", "ASIN") and,
where the id has a public page, its address. Pure: no ORM, no settings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

LABELS = {
    "isbn13": "ISBN-13",
    "isbn10": "ISBN-10",
    "isbn": "ISBN",
    "asin": "ASIN",
    "amazon": "Amazon",
    "openlibrary": "Open Library",
    "openlibrary_work": "Open Library work",
    "google": "Google Books",
    "goodreads": "Goodreads",
    "librarything": "LibraryThing",
    "isfdb": "ISFDB",
    "comicvine": "Comic Vine",
    "comicvine_volume": "Comic Vine volume",
    "uuid": "UUID",
    "calibre": "calibre",
}
OPEN_LIBRARY_KINDS = {"W": "works", "M": "books", "A": "authors"}
COMIC_VINE_KINDS = {"4000": "issue", "4050": "volume"}


@dataclass(frozen=True)
class ShownIdentifier:
    scheme: str
    label: str
    value: str
    url: str | None


def _open_library(value: str) -> str | None:
    match = re.fullmatch(r"OL\d+([WMA])", value)
    return f"https://openlibrary.org/{OPEN_LIBRARY_KINDS[match.group(1)]}/{value}" if match else None


def _comic_vine(value: str) -> str | None:
    match = re.fullmatch(r"(4000|4050)-\d+", value)
    return f"https://comicvine.gamespot.com/{COMIC_VINE_KINDS[match.group(1)]}/{value}/" if match else None


def _isbn(value: str) -> str | None:
    digits = value.replace("-", "").replace(" ", "")
    return f"https://openlibrary.org/isbn/{digits}" if re.fullmatch(r"\d{9}[\dXx]|\d{13}", digits) else None


LINKS = {
    "isbn13": _isbn,
    "isbn10": _isbn,
    "isbn": _isbn,
    "asin": lambda v: f"https://www.amazon.com/dp/{quote(v, safe='')}" if re.fullmatch(r"[A-Z0-9]{10}", v) else None,
    "amazon": lambda v: f"https://www.amazon.com/dp/{quote(v, safe='')}" if re.fullmatch(r"[A-Z0-9]{10}", v) else None,
    "openlibrary": _open_library,
    "openlibrary_work": _open_library,
    "google": lambda v: f"https://books.google.com/books?id={quote(v, safe='')}" if v else None,
    "goodreads": lambda v: f"https://www.goodreads.com/book/show/{v}" if v.isdigit() else None,
    "librarything": lambda v: f"https://www.librarything.com/work/{v}" if v.isdigit() else None,
    "isfdb": lambda v: f"https://www.isfdb.org/cgi-bin/pl.cgi?{v}" if v.isdigit() else None,
    "comicvine": _comic_vine,
    "comicvine_volume": _comic_vine,
}


def shown_identifier(scheme: str, value: str) -> ShownIdentifier:
    """The label and public address of one id (None where no public page exists or the value
    does not look like that scheme's ids: a malformed id never becomes a link)."""
    key = scheme.strip().lower()
    value = value.strip()
    link = LINKS.get(key)
    return ShownIdentifier(
        scheme=key,
        label=LABELS.get(key, scheme.replace("_", " ")),
        value=value,
        url=link(value) if link and value else None,
    )
