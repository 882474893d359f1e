"""Filter counts (facets): how many results each filter option would give with the query and
the other filters as they are (a dimension's own filter is left out of its counts, so its other
options show what choosing them gives).

Bounded at any library size: each distinct set of filters fetches at most FACET_CAP + 1 newest
matching ids (the same capped look-up that counts a page's total), and the options are counted
among those with one grouped query each. Past the cap, the counts are that sample's shares
extrapolated to the estimated total, and marked `estimated` (the page says "about")."""

from __future__ import annotations

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


def _grouped(column: str, ids: Sequence[int]) -> dict[str, int]:
    rows = _fetch(f"SELECT {column}, count(*) FROM {ITEMS} m WHERE m.id IN ({_marks(ids)}) GROUP BY {column}", ids)
    return {str(value or ""): n for value, n in rows}


def _formats(ids: Sequence[int]) -> dict[str, int]:
    rows = _fetch(
        f"SELECT f.format, count(DISTINCT f.item_id) FROM {FILES} f WHERE f.item_id IN ({_marks(ids)}) "
        "GROUP BY f.format",
        ids,
    )
    return {str(value): n for value, n in rows if value}


def _flag(condition: str) -> Callable[[Sequence[int]], dict[str, int]]:
    def count(ids: Sequence[int]) -> dict[str, int]:
        docs = f" JOIN {DOCS} sd ON sd.item_id = m.id" if "sd." in condition else ""
        yes = _fetch(
            f"SELECT count(*) FROM {ITEMS} m{docs} WHERE m.id IN ({_marks(ids)}) AND {condition}", ids
        )[0][0]
        return {"true": yes, "false": len(ids) - yes}

    return count


# facet -> (the SearchFilters fields left out of its counts, how to count its options)
DIMENSIONS: dict[str, tuple[tuple[str, ...], Callable[[Sequence[int]], dict[str, int]]]] = {
    "kind": (("kind",), lambda ids: _grouped("m.kind", ids)),
    "format": (("formats",), _formats),
    "language": (("language",), lambda ids: _grouped("m.language", ids)),
    "status": (("statuses",), lambda ids: _grouped("m.status", ids)),
    **{name: ((name,), _flag(sql)) for name, (sql, _, _) in FLAGS.items() if name != "complete"},
    "complete": (("completeness_min", "completeness_max"), _flag(FLAGS["complete"][0])),
}


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
    found: dict[str, list[FacetValue]] = {}
    for name, (fields, count) in DIMENSIONS.items():
        filters = request.filters.without(*fields)
        if name == "status":  # every status, the acquisition ones included
            filters = replace(filters, statuses=tuple(MediaStatus.values))
        if filters not in samples:
            samples[filters] = _sample(engine, request, outcome, filters, query_filters)
        sample = samples[filters]
        counts = count(sample.ids) if sample.ids else {}
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
            query_filters) -> _Sample:
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
    everything = _fetch(f"SELECT count(*) FROM {ITEMS}", [])[0][0]
    in_range = _fetch(f"SELECT count(*) FROM {ITEMS} WHERE id >= %s", [ids[-1]])[0][0]
    return _Sample(tuple(ids), everything / max(in_range, 1))
