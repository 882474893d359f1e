"""A calibre library read as a trusted source: the curated metadata of its `metadata.db`
(title, authors and their sort names, series, tags, identifiers, publisher, date, rating,
comments, languages), keyed by the path of every book file, matched by calibre's own layout
(`<library>/<books.path>/<data.name>.<format>`).

Read only, and never written: the database is opened with SQLite's `mode=ro` (a read-only
connection creates no journal). calibre keeps a rollback journal; a library switched to WAL
is copied to a private folder first, since a read-only WAL reader would create `-shm` and
`-wal` files beside it. The whole library is read with one query per table, once per scan.
Pure adapter: no ORM, no settings."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from core.files import open_regular
from scanning.extractors import common
from scanning.extractors.base import ExtractedMetadata, Person, build, merge, without

DB_NAME = "metadata.db"
SOURCE = "calibre"
CONFIDENCE = 0.98  # above a sidecar metadata.opf (0.95): the user's own edits
# What calibre manages for a book: when a book is in the library, its values for these fields
# are the user's, even when empty (a tag removed in calibre must not come back from the file).
CURATED_FIELDS = (
    "title",
    "people",
    "series",
    "series_index",
    "language",
    "publisher",
    "published",
    "year",
    "description",
    "subjects",
    "identifiers",
    "isbn13",
    "rating",
)
_SQLITE_MAGIC = b"SQLite format 3\x00"
_WAL_VERSION = 2  # header bytes 18-19: 1 is a rollback journal, 2 is WAL
_BOOK_FOLDER = re.compile(r" \(\d+\)$")  # calibre's "Title (id)"
_SCHEMES = {"isbn": "isbn13", "amazon": "asin", "asin": "asin", "mobi-asin": "asin"}


class CalibreError(Exception):
    """The library cannot be read (corrupt, locked, not a calibre database)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CalibreLibrary:
    """A library's rows, read at once; a file's metadata is made when the scan asks for it
    (a rescan asks only for the files that changed)."""

    def __init__(self, root: str, books: dict[int, tuple], tables: dict[str, dict[int, Any]]) -> None:
        self.root = root
        self._books = books  # id -> (title, pubdate, series_index, author_sort, path, uuid)
        self._tables = tables
        self.files = {path: book for book, path in _file_paths(root, books, tables.pop("files"))}

    def metadata(self, path: str) -> ExtractedMetadata | None:
        """What calibre says about the book file at `path` (None for a file not in the library)."""
        book = self.files.get(path)
        return None if book is None else _book(book, self._books[book], self._tables)


def is_library(folder: str) -> bool:
    return os.path.isfile(os.path.join(folder, DB_NAME))


def is_book_folder(folder: str) -> bool:
    """Whether a folder is a book folder of a calibre library (`<library>/Author/Title (id)/`)."""
    folder = os.path.normpath(folder)
    return bool(_BOOK_FOLDER.search(os.path.basename(folder))) and is_library(os.path.dirname(os.path.dirname(folder)))


def in_book_folder(path: str) -> bool:
    """Whether a file lies in a book folder of a calibre library."""
    return is_book_folder(os.path.dirname(path))


def curated(calibre: ExtractedMetadata, *others: ExtractedMetadata) -> ExtractedMetadata:
    """The calibre layer merged over the others. Their values of the fields calibre gives lose
    to calibre's (whose confidence is above every other layer's) and stay as what they said;
    of the fields calibre manages but leaves empty they keep nothing, since an empty value is
    the user's too. What calibre does not manage (page count, cover, duration...) is theirs."""
    left_empty = tuple(name for name in CURATED_FIELDS if getattr(calibre, name) in (None, "", ()))
    return merge(calibre, *(without(meta, left_empty) for meta in others))


def match_key(meta: ExtractedMetadata, kind: str) -> str:
    """One item per calibre book (and kind): two books calibre keeps apart (say, two editions
    with one title and author) stay apart. '' for a book without its calibre id."""
    uuid = next((value for scheme, value in meta.identifiers if scheme == "calibre"), "")
    return f"calibre:{kind}:{uuid}" if uuid else ""


def read_library(root: str, *, lock_wait_seconds: float = 5.0) -> CalibreLibrary:
    """The library at `root`, read with one query per table. Raises CalibreError."""
    try:
        with _read_only(os.path.join(root, DB_NAME), lock_wait_seconds) as db:
            db.execute("BEGIN")  # one snapshot for every query (calibre may be writing)
            books = {row[0]: row[1:] for row in db.execute(_BOOKS)}
            tables = {name: _rows(db, sql, many=name in _MANY) for name, sql in _QUERIES.items()}
    except sqlite3.DatabaseError as exc:
        raise CalibreError(_explain(exc)) from exc
    except OSError as exc:
        raise CalibreError(f"cannot read {DB_NAME}: {exc.strerror or exc}") from exc
    return CalibreLibrary(root, books, tables)


def _explain(exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return f"{DB_NAME} is locked by another program (is calibre saving?): {text}"
    if "no such table" in text or "no such column" in text:
        return f"{DB_NAME} is not a calibre library: {text}"
    return f"{DB_NAME} is damaged: {text}"


@contextmanager
def _read_only(path: str, lock_wait_seconds: float) -> Iterator[sqlite3.Connection]:
    with open_regular(path) as handle:  # a FIFO named metadata.db is refused, not waited on
        header = handle.read(100)
    if not header.startswith(_SQLITE_MAGIC) or len(header) < 100:
        raise sqlite3.DatabaseError("file is not a database")
    if _WAL_VERSION in (header[18], header[19]):
        with (
            tempfile.TemporaryDirectory(prefix="omni-calibre-") as private,
            closing(_open(_private_copy(path, private), lock_wait_seconds)) as db,
        ):
            yield db
        return
    with closing(_open(path, lock_wait_seconds)) as db:
        yield db


def _open(path: str, lock_wait_seconds: float) -> sqlite3.Connection:
    db = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True, timeout=lock_wait_seconds, isolation_level=None)
    db.execute("PRAGMA query_only = 1")
    return db


