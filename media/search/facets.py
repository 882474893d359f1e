"""Filter counts (facets): how many results each filter option would give with the query and
the other filters as they are (a dimension's own filter is left out of its counts, so its other
options show what choosing them gives).

Bounded at any library size: each distinct set of filters fetches at most FACET_CAP + 1 newest
matching ids (the same capped look-up that counts a page's total). The facet values of those
items are read once (one query over the items, one over their files, for every sample of the
call together) and counted here, not with a grouped query per facet. Past the cap, the counts
are that sample's shares extrapolated to the estimated total, and marked `estimated` (the page
says "about"); below it they are exact."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, replace

from django.db import connection

from media.models import LibraryFile, MediaItem, MediaKind, MediaStatus, SearchDocument
from media.query import ParsedQuery, parse
from media.search import patterns
from media.search.backends import SearchBackend, backend, round_estimate
from media.search.engine import SearchOutcome, SearchRequest, with_query_filters
from media.search.filters import SearchFilters, filter_sql, hidden_sql

FACET_CAP = 1000
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
_OPTIONS_SQL = (  # an item's own facet values: id, kind, language, status, then each flag as 1 or 0
    "SELECT m.id, m.kind, m.language, m.status, "
    + ", ".join(f"CASE WHEN {sql} THEN 1 ELSE 0 END" for sql, _, _ in FLAGS.values())
    + f" FROM {ITEMS} m LEFT JOIN {DOCS} sd ON sd.item_id = m.id WHERE m.id IN ({{marks}})"
)

Options = dict[str, tuple[str, ...]]  # facet -> the option values an item has (several formats)


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


def _marks(ids: Sequence[int]) -> str:
    return ", ".join(["%s"] * len(ids)) or "NULL"


def _fetch(sql: str, params: Sequence[object]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def _options(ids: Sequence[int]) -> dict[int, Options]:
    """Each item's facet values, read in two queries (its row, its files' formats)."""
    if not ids:
        return {}
    found: dict[int, Options] = {}
    for item_id, kind, language, status, *flags in _fetch(_OPTIONS_SQL.format(marks=_marks(ids)), ids):
        found[item_id] = {"kind": (kind,), "language": (language or "",), "status": (status,), "format": (),
                          **{name: ("true" if flag else "false",) for name, flag in zip(FLAGS, flags, strict=True)}}
    rows = _fetch(f"SELECT DISTINCT f.item_id, f.format FROM {FILES} f WHERE f.item_id IN ({_marks(ids)})", ids)
    for item_id, value in rows:
        if value and item_id in found:
            found[item_id]["format"] += (value,)
    return found


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
    engine = backend()
    query_filters = () if outcome.mode == "regex" else parse(request.q).filters
    samples: dict[SearchFilters, _Sample] = {}
    options: dict[int, Options] = {}  # read once per item for every sample of this call
    library_size = functools.cache(lambda: _fetch(f"SELECT count(*) FROM {ITEMS}", [])[0][0])  # once, if needed
    found: dict[str, list[FacetValue]] = {}
    for name, fields in DIMENSIONS.items():
        filters = request.filters.without(*fields)
        if name == "status":  # every status, the acquisition ones included
            filters = replace(filters, statuses=tuple(MediaStatus.values))
        if filters not in samples:
            samples[filters] = _sample(engine, request, outcome, filters, query_filters, library_size)
        sample = samples[filters]
        options.update(_options([i for i in sample.ids if i not in options]))
        counts = Counter(value for i in sample.ids if i in options for value in options[i][name])
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
        values.append(FacetValue(value, labels.get(value, value.upper() if name == "format" else value), n,
                                 sample.estimated and n > 0))
    return values


def _sample(engine: SearchBackend, request: SearchRequest, outcome: SearchOutcome, filters: SearchFilters,
            query_filters, library_size: Callable[[], int]) -> _Sample:
    where, params = filter_sql(with_query_filters(filters, ParsedQuery(None, filters=tuple(query_filters))))
    if request.hidden is not None:
        clause, hidden_params = hidden_sql(request.hidden)
        where, params = [*where, clause], [*params, *hidden_params]
    where, params = [*where, *outcome.match_where], [*params, *outcome.match_params]
    if outcome.compiled is not None and outcome.compiled.nothing:
        return _Sample((), 1)  # no word of the query is in the library
    limit = patterns.time_limit() if outcome.match_where else nullcontext()
    with limit:
        ids = engine.newest_matches(outcome.compiled, where, params, FACET_CAP + 1)
    if len(ids) <= FACET_CAP:
        return _Sample(tuple(ids), 1)
    in_range = _fetch(f"SELECT count(*) FROM {ITEMS} WHERE id >= %s", [ids[-1]])[0][0]
    return _Sample(tuple(ids), library_size() / max(in_range, 1))
