"""Filter counts (facets): how many results each filter option would give with the query and
the other filters as they are (a dimension's own filter is left out of its counts, so its other
options show what choosing them gives).

Bounded at any library size (measured at 100k books on SQLite and PostgreSQL: see
benchmarks/library_search_bench.py --facets):
- One broad sample: the newest FACET_CAP + 1 matches of the query with none of the facets'
  filters and every status. Its items' facet values are read in two queries (their rows, their
  files' formats) and each dimension's count is taken from the items meeting that dimension's
  other filters, checked here. When it holds every match, every count is exact.
- Past the cap, the counts are that sample's shares extrapolated to the estimated total, marked
  `estimated` (the page says "about"). A dimension whose filters keep fewer than SUBSET_MIN of
  the sampled items is sampled on its own (exact when it has few matches), within EXACT_BUDGET
  seconds for all of them; past it, the broad sample's few items give the estimate.
- A query with filter prefixes (format:, language:, kind:) merges them with the form's filters:
  each distinct set of filters is then sampled on its own, as before."""

from __future__ import annotations

import functools
import time
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace

from django.db import connection

from media.models import LibraryFile, MediaItem, MediaKind, MediaStatus, SearchDocument
from media.query import ParsedQuery, parse
from media.search import patterns
from media.search.backends import backend, round_estimate
from media.search.engine import SearchOutcome, SearchRequest, with_query_filters
from media.search.filters import SearchFilters, filter_sql, hidden_sql, kept_statuses
from media.search.sql import fetch as _fetch

FACET_CAP = 1000
SUBSET_MIN = 200  # items of a capped broad sample that estimate a dimension well enough
EXACT_BUDGET = 0.03  # seconds for the own samples of dimensions too rare in the broad one
LANGUAGES_SHOWN = 12
ITEMS = MediaItem._meta.db_table
FILES = LibraryFile._meta.db_table
DOCS = SearchDocument._meta.db_table
FLAGS = {  # facet -> (SQL condition over the item row m / its search document sd, label when true, when false)
    "has_cover": ("m.cover_path <> ''", "Has a cover", "No cover"),
    "has_series": ("m.series_id IS NOT NULL", "In a series", "Standalone"),
    "has_isbn": ("m.isbn13 <> ''", "Has an ISBN", "Missing ISBN"),
    "has_description": ("m.description <> ''", "Has a description", "No description"),
    "complete": ("sd.completeness >= 100", "Complete", "Incomplete"),
}
# facet -> the SearchFilters fields left out of its counts
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "kind": ("kind",),
    "format": ("formats",),
    "language": ("language",),
    "status": ("statuses",),
    **{name: (name,) for name in FLAGS if name != "complete"},
    "complete": ("completeness_min", "completeness_max"),
}
_ITEMS_SQL = (  # an item's own facet values: id, kind, language, status, completeness, each flag as 1 or 0
    "SELECT m.id, m.kind, m.language, m.status, sd.completeness, "
    + ", ".join(f"CASE WHEN {sql} THEN 1 ELSE 0 END" for sql, _, _ in FLAGS.values())
    + f" FROM {ITEMS} m LEFT JOIN {DOCS} sd ON sd.item_id = m.id WHERE "
)


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    estimated: bool = False


@dataclass(frozen=True)
class _Sample:
    ids: tuple[int, ...]
    scale: float  # matches per sampled id (1 when every match is in the sample)

    @property
    def estimated(self) -> bool:
        return self.scale != 1


@dataclass
class _Item:
    """A sampled item's facet values."""

    kind: str
    language: str
    status: str
    completeness: int | None
    flags: dict[str, bool]
    formats: list[str] = field(default_factory=list)
    options: dict[str, Sequence[str]] = field(init=False)  # facet -> the item's option values

    def __post_init__(self) -> None:
        self.options = {
            "kind": (self.kind,),
            "language": (self.language,),
            "status": (self.status,),
            "format": self.formats,  # filled after: the same list
            **{name: ("true" if flag else "false",) for name, flag in self.flags.items()},
        }


def _test(filters: SearchFilters) -> Callable[[_Item], bool]:
    """Whether an item meets the facets' filters of `filters` (the broad sample's SQL applied the others)."""
    f, statuses = filters, kept_statuses(filters)
    kind = f.kind if f.kind in MediaKind.values else None
    flags = [(name, getattr(f, name)) for name in FLAGS if name != "complete" and getattr(f, name) is not None]
    low, high = f.completeness_min, f.completeness_max
    return lambda item: (
        (kind is None or item.kind == kind)
        and (not f.formats or any(value in f.formats for value in item.formats))
        and (not f.language or item.language == f.language)
        and item.status in statuses
        and all(item.flags[name] == wanted for name, wanted in flags)
        and (low is None or (item.completeness or 0) >= low)
        and (high is None or (item.completeness or 0) <= high)
    )