def _private_copy(path: str, folder: str) -> str:
    """A WAL library's database (and its log, when there is one) copied to `folder`."""
    copy = os.path.join(folder, DB_NAME)
    for suffix in ("", "-wal"):
        if os.path.exists(path + suffix):
            shutil.copyfile(path + suffix, copy + suffix)
    return copy


_BOOKS = "SELECT id, title, pubdate, series_index, author_sort, path, uuid FROM books"
_LINKED = "SELECT l.book, {value} FROM books_{table}_link l JOIN {table} t ON t.id = l.{column}"
# book id first; a list per book for the tables named in _MANY, else the first row's value
_QUERIES = {
    "authors": _LINKED.format(value="t.name, t.sort", table="authors", column="author") + " ORDER BY l.id",
    "series": _LINKED.format(value="t.name", table="series", column="series"),
    "tags": _LINKED.format(value="t.name", table="tags", column="tag") + " ORDER BY t.name",
    "identifiers": "SELECT book, type, val FROM identifiers ORDER BY id",
    "publisher": _LINKED.format(value="t.name", table="publishers", column="publisher"),
    "rating": _LINKED.format(value="t.rating", table="ratings", column="rating"),
    "comments": "SELECT book, text FROM comments",
    "language": _LINKED.format(value="t.lang_code", table="languages", column="lang_code") + " ORDER BY l.item_order",
    "files": "SELECT book, format, name FROM data",
}
_MANY = frozenset({"authors", "tags", "identifiers", "files"})


def _rows(db: sqlite3.Connection, sql: str, *, many: bool) -> dict[int, Any]:
    found: dict[int, Any] = defaultdict(list) if many else {}
    for book, *values in db.execute(sql):
        value = values[0] if len(values) == 1 else tuple(values)
        if many:
            found[book].append(value)
        else:
            found.setdefault(book, value)
    return found


def _file_paths(root: str, books: dict[int, tuple], files: dict[int, list]) -> Iterator[tuple[int, str]]:
    """calibre's layout: `<library>/<books.path>/<data.name>.<format in lower case>`."""
    for book, formats in files.items():
        if book in books:
            folder = os.path.join(root, *str(books[book][4]).split("/"))
            for fmt, name in formats:
                yield book, os.path.join(folder, f"{name}.{str(fmt).lower()}")


def _book(book: int, row: tuple, tables: dict[str, dict[int, Any]]) -> ExtractedMetadata:
    title, pubdate, index, author_sort, _, uuid = row
    identifiers, isbn13 = _identifiers(tables["identifiers"].get(book, ()), uuid)
    series = str(tables["series"].get(book) or "")
    published, year = _published(pubdate)
    rating = tables["rating"].get(book)
    return build(
        SOURCE,
        CONFIDENCE,
        title=common.clean_text(title),
        people=_people(tables["authors"].get(book, ()), author_sort or ""),
        series=series,
        series_index=float(index) if series and index is not None else None,
        language=common.language_code(str(tables["language"].get(book) or "")),
        publisher=str(tables["publisher"].get(book) or ""),
        published=published,
        year=year,
        description=common.strip_html(str(tables["comments"].get(book) or "")),
        subjects=tuple(tables["tags"].get(book, ())),
        identifiers=identifiers,
        isbn13=isbn13,
        rating=int(rating) if rating else None,
    )


def _people(authors: list[tuple], author_sort: str) -> tuple[Person, ...]:
    """calibre stores a comma in an author's name as '|'. The book's own author sort (one
    sort per author, joined with ' & ') is what the user edits; the author's sort otherwise."""
    sorts = [part.strip() for part in author_sort.split(" & ")]
    if len(sorts) != len(authors):
        sorts = [sort or "" for _, sort in authors]
    return tuple(
        Person(name=str(name).replace("|", ","), file_as=sort.replace("|", ","))
        for (name, _), sort in zip(authors, sorts, strict=True)
    )


def _identifiers(rows: list[tuple] | tuple, uuid: str | None) -> tuple[tuple[tuple[str, str], ...], str]:
    found: list[tuple[str, str]] = []
    isbn13 = ""
    for kind, value in rows:
        scheme = _SCHEMES.get(str(kind).lower(), str(kind).lower())
        if scheme == "isbn13":
            value = common.isbn_from(str(value))
            isbn13 = isbn13 or value
        if value:
            found.append((scheme[:32], str(value)))
    if uuid:
        found.append(("calibre", uuid))
    return tuple(dict.fromkeys(found)), isbn13


def _published(raw: object) -> tuple[str, int | None]:
    """calibre stores a date as the UTC instant of local midnight ('2015-04-26 22:00:00+00:00'
    is 27 April in Paris): the nearest midnight gives the day the user typed. calibre's
    'undefined' date (year 101) gives nothing."""
    try:
        moment = datetime.fromisoformat(str(raw))
    except ValueError:
        return common.parse_date(str(raw or ""))
    return common.parse_date((moment + timedelta(hours=12)).date().isoformat())
