"""Reading-list CSV files: decoding, format detection from the header, and one `ListRow`
per line. Pure: no database, nothing executed.

Formats (the services' public export columns):
- Goodreads "Export Library": Book Id, Title, Author, Author l-f, Additional Authors, ISBN,
  ISBN13, My Rating, ..., Bookshelves, Bookshelves with positions, Exclusive Shelf, ...;
  ISBNs are written as spreadsheet text formulas, ="0765331969" (unwrapped here, never run).
- StoryGraph export: Title, Authors, Contributors, ISBN/UID, Format, Read Status, Date Added,
  ..., Tags, Owned?; ISBN/UID holds an ISBN or another id (an ASIN for Kindle editions).
- Plain: title (required), author or authors, isbn (optional), shelf or status (optional).

Hardening: a size limit (checked by the caller before reading), UTF-8 with or without a BOM,
UTF-16 with a BOM, else Windows-1252 with a warning; NUL bytes refused; the csv module's
field-size limit turns a huge field into a clear error; every value is cut to a sane length;
a title or author that looks like a spreadsheet formula (=, +, @, -digit, tab) is skipped,
never stored, so an exported report cannot carry it into a spreadsheet."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field

from core import isbn as isbn_tools
from core.errors import InvalidInput
from core.text import comparison_key

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_FIELD_CHARS = 100_000  # the csv module's own limit is 131072: larger fields are an error
_CUT = {"title": 500, "author": 255, "shelf": 100}
_FORMULA = re.compile(r"^(?:[=+@\t\r]|-[\d(=+])")
_GOODREADS_TEXT = re.compile(r'^="(.*)"$', re.S)
_ASIN = re.compile(r"^[A-Z0-9]{10}$")


class Format:
    GOODREADS = "goodreads"
    STORYGRAPH = "storygraph"
    PLAIN = "plain"


FORMAT_LABELS = {Format.GOODREADS: "Goodreads export", Format.STORYGRAPH: "StoryGraph export",
                 Format.PLAIN: "Plain list (title, author, isbn)"}
# What becomes wanted unless the user chooses otherwise: the to-read shelf; a plain list whole.
DEFAULT_SHELVES = {Format.GOODREADS: ("to-read",), Format.STORYGRAPH: ("to-read",), Format.PLAIN: ()}
NO_SHELF = ""  # a plain list without a shelf column: its rows are on this (unnamed) shelf

GOODREADS_REQUIRED = {"Book Id", "Title", "Author", "Exclusive Shelf"}
STORYGRAPH_REQUIRED = {"Title", "Authors", "ISBN/UID", "Read Status"}


@dataclass(frozen=True)
class ListRow:
    number: int  # line of the data, 1 = the first row after the header
    key: str  # what makes the row the same in a later import of the same list
    title: str
    authors: tuple[str, ...] = ()
    isbn13: str = ""
    asin: str = ""
    shelves: tuple[str, ...] = ()
    year: int | None = None
    problem: str = ""  # why the row cannot be used (then it is skipped with this reason)
    note: str = ""  # something the report should say (an ISBN that was not valid)

    @property
    def author(self) -> str:
        return self.authors[0] if self.authors else ""


@dataclass
class ParsedList:
    format: str
    rows: list[ListRow]
    header: list[str]
    warnings: list[str] = field(default_factory=list)

    def shelf_counts(self) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for row in self.rows:
            counts.update(set(row.shelves) or {NO_SHELF})
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def decode(data: bytes) -> tuple[str, list[str]]:
    """The text of an uploaded file and any warning about its encoding."""
    if len(data) > MAX_BYTES:
        raise InvalidInput(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB",
                           hint="Split the list into several files.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, warnings = data.decode("utf-16", errors="replace"), []
    else:
        try:
            text, warnings = data.decode("utf-8-sig"), []
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
            warnings = ["The file is not UTF-8: it was read as Windows-1252; check accented names."]
    if "\x00" in text:
        raise InvalidInput("The file contains NUL bytes: it is not a CSV text file",
                           hint="Upload the .csv file the service exported.")
    if not text.strip():
        raise InvalidInput("The file is empty")
    return text.lstrip("\ufeff"), warnings


def detect(header: list[str]) -> str:
    names = {h.strip() for h in header}
    if names >= GOODREADS_REQUIRED:
        return Format.GOODREADS
    if names >= STORYGRAPH_REQUIRED:
        return Format.STORYGRAPH
    lowered = {h.lower() for h in names}
    if "title" in lowered and lowered & {"author", "authors", "isbn"}:
        return Format.PLAIN
    raise InvalidInput(
        "The header is not one of a Goodreads export, a StoryGraph export or a plain title,author,isbn list",
        hint="Goodreads: My Books > Import and export > Export Library. StoryGraph: Manage Account > "
        "Export StoryGraph Library. Or a file whose first line is title,author,isbn.",
        details={"header": [h[:60] for h in header[:30]]},
    )


def parse(data: bytes) -> ParsedList:
    """Decode, detect the format, and read every row (at most MAX_ROWS)."""
    text, warnings = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    try:
        header = [h.strip() for h in next(reader, [])]
        fmt = detect(header)
        rows = []
        for number, values in enumerate(reader, start=1):
            if number > MAX_ROWS:
                raise InvalidInput(f"The list has more than {MAX_ROWS} rows", hint="Split it into several files.")
            if not any(v.strip() for v in values):
                continue
            rows.append(_row(fmt, number, dict(zip(header, values, strict=False))))
    except csv.Error as exc:
        raise InvalidInput(f"The CSV cannot be read near line {reader.line_num}: {exc}",
                           hint="A field may be larger than 100 KB or a quote is not closed.") from exc
    return ParsedList(fmt, rows, header, warnings)


def _value(fields: dict[str, str], *names: str, limit: int = 500) -> str:
    lowered = {k.lower(): v for k, v in fields.items() if k}
    for name in names:
        value = fields.get(name)
        if value is None:
            value = lowered.get(name.lower())
        if value is not None:
            return " ".join(str(value).split())[:limit]
    return ""


def _unwrap(value: str) -> str:
    """Goodreads' ="0765331969" -> 0765331969 (read as text, never evaluated)."""
    found = _GOODREADS_TEXT.match(value.strip())
    return found.group(1) if found else value.strip()


