"""Keeps the library search index in step with the catalogue.

`reindex_items(ids)` rebuilds the search rows of those items (deleting the rows of items
that are gone) in the caller's transaction, so a rollback undoes both. Signals in
`media.signals` call it on every save/delete of an item, contribution, identifier, tag or
file; bulk writers (scanner, importer) should wrap their work in `deferred()` so each item
is indexed once at the end, and must call `reindex_items` themselves after `bulk_create`.
`manage.py rebuild_search_index` rebuilds everything."""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from core import isbn as isbn_tools
from core.bulk import insert_returning, insert_rows
from core.text import fold
from media.models import (
    Contribution,
    FileState,
    Identifier,
    ItemTag,
    LibraryFile,
    MediaItem,
    SearchDocument,
    SearchTerm,
)
from media.query import tokens_of

CHUNK = 1000
NO_SERIES = "~"  # sorts after every folded series title: books without a series come last
MAX_DESCRIPTION = 4000
_TAGS = re.compile(r"<[^>]+>")
_state = threading.local()


@dataclass(frozen=True)
class DocText:
    item_id: int
    title: str
    authors: str
    series: str
    description: str
    identifiers: str
    publisher: str
    tags: str

    def columns(self) -> tuple[str, ...]:
        return (
            self.title,
            self.authors,
            self.series,
            self.description,
            self.identifiers,
            self.publisher,
            self.tags,
        )


def _words(value: str) -> str:
    return " ".join(tokens_of(value))


@dataclass
class IndexSource:
    """What the index needs of one item, read with plain value queries (no model instances:
    a scan reindexes hundreds of items per batch)."""

    pk: int
    title: str
    subtitle: str
    description: str
    publisher: str
    isbn13: str
    year: int | None
    language: str
    cover_path: str
    series_index: object
    series_title: str = ""
    authors: list[tuple[str, str]] = field(default_factory=list)  # (name, sort name) by position
    identifiers: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    files: list[tuple[int, str]] = field(default_factory=list)  # (size, format) of its files on disk


_ITEM_FIELDS = (
    "pk",
    "title",
    "subtitle",
    "description",
    "publisher",
    "isbn13",
    "year",
    "language",
    "cover_path",
    "series_index",
    "series__title",
)


def _identifier_words(source: IndexSource) -> str:
    values = [source.isbn13] if source.isbn13 else []
    if source.isbn13 and (isbn10 := isbn_tools.to_isbn10(source.isbn13)):
        values.append(isbn10)
    values += sorted(value.replace("-", "") for value in source.identifiers)  # any read order
    return _words(" ".join(values))


COMPLETENESS_FIELDS = ("title", "authors", "description", "year", "language", "publisher", "isbn", "cover")


def completeness(item: MediaItem | IndexSource, *, has_authors: bool) -> int:
    filled = [
        bool(item.title),
        has_authors,
        bool(item.description),
        item.year is not None,
        bool(item.language),
        bool(item.publisher),
        bool(item.isbn13),
        bool(item.cover_path),
    ]
    return round(100 * sum(filled) / len(filled))


def _build(source: IndexSource, now) -> tuple[DocText, tuple]:
    """The item's search text and its SearchDocument row (item_id, *_DOC_FIELDS)."""
    series_title = source.series_title
    text = DocText(
        item_id=source.pk,
        title=_words(f"{source.title} {source.subtitle}"),
        authors=_words(" ".join(name for name, _ in source.authors)),
        series=_words(series_title),
        description=_words(_TAGS.sub(" ", source.description)[:MAX_DESCRIPTION]),
        identifiers=_identifier_words(source),
        publisher=_words(source.publisher),
        tags=_words(" ".join(source.tags)),
    )
    index = f"{float(source.series_index):09.2f}" if source.series_index is not None else ""
    row = (
        source.pk,
        " ".join(filter(None, (text.title, text.authors, text.series))),  # text
        _words(source.title)[:500],  # title_key
        fold(source.authors[0][1])[:255] if source.authors else "",  # author_sort
        f"{fold(series_title)} {index}".strip()[:300] if series_title else NO_SERIES,  # series_sort
        sum(size for size, _ in source.files),  # total_size
        " ".join(sorted({fmt for _, fmt in source.files}))[:100],  # formats
        completeness(source, has_authors=bool(source.authors)),
        now,  # indexed_at
    )
    return text, row


