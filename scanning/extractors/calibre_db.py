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
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

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


@dataclass(frozen=True)
class CalibreLibrary:
    root: str
    books: Mapping[str, ExtractedMetadata]  # absolute path of each book file -> its metadata


def is_library(folder: str) -> bool:
    return os.path.isfile(os.path.join(folder, DB_NAME))


def in_book_folder(path: str) -> bool:
    """Whether a file lies in a book folder of a calibre library (`<library>/Author/Title (id)/`)."""
    folder = os.path.dirname(path)
    return bool(_BOOK_FOLDER.search(os.path.basename(folder))) and is_library(os.path.dirname(os.path.dirname(folder)))


def curated(calibre: ExtractedMetadata, *others: ExtractedMetadata) -> ExtractedMetadata:
    """The calibre layer merged over the others, which keep only what calibre does not manage
    (page count, cover, duration...)."""
    return merge(calibre, *(without(meta, CURATED_FIELDS) for meta in others))


def match_key(meta: ExtractedMetadata, kind: str) -> str:
    """One item per calibre book (and kind): two books calibre keeps apart (say, two editions
    with one title and author) stay apart."""
    uuid = next((value for scheme, value in meta.identifiers if scheme == "calibre"), "")
    return f"calibre:{kind}:{uuid}"


def read_library(root: str, *, lock_wait_seconds: float = 5.0) -> CalibreLibrary:
    """Every book file of the library at `root` with its metadata. Raises CalibreError."""
    try:
        with _read_only(os.path.join(root, DB_NAME), lock_wait_seconds) as db:
            return CalibreLibrary(root, _books(db, root))
    except sqlite3.DatabaseError as exc:
        raise CalibreError(_explain(exc)) from exc
    except OSError as exc:
        raise CalibreError(f"cannot read {DB_NAME}: {exc.strerror or exc}") from exc


def _explain(exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return f"{DB_NAME} is locked by another program (is calibre saving?): {text}"
    if "no such table" in text or "no such column" in text:
        return f"{DB_NAME} is not a calibre library: {text}"
    return f"{DB_NAME} is damaged: {text}"


@contextmanager
def _read_only(path: str, lock_wait_seconds: float) -> Iterator[sqlite3.Connection]:
    with open(path, "rb") as handle:
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
    db = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True, timeout=lock_wait_seconds)
    db.execute("PRAGMA query_only = 1")
    return db


def _private_copy(path: str, folder: str) -> str:
    """A WAL library's database (and its log, when there is one) copied to `folder`."""
    copy = os.path.join(folder, DB_NAME)
    for suffix in ("", "-wal"):
        if os.path.exists(path + suffix):
            shutil.copyfile(path + suffix, copy + suffix)
    return copy


def _grouped(db: sqlite3.Connection, sql: str) -> dict[int, list[tuple]]:
    """Rows of `sql` (book id first) by book, in the query's order."""
    found: dict[int, list[tuple]] = defaultdict(list)
    for book, *rest in db.execute(sql):
        found[book].append(tuple(rest))
    return found


def _first(rows: dict[int, list[tuple]], book: int) -> object:
    values = rows.get(book)
    return values[0][0] if values else None


_QUERIES = {
    "authors": "SELECT l.book, a.name, a.sort FROM books_authors_link l JOIN authors a ON a.id = l.author"
    " ORDER BY l.id",
    "series": "SELECT l.book, s.name FROM books_series_link l JOIN series s ON s.id = l.series",
    "tags": "SELECT l.book, t.name FROM books_tags_link l JOIN tags t ON t.id = l.tag ORDER BY t.name",
    "identifiers": "SELECT book, type, val FROM identifiers ORDER BY id",
    "publisher": "SELECT l.book, p.name FROM books_publishers_link l JOIN publishers p ON p.id = l.publisher",
    "rating": "SELECT l.book, r.rating FROM books_ratings_link l JOIN ratings r ON r.id = l.rating",
    "comments": "SELECT book, text FROM comments",
    "languages": "SELECT l.book, g.lang_code FROM books_languages_link l JOIN languages g ON g.id = l.lang_code"
    " ORDER BY l.item_order",
    "files": "SELECT book, format, name FROM data",
}


def _books(db: sqlite3.Connection, root: str) -> dict[str, ExtractedMetadata]:
    tables = {name: _grouped(db, sql) for name, sql in _QUERIES.items()}
    found: dict[str, ExtractedMetadata] = {}
    for book, title, pubdate, index, author_sort, path, uuid in db.execute(
        "SELECT id, title, pubdate, series_index, author_sort, path, uuid FROM books"
    ):
        meta = _book(book, tables, title=title, pubdate=pubdate, index=index, author_sort=author_sort, uuid=uuid)
        folder = os.path.join(root, *str(path).split("/"))
        for fmt, name in tables["files"].get(book, ()):
            found[os.path.join(folder, f"{name}.{str(fmt).lower()}")] = meta
    return found


def _book(book: int, tables: dict[str, dict[int, list[tuple]]], **row) -> ExtractedMetadata:
    identifiers, isbn13 = _identifiers(tables["identifiers"].get(book, ()), row["uuid"])
    series = str(_first(tables["series"], book) or "")
    published, year = _published(row["pubdate"])
    rating = _first(tables["rating"], book)
    return build(
        SOURCE,
        CONFIDENCE,
        title=common.clean_text(row["title"]),
        people=_people(tables["authors"].get(book, ()), row["author_sort"] or ""),
        series=series,
        series_index=float(row["index"]) if series and row["index"] is not None else None,
        language=common.language_code(str(_first(tables["languages"], book) or "")),
        publisher=str(_first(tables["publisher"], book) or ""),
        published=published,
        year=year,
        description=common.strip_html(str(_first(tables["comments"], book) or "")),
        subjects=tuple(name for (name,) in tables["tags"].get(book, ())),
        identifiers=identifiers,
        isbn13=isbn13,
        rating=int(rating) if rating else None,  # type: ignore[call-overload]
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
