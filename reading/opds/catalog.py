"""What the catalogue lists, for one user: every query goes through reading.visibility, so a
reader limited to some libraries never meets another library's book, author count, facet count
or file. A page is fetched as ids first (the ordering query stays small), then its items are
loaded with their authors, series, tags and visible files in a constant number of queries."""

from __future__ import annotations

import hashlib
from array import array
from dataclasses import dataclass, field
from pathlib import Path

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from core.visibility import hidden_items
from media.models import Author, Contribution, ContributorRole, ItemTag, LibraryFile, MediaItem, MediaKind, Series
from media.search import SearchFilters, SearchRequest, run
from reading import pages
from reading.models import ReadingProgress, ReadingStatus, Shelf, ShelfEntry
from reading.visibility import visible_files
from scanning.extractors.base import ExtractionError

PAGE_SIZE = 50
LISTING_SECONDS = 60


@dataclass(frozen=True)
class Filters:
    """The facets of the catalogue's "all books" feed."""

    kind: str = ""
    language: str = ""
    format: str = ""

    def replace(self, **changes: str) -> Filters:
        return Filters(**{**self.__dict__, **changes})


@dataclass(frozen=True)
class Page:
    rows: list = field(default_factory=list)
    number: int = 1
    size: int = PAGE_SIZE
    total: int | None = None  # None: not counted (search tells only whether more follow)
    has_next: bool = False

    @property
    def last(self) -> int | None:
        return None if self.total is None else max(1, -(-self.total // self.size))


def readable_items(user) -> QuerySet[MediaItem]:
    """Items with a present file this user may see (what the catalogue lists)."""
    return MediaItem.objects.filter(Exists(visible_files(user).filter(item=OuterRef("pk"))))


def filtered_items(user, filters: Filters) -> QuerySet[MediaItem]:
    items = readable_items(user)
    if filters.kind:
        items = items.filter(kind=filters.kind)
    if filters.language:
        items = items.filter(language=filters.language)
    if filters.format:
        items = items.filter(Exists(visible_files(user).filter(item=OuterRef("pk"), format=filters.format)))
    return items


def _cached(queryset: QuerySet, build):
    """`build(queryset)`, remembered for LISTING_SECONDS under the query's SQL: the SQL names the
    user's visible folders and the filters, so another reader or a changed access never shares
    an entry. Paging through a large library then costs one scan a minute instead of one count
    and one OFFSET walk per page (a new book shows up in the catalogue within that minute)."""
    try:
        sql = str(queryset.query)
    except EmptyResultSet:  # nothing can match (a reader without libraries): nothing to remember
        return build(queryset)
    key = "opds-list:" + hashlib.sha256(sql.encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = build(queryset)
        cache.set(key, value, LISTING_SECONDS)
    return value


def _paged_ids(queryset: QuerySet, number: int, size: int) -> tuple[list[int], int]:
    ids = _cached(queryset.values_list("pk", flat=True), lambda rows: array("q", rows))
    start = (number - 1) * size
    return list(ids[start : start + size + 1]), len(ids)


def item_page(user, queryset: QuerySet[MediaItem], number: int, size: int = PAGE_SIZE) -> Page:
    ids, total = _paged_ids(queryset, number, size)
    return Page(load_items(user, ids[:size]), number, size, total, len(ids) > size)


def load_items(user, ids: list[int]) -> list[MediaItem]:
    """The items in `ids` order, each with `readable_files` (only the files this user may see)."""
    if not ids:
        return []
    # the page's files by item first (the item_id index), then which of them the user may see: asked
    # in one query, SQLite walks every present file through the state index instead
    candidates = list(LibraryFile.objects.filter(item__in=ids).values_list("pk", flat=True))
    files = visible_files(user).filter(pk__in=candidates).order_by("format", "pk")
    rows = (
        MediaItem.objects.filter(pk__in=ids)
        .select_related("series")
        .prefetch_related(
            Prefetch("contributions", queryset=Contribution.objects.select_related("author").order_by("position")),
            Prefetch("tags", queryset=ItemTag.objects.order_by("name")),
            Prefetch("files", queryset=files, to_attr="readable_files"),
        )
    )
    by_id = {item.pk: item for item in rows if item.readable_files}  # none left visible: not listed
    return [by_id[pk] for pk in ids if pk in by_id]


def recent(user, number: int) -> Page:
    return item_page(user, readable_items(user).order_by("-added_at", "-pk"), number)


def books(user, filters: Filters, number: int) -> Page:
    return item_page(user, filtered_items(user, filters).order_by("sort_title", "pk"), number)


def by_author(user, author_id: int, number: int) -> Page:
    items = readable_items(user).filter(contributions__author_id=author_id).distinct()
    return item_page(user, items.order_by("series__title", "series_index", "sort_title", "pk"), number)


def by_series(user, series_id: int, number: int) -> Page:
    return item_page(
        user, readable_items(user).filter(series_id=series_id).order_by("series_index", "sort_title", "pk"), number
    )


def _with_counts(rows: list, counts: dict[int, int]) -> list[tuple[object, int]]:
    return [(row, counts.get(row.pk, 0)) for row in rows]


def _authored(user):
    """Author contributions to items with a file this user may see (one pass over contributions)."""
    readable = Exists(visible_files(user).filter(item=OuterRef("item")))
    return Contribution.objects.filter(readable, role=ContributorRole.AUTHOR)


def authors(user, number: int, size: int = PAGE_SIZE) -> Page:
    """Authors of at least one readable item, with how many each has."""
    queryset = Author.objects.filter(pk__in=_authored(user).values("author")).order_by("sort_name", "pk")
    ids, total = _paged_ids(queryset, number, size)
    rows = list(Author.objects.filter(pk__in=ids[:size]).order_by("sort_name", "pk"))
    counts = _authored(user).filter(author__in=ids[:size]).values_list("author")
    counts = dict(counts.annotate(n=Count("item", distinct=True)).values_list("author", "n"))
    return Page(_with_counts(rows, counts), number, size, total, len(ids) > size)


def series_list(user, number: int, size: int = PAGE_SIZE) -> Page:
    readable = readable_items(user)
    queryset = Series.objects.filter(pk__in=readable.values("series")).order_by("title", "pk")
    ids, total = _paged_ids(queryset, number, size)
    rows = list(Series.objects.filter(pk__in=ids[:size]).order_by("title", "pk"))
    counts = readable.filter(series__in=ids[:size]).order_by().values_list("series").annotate(n=Count("pk"))
    return Page(_with_counts(rows, dict(counts.values_list("series", "n"))), number, size, total, len(ids) > size)


def shelves(user) -> list[Shelf]:
    return list(Shelf.objects.filter(user=user).order_by("name", "pk"))


def shelf_items(user, shelf: Shelf, number: int) -> Page:
    if shelf.is_smart:
        return search(user, shelf.query, number, sort="title")
    added = ShelfEntry.objects.filter(shelf=shelf, item=OuterRef("pk")).values("added_at")[:1]
    items = readable_items(user).annotate(shelved=Subquery(added)).filter(shelved__isnull=False)
    return item_page(user, items.order_by("shelved", "pk"), number)


def continue_reading(user, number: int) -> Page:
    """Started and not finished, most recently read first."""
    started = Q(status=ReadingStatus.READING) | Q(status="", percent__gt=0, percent__lt=100)
    progress = ReadingProgress.objects.filter(started, user=user, item=OuterRef("pk")).values("updated_at")[:1]
    items = readable_items(user).annotate(read_at=Subquery(progress)).filter(read_at__isnull=False)
    return item_page(user, items.order_by("-read_at", "-pk"), number)


def search(user, q: str, number: int, *, sort: str = "relevance", size: int = PAGE_SIZE) -> Page:
    """The library's own search (media.search: the same language as /library/?q=), limited to
    the items with a file in the user's libraries."""
    filters = SearchFilters(present_file=True)
    request = SearchRequest(q=q, filters=filters, sort=sort, page=number, page_size=size, hidden=hidden_items(user))
    outcome = run(request)
    return Page(load_items(user, list(outcome.ids)), number, size, None, outcome.has_next)


def facet_counts(user, filters: Filters) -> dict[str, dict[str, int]]:
    """For each facet group, how many items each value gives with the other groups' choices kept."""
    kinds = filtered_items(user, filters.replace(kind="")).order_by().values_list("kind").annotate(n=Count("pk"))
    languages = filtered_items(user, filters.replace(language="")).exclude(language="")
    formats = (
        visible_files(user)
        .filter(item__in=filtered_items(user, filters.replace(format="")).values("pk"))
        .values_list("format")
        .annotate(n=Count("item", distinct=True))
    )
    languages = languages.order_by().values_list("language").annotate(n=Count("pk"))
    return {
        "kind": _cached(kinds, lambda rows: {kind: n for kind, n in rows if kind in MediaKind.values}),
        "language": _cached(languages, dict),
        "format": _cached(formats.order_by(), dict),
    }


def progress_by_item(user, items: list[MediaItem]) -> dict[int, ReadingProgress]:
    if not items:
        return {}
    rows = ReadingProgress.objects.filter(user=user, item__in=[item.pk for item in items])
    return {row.item_id: row for row in rows}


def page_count(library_file: LibraryFile) -> int | None:
    """How many pages a CBZ/CBR has (as reading.pages serves them), remembered per file version;
    None for other formats and unreadable archives."""
    if library_file.format.lower() not in pages.PAGED_FORMATS:
        return None
    key = f"opds-pages:{library_file.pk}:{library_file.size}:{library_file.mtime_ns}"
    count = cache.get(key)
    if count is None:
        try:
            count = len(pages.page_names(Path(library_file.path)))
        except (ExtractionError, OSError):
            count = 0
        cache.set(key, count, 7 * 24 * 3600)
    return count or None