def _among(column: str, ids: Sequence[int]) -> tuple[str, list[object]]:
    """`column` is one of `ids`: one array parameter on PostgreSQL (a thousand placeholders cost
    it ~10 ms to plan), a list of placeholders on SQLite."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(ids)]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def _read_items(ids: Sequence[int]) -> dict[int, _Item]:
    """Each item's facet values, in two queries (its row, its files' formats)."""
    if not ids:
        return {}
    among, params = _among("m.id", ids)
    found = {
        item_id: _Item(kind, language or "", status, completeness, dict(zip(FLAGS, map(bool, flags), strict=True)))
        for item_id, kind, language, status, completeness, *flags in _fetch(_ITEMS_SQL + among, params)
    }
    among, params = _among("f.item_id", ids)
    for item_id, value in _fetch(f"SELECT DISTINCT f.item_id, f.format FROM {FILES} f WHERE {among}", params):
        if value and item_id in found:
            found[item_id].formats.append(value)
    return found


class _Sampler:
    """The samples of one facets call: the broad one, each dimension's share of it, and the own
    samples of dimensions too rare in it; items are read once for all."""

    def __init__(self, request: SearchRequest, outcome: SearchOutcome):
        self.request, self.outcome, self.engine = request, outcome, outcome.engine or backend()
        self.query_filters = () if outcome.mode == "regex" else parse(request.q).filters
        self.items: dict[int, _Item] = {}
        self.samples: dict[SearchFilters, _Sample] = {}
        # apart: SQLite answers min(id) and max(id) together by reading the whole table
        self.ids = functools.cache(
            lambda: _fetch(f"SELECT (SELECT min(id) FROM {ITEMS}), (SELECT max(id) FROM {ITEMS})", [])[0]
        )
        self.broad: _Sample | None = None
        if not self.query_filters:
            every_field = [name for fields in DIMENSIONS.values() for name in fields]
            broad = replace(request.filters.without(*every_field), statuses=tuple(MediaStatus.values))
            self.broad = self._newest(broad)
        self.deadline = time.monotonic() + EXACT_BUDGET

    def sample(self, filters: SearchFilters) -> _Sample:
        if filters not in self.samples:
            if self.broad is not None:
                self.samples[filters] = self._share(filters)
            else:
                self.samples[filters] = self._searched(filters) or self._newest(filters)
        return self.samples[filters]

    def _searched(self, filters: SearchFilters) -> _Sample | None:
        """The search's own matches, when `filters` are its own and it read them all (an exact
        total): a small result set is counted exactly without another look-up."""
        matched = self.outcome.matched
        if filters != self.request.filters or matched is None or len(matched) > FACET_CAP:
            return None
        self._read(matched)
        return _Sample(tuple(matched), 1)

    def _read(self, ids: Sequence[int]) -> None:
        self.items.update(_read_items([i for i in ids if i not in self.items]))

    def _share(self, filters: SearchFilters) -> _Sample:
        assert self.broad is not None
        meets = _test(filters)
        kept = tuple(i for i in self.broad.ids if meets(self.items[i]))
        if not self.broad.estimated or len(kept) >= SUBSET_MIN:
            return _Sample(kept, self.broad.scale)
        if (searched := self._searched(filters)) is not None:
            return searched
        try:
            return self._newest(filters, seconds=self.deadline - time.monotonic())
        except patterns.RegexTimeout:
            return _Sample(kept, self.broad.scale)

    def _newest(self, filters: SearchFilters, *, seconds: float | None = None) -> _Sample:
        """The newest FACET_CAP + 1 matches of the query with `filters` (within `seconds`)."""
        if self.outcome.compiled is not None and self.outcome.compiled.nothing:
            return _Sample((), 1)  # no word of the query is in the library
        where, params = filter_sql(with_query_filters(filters, ParsedQuery(None, filters=tuple(self.query_filters))))
        if self.request.hidden is not None:
            clause, hidden_params = hidden_sql(self.request.hidden)
            where, params = [*where, clause], [*params, *hidden_params]
        where, params = [*where, *self.outcome.match_where], [*params, *self.outcome.match_params]
        if seconds is not None:
            limit = patterns.time_limit(min(seconds, patterns.TIME_LIMIT))
        else:
            limit = patterns.time_limit() if self.outcome.match_where else nullcontext()
        with limit:
            ids = self.engine.newest_matches(self.outcome.compiled, where, params, FACET_CAP + 1)
        self._read(ids)
        if len(ids) <= FACET_CAP:
            return _Sample(tuple(ids), 1)
        # the sample spans ids from the newest to ids[-1]: the matches are taken to be as dense
        # over all ids (two index look-ups, not the two counts of up to 100k rows, ~20 ms on
        # PostgreSQL, that the page's own total makes)
        first, last = self.ids()
        return _Sample(tuple(ids), (last - first + 1) / max(last - ids[-1] + 1, 1))


def _labels(name: str) -> dict[str, str]:
    if name == "kind":
        return {value: f"{label}s" for value, label in MediaKind.choices}
    if name == "status":
        return dict(MediaStatus.choices)
    if name in FLAGS:
        return {"true": FLAGS[name][1], "false": FLAGS[name][2]}
    return {}


def facets(request: SearchRequest, outcome: SearchOutcome) -> dict[str, list[FacetValue]]:
    """Each facet's options with the number of results choosing each would give."""
    sampler = _Sampler(request, outcome)
    found: dict[str, list[FacetValue]] = {}
    for name, fields in DIMENSIONS.items():
        filters = request.filters.without(*fields)
        if name == "status":  # every status, the acquisition ones included
            filters = replace(filters, statuses=tuple(MediaStatus.values))
        sample = sampler.sample(filters)
        counts = Counter(value for i in sample.ids for value in sampler.items[i].options[name])
        found[name] = _values(name, counts, sample)
    return found


def _values(name: str, counts: dict[str, int], sample: _Sample) -> list[FacetValue]:
    labels = _labels(name)
    order = list(labels) if labels else sorted(counts, key=lambda v: (-counts[v], v))
    if name == "language":
        order = [v for v in order if v][:LANGUAGES_SHOWN]
    values = []
    for value in order:
        n = counts.get(value, 0)
        if sample.estimated and n:
            n = max(n, round_estimate(n * sample.scale))
        values.append(
            FacetValue(
                value, labels.get(value, value.upper() if name == "format" else value), n, sample.estimated and n > 0
            )
        )
    return values