def _names(raw: str) -> tuple[str, ...]:
    parts = [p.strip() for p in re.split(r"[,;&]| and ", raw) if p.strip()]
    return tuple(p[: _CUT["author"]] for p in dict.fromkeys(parts))


def _year(raw: str) -> int | None:
    found = re.search(r"\b(\d{4})\b", raw)
    return int(found.group(1)) if found and 1000 <= int(found.group(1)) <= 2100 else None


def _text_key(title: str, authors: tuple[str, ...]) -> str:
    return "t:" + comparison_key(title)[:200] + "|" + comparison_key(authors[0] if authors else "")[:100]


def _row(fmt: str, number: int, fields: dict[str, str]) -> ListRow:
    if fmt == Format.GOODREADS:
        return _goodreads(number, fields)
    if fmt == Format.STORYGRAPH:
        return _storygraph(number, fields)
    return _plain(number, fields)


def _checked(row: ListRow) -> ListRow:
    problem = row.problem
    if not row.title:
        problem = problem or "no title"
    elif _FORMULA.match(row.title) or any(_FORMULA.match(a) for a in row.authors):
        problem = "the title or author looks like a spreadsheet formula"
    if problem == row.problem:
        return row
    return ListRow(row.number, row.key, row.title, row.authors, row.isbn13, row.asin, row.shelves, row.year, problem,
                   row.note)


def _goodreads(number: int, f: dict[str, str]) -> ListRow:
    title = _value(f, "Title", limit=_CUT["title"])
    authors = _names(", ".join(x for x in (_value(f, "Author"), _value(f, "Additional Authors", limit=1000)) if x))
    isbn13 = isbn_tools.to_isbn13(_unwrap(_value(f, "ISBN13"))) or isbn_tools.to_isbn13(_unwrap(_value(f, "ISBN")))
    exclusive = _value(f, "Exclusive Shelf", limit=_CUT["shelf"]).lower()
    shelves = [s.strip().lower()[: _CUT["shelf"]] for s in _value(f, "Bookshelves", limit=2000).split(",")]
    book_id = _value(f, "Book Id", limit=40)
    key = f"gr:{book_id}" if book_id.isdigit() else (f"isbn:{isbn13}" if isbn13 else _text_key(title, authors))
    year = _year(_value(f, "Original Publication Year")) or _year(_value(f, "Year Published"))
    return _checked(ListRow(number, key, title, authors, isbn13 or "", "",
                            tuple(dict.fromkeys(s for s in [exclusive, *shelves] if s)), year))


def _storygraph(number: int, f: dict[str, str]) -> ListRow:
    title = _value(f, "Title", limit=_CUT["title"])
    authors = _names(_value(f, "Authors", limit=1000))
    uid = _unwrap(_value(f, "ISBN/UID", limit=40))
    isbn13 = isbn_tools.to_isbn13(uid) or ""
    asin = uid.upper() if not isbn13 and _ASIN.match(uid.upper()) else ""
    status = _value(f, "Read Status", limit=_CUT["shelf"]).lower()
    tags = [t.strip().lower()[: _CUT["shelf"]] for t in _value(f, "Tags", limit=2000).split(",")]
    key = f"isbn:{isbn13}" if isbn13 else (f"uid:{uid[:40]}" if uid else _text_key(title, authors))
    return _checked(ListRow(number, key, title, authors, isbn13, asin,
                            tuple(dict.fromkeys(s for s in [status, *tags] if s))))


def _plain(number: int, f: dict[str, str]) -> ListRow:
    title = _value(f, "title", limit=_CUT["title"])
    authors = _names(_value(f, "author", "authors", limit=1000))
    raw_isbn = _unwrap(_value(f, "isbn", "isbn13", limit=40))
    isbn13 = isbn_tools.to_isbn13(raw_isbn) if raw_isbn else None
    shelf = _value(f, "shelf", "status", limit=_CUT["shelf"]).lower()
    key = f"isbn:{isbn13}" if isbn13 else _text_key(title, authors)
    note = f"{raw_isbn[:20]!r} is not a valid ISBN: matched by title and author" if raw_isbn and not isbn13 else ""
    return _checked(ListRow(number, key, title, authors, isbn13 or "", "", (shelf,) if shelf else (),
                            _year(_value(f, "year")), note=note))
