"""Library filters and sort orders as SQL fragments over `m` (media item) and `sd` (its
search document). One builder serves the plain listing and the full-text search on both
databases; every value is a bound parameter."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.db.models import Q
from django.db.models.expressions import RawSQL

from core.text import fold
from media.models import FileState, ItemTag, LibraryFile, MediaItem, MediaKind, MediaStatus
from media.selectors import ACQUISITION_STATUSES

FILES = LibraryFile._meta.db_table
TAGS = ItemTag._meta.db_table

SORTS = {  # name -> (SQL expression, default descending)
    "title": ("m.sort_title", False),
    "author": ("sd.author_sort", False),
    "series": ("sd.series_sort", False),
    "added": ("m.added_at", True),
    "year": ("m.year", True),
    "size": ("sd.total_size", True),
    "completeness": ("sd.completeness", False),  # least complete first: what needs fixing
}
SORT_CHOICES = ("relevance", *SORTS)
SORT_LABELS = {
    "relevance": "Best match",
    "title": "Title",
    "author": "Author",
    "series": "Series",
    "added": "Date added",
    "year": "Year",
    "size": "Size",
    "completeness": "Metadata completeness",
}
# The Status filter's options: the empty default is every status but the acquisition ones (so
# its label must not read like the "In library" status itself).
STATUS_FILTER_CHOICES = (("", "Any, except wanted and downloading"), *MediaStatus.choices)


@dataclass(frozen=True)
class SearchFilters:
    kind: str | None = None
    formats: tuple[str, ...] = ()
    language: str | None = None
    genre: str | None = None
    year_min: int | None = None
    year_max: int | None = None
    size_min: int | None = None  # bytes, total of the item's files
    size_max: int | None = None
    has_cover: bool | None = None
    has_series: bool | None = None
    has_isbn: bool | None = None
    has_description: bool | None = None
    completeness_min: int | None = None  # percent of key metadata fields filled
    completeness_max: int | None = None
    statuses: tuple[str, ...] = ()  # empty = everything but the acquisition states
    missing_files: bool | None = None  # True: items with a missing or corrupt file
    present_file: bool | None = None  # True: items with a present (readable) file

    @property
    def active(self) -> bool:
        return any(value not in (None, ()) for value in self.__dict__.values())

    def without_kind(self) -> SearchFilters:
        return SearchFilters(**{**self.__dict__, "kind": None})

    def without(self, *names: str) -> SearchFilters:
        """These filters but the named ones (reset to their defaults)."""
        return replace(self, **{name: SearchFilters.__dataclass_fields__[name].default for name in names})


def kept_statuses(filters: SearchFilters) -> frozenset[str]:
    """The statuses an item may have to meet `filters`: the valid ones chosen, else every one but
    the acquisition ones (what filter_sql says in SQL)."""
    chosen = frozenset(s for s in filters.statuses if s in MediaStatus.values)
    return chosen or frozenset(MediaStatus.values) - frozenset(ACQUISITION_STATUSES)


def is_unfiltered(where: list[str], params: list[object]) -> bool:
    """Are these filter_sql's clauses for no filter at all (every status but the acquisition ones)?"""
    return (list(where), list(params)) == filter_sql(SearchFilters())


def _bool_clause(flag: bool | None, sql: str) -> list[str]:
    if flag is None:
        return []
    return [sql if flag else f"NOT ({sql})"]