def _load(ids: list[int]) -> list[IndexSource]:
    sources = {
        row[0]: IndexSource(*row[:-1], series_title=row[-1] or "")
        for row in MediaItem.objects.filter(pk__in=ids).order_by().values_list(*_ITEM_FIELDS)
    }
    found = list(sources)
    contributions = (
        Contribution.objects.filter(item_id__in=found)
        .order_by("item_id", "position", "pk")
        .values_list("item_id", "author__name", "author__sort_name")
    )
    for item_id, name, sort_name in contributions:
        sources[item_id].authors.append((name, sort_name))
    for item_id, value in Identifier.objects.filter(item_id__in=found).order_by().values_list("item_id", "value"):
        sources[item_id].identifiers.append(value)
    for item_id, name in ItemTag.objects.filter(item_id__in=found).order_by("name").values_list("item_id", "name"):
        sources[item_id].tags.append(name)
    files = (
        LibraryFile.objects.filter(item_id__in=found)
        .exclude(state__in=(FileState.MISSING, FileState.DUPLICATE))  # a second copy adds nothing
        .order_by()
        .values_list("item_id", "size", "format")
    )
    for item_id, size, fmt in files:
        sources[item_id].files.append((size, fmt))
    return list(sources.values())


def _vocabulary(texts: Iterable[DocText]) -> set[str]:
    words: set[str] = set()
    for text in texts:
        for column in text.columns():
            words.update(w for w in column.split() if 2 <= len(w) <= 64 and not w.isdigit())
    return words


def _add_terms(words: set[str]) -> None:
    """Add the words the vocabulary lacks (one INSERT ... ON CONFLICT DO NOTHING RETURNING)
    and give the new ones to the engine's typo index."""
    from media.search.backends import backend

    rows = insert_returning(SearchTerm, ("term",), [(w,) for w in sorted(words)], ("id", "term"),
                            conflict_fields=("term",))
    if rows:
        backend().add_terms(rows)


_DOC_FIELDS = (
    "text",
    "title_key",
    "author_sort",
    "series_sort",
    "total_size",
    "formats",
    "completeness",
    "indexed_at",
)


def reindex_items(ids: Iterable[int]) -> int:
    """Rebuild the search rows of these items; returns how many were indexed."""
    from media.search.backends import backend

    wanted = sorted({int(i) for i in ids if i is not None})
    if not wanted:
        return 0
    pending = getattr(_state, "pending", None)
    if pending is not None:
        pending.update(wanted)
        return 0
    indexed = 0
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        with transaction.atomic():
            sources = _load(chunk)
            present = {source.pk for source in sources}
            SearchDocument.objects.filter(item_id__in=[i for i in chunk if i not in present]).delete()
            backend().delete_documents(chunk)
            indexed += _write(sources)
    return indexed


def index_new_items(sources: list[IndexSource]) -> int:
    """Index items created in the caller's transaction from what the caller just wrote
    (a scan has every value at hand: reading the rows back cost as much as writing them).
    They must be complete (all authors, identifiers and files) and have no search rows yet;
    `reindex_items` gives the same rows from the database (tested)."""
    return _write(sources)


def _write(sources: list[IndexSource]) -> int:
    from media.search.backends import backend

    now = timezone.now()
    built = [_build(source, now) for source in sources]
    insert_rows(
        SearchDocument,
        ("item_id", *_DOC_FIELDS),
        [row for _, row in built],
        on_conflict="update",
        conflict_fields=("item",),
        update_fields=_DOC_FIELDS,
    )
    texts = [text for text, _ in built]
    backend().write_documents(texts)
    _add_terms(_vocabulary(texts))
    return len(built)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Collect reindex requests made inside the block and run them once at its end."""
    outer = getattr(_state, "pending", None)
    if outer is not None:
        yield
        return
    _state.pending = set()
    try:
        yield
    finally:
        ids, _state.pending = _state.pending, None
    reindex_items(ids)


def rebuild_all(*, progress=None) -> int:
    """Drop and rebuild the whole index (vocabulary included)."""
    from media.search import pg_rum
    from media.search.backends import backend

    with transaction.atomic():
        SearchDocument.objects.all().delete()
        SearchTerm.objects.all().delete()
        backend().clear()
    pg_rum.ensure_index()  # where the RUM extension was installed since the last migration
    ids = list(MediaItem.objects.order_by("pk").values_list("pk", flat=True))
    done = 0
    for start in range(0, len(ids), CHUNK):
        done += reindex_items(ids[start : start + CHUNK])
        if progress:
            progress(done, len(ids), f"Indexed {done} of {len(ids)} items")
    return done


def remove_orphans() -> None:
    """Drop index rows whose item is gone (after a flush or a raw delete)."""
    from media.search.backends import backend

    if connection.vendor in ("sqlite", "postgresql"):
        backend().remove_orphans()