def filter_sql(filters: SearchFilters) -> tuple[list[str], list[object]]:
    """WHERE clauses (joined with AND by the caller) and their parameters."""
    clauses: list[str] = []
    params: list[object] = []

    def add(sql: str, *values: object) -> None:
        clauses.append(sql)
        params.extend(values)

    if filters.kind in MediaKind.values:
        add("m.kind = %s", filters.kind)
    statuses = [s for s in filters.statuses if s in MediaStatus.values]  # as kept_statuses
    if set(statuses) >= set(MediaStatus.values):
        pass  # every status: no clause (an IN over all of them made SQLite sort by the status index)
    elif statuses:
        add(f"m.status IN ({', '.join(['%s'] * len(statuses))})", *statuses)
    else:
        add(f"m.status NOT IN ({', '.join(['%s'] * len(ACQUISITION_STATUSES))})", *ACQUISITION_STATUSES)
    if filters.formats:
        marks = ", ".join(["%s"] * len(filters.formats))
        add(
            f"EXISTS (SELECT 1 FROM {FILES} f WHERE f.item_id = m.id AND f.format IN ({marks}))",
            *filters.formats,
        )
    if filters.language:
        add("m.language = %s", filters.language)
    if filters.genre:
        add(
            f"EXISTS (SELECT 1 FROM {TAGS} t WHERE t.item_id = m.id AND t.normalized = %s)",
            fold(filters.genre),
        )
    if filters.year_min is not None:
        add("m.year >= %s", filters.year_min)
    if filters.year_max is not None:
        add("m.year <= %s", filters.year_max)
    if filters.size_min is not None:
        add("sd.total_size >= %s", filters.size_min)
    if filters.size_max is not None:
        add("sd.total_size <= %s", filters.size_max)
    if filters.completeness_min is not None:
        add("sd.completeness >= %s", filters.completeness_min)
    if filters.completeness_max is not None:
        add("sd.completeness <= %s", filters.completeness_max)
    clauses += _bool_clause(filters.has_cover, "m.cover_path <> ''")
    clauses += _bool_clause(filters.has_series, "m.series_id IS NOT NULL")
    clauses += _bool_clause(filters.has_isbn, "m.isbn13 <> ''")
    clauses += _bool_clause(filters.has_description, "m.description <> ''")
    if filters.missing_files is not None:
        clauses += _bool_clause(
            filters.missing_files,
            f"EXISTS (SELECT 1 FROM {FILES} f WHERE f.item_id = m.id AND f.state IN (%s, %s))",
        )
        params += [FileState.MISSING, FileState.CORRUPT]
    if filters.present_file is not None:
        clause, values = _present_file_sql()
        clauses += _bool_clause(filters.present_file, clause)
        params += values
    return clauses, params


def _present_file_sql() -> tuple[str, list[object]]:
    """EXISTS a present (readable) file of the item."""
    return f"EXISTS (SELECT 1 FROM {FILES} f WHERE f.item_id = m.id AND f.state = %s)", [FileState.PRESENT]


_COMPILED: dict[int, tuple[Q, str, tuple[object, ...]]] = {}  # by id() of the Q (kept alive here)


def hidden_sql(hidden: Q) -> tuple[str, list[object]]:
    """A WHERE clause over `m` leaving out the viewer's hidden items (a core.visibility Q over
    media items): NOT EXISTS on the item's own row, correlated by its id, so the database tests
    only the rows a page or a count looks at and the Q's subqueries stay as the rule built them.
    Compiled once per Q (core.visibility reuses a user's Q): compiling costs ~5 ms of Python."""
    known = _COMPILED.get(id(hidden))
    if known is None or known[0] is not hidden:
        own_row = MediaItem.objects.filter(pk=RawSQL("m.id", ())).filter(hidden).order_by().values("pk")
        sql, params = own_row.query.sql_with_params()
        if len(_COMPILED) >= 1024:
            _COMPILED.clear()
        known = _COMPILED[id(hidden)] = (hidden, f"NOT EXISTS ({sql})", tuple(params))
    return known[1], list(known[2])


def order_sql(sort: str, *, descending: bool | None = None) -> str:
    expression, default_desc = SORTS.get(sort, SORTS["title"])
    desc = default_desc if descending is None else descending
    direction = "DESC" if desc else "ASC"
    tie = "sd.item_id" if expression.startswith("sd.") else "m.id"
    return f"{expression} {direction}, {tie} {direction}"
