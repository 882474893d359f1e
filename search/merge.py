"""Field-by-field merging of candidate values (trust x confidence) and grouping of
provider search results into one entry per book. Pure functions: no ORM."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from core.text import comparison_key
from search.normalise import author_key, detect_series
from search.providers.base import BookRecord

MANUAL_SOURCE = "manual"


@dataclass(frozen=True)
class Candidate:
    field: str
    value: Any
    source: str
    trust: float
    confidence: float
    updated_at: float = 0.0  # timestamp; the newer of two equal candidates wins

    @property
    def score(self) -> float:
        return max(0.0, min(1.0, self.trust)) * max(0.0, min(1.0, self.confidence))


@dataclass(frozen=True)
class Resolution:
    field: str
    value: Any
    source: str
    confidence: float
    score: float
    agreeing: tuple[str, ...] = ()
    reason: str = ""


def is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | dict):
        return len(value) == 0
    return False


def value_key(field_name: str, value: Any) -> str:
    """What two values are compared on: 'The Hobbit' == 'the hobbit'; author lists ignore order."""
    if field_name in ("authors", "narrators") and isinstance(value, list | tuple):
        return json.dumps(sorted(author_key(str(v)) for v in value))
    if field_name == "series" and isinstance(value, dict):
        return json.dumps([comparison_key(str(value.get("name", ""))), _index_text(value.get("index"))])
    if isinstance(value, str):
        return comparison_key(value)
    if isinstance(value, list | tuple):
        return json.dumps(sorted(comparison_key(str(v)) for v in value))
    return json.dumps(value, sort_keys=True, default=str)


def _index_text(index: Any) -> str:
    try:
        return f"{float(index):g}"
    except (TypeError, ValueError):
        return ""


def resolve(field_name: str, candidates: Iterable[Candidate]) -> Resolution | None:
    """The winning value: a manual value always wins; otherwise values are grouped by
    their normalised form, a group scores 1 - prod(1 - trust x confidence) (agreeing
    sources reinforce each other) and the best group's strongest candidate gives the value."""
    usable = [c for c in candidates if not is_empty(c.value)]
    if not usable:
        return None
    manual = [c for c in usable if c.source == MANUAL_SOURCE]
    if manual:
        latest = max(manual, key=lambda c: c.updated_at)
        return Resolution(field_name, latest.value, latest.source, latest.confidence, 1.0, (latest.source,),
                          "manual entry always wins")
    groups: dict[str, list[Candidate]] = {}
    for candidate in usable:
        groups.setdefault(value_key(field_name, candidate.value), []).append(candidate)

    def group_rank(members: list[Candidate]) -> tuple[float, float, float]:
        return (_combined(members), max(c.trust for c in members), max(c.updated_at for c in members))

    best = max(groups.values(), key=group_rank)
    top = max(best, key=lambda c: (c.score, c.updated_at))
    agreeing = tuple(sorted({c.source for c in best}))
    reason = (f"{len(agreeing)} sources agree" if len(agreeing) > 1 else "highest trust x confidence")
    return Resolution(field_name, top.value, top.source, top.confidence, round(_combined(best), 4), agreeing, reason)


def _combined(members: list[Candidate]) -> float:
    remaining = 1.0
    for c in members:
        remaining *= 1.0 - c.score
    return 1.0 - remaining


# --- search results: one entry per book ----------------------------------------------------------
@dataclass(frozen=True)
class MergedResult:
    key: str
    title: str
    authors: tuple[str, ...]
    kind: str
    year: int | None
    isbn13: str
    cover_url: str
    publisher: str
    language: str
    description: str
    series: str
    series_index: float | None
    confidence: float
    sources: tuple[tuple[str, str], ...]  # (provider, external_id)
    records: tuple[BookRecord, ...] = field(repr=False, default=())


def work_key(record: BookRecord) -> str:
    guess = detect_series(record.title)
    title = guess.title if guess else record.title
    authors = sorted(author_key(a) for a in record.author_names)
    return comparison_key(title.split(":")[0]) + "|" + ",".join(authors[:1])


def group_records(records: list[BookRecord], priority: dict[str, int] | None = None) -> list[MergedResult]:
    """Group provider records that describe the same book: first by a shared identifier
    (ISBN-13, provider id), then by normalised title + first author."""
    priority = priority or {}
    parent = list(range(len(records)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    seen: dict[str, int] = {}
    for i, record in enumerate(records):
        keys = [f"id:{s}:{v}" for s, v in record.identifiers if v] + [f"wk:{work_key(record)}"]
        keys += [f"isbn:{record.isbn13}"] if record.isbn13 else []
        for key in keys:
            if key in seen:
                parent[find(i)] = find(seen[key])
            else:
                seen[key] = i
    clusters: dict[int, list[BookRecord]] = {}
    for i, record in enumerate(records):
        clusters.setdefault(find(i), []).append(record)
    merged = [_merge_cluster(c, priority) for c in clusters.values()]
    return sorted(merged, key=lambda m: (-len(m.sources), -m.confidence, m.title))


def _first(records: list[BookRecord], attr: str) -> Any:
    for record in records:
        value = getattr(record, attr)
        if not is_empty(value):
            return value
    return None


def _merge_cluster(cluster: list[BookRecord], priority: dict[str, int]) -> MergedResult:
    ordered = sorted(cluster, key=lambda r: (priority.get(r.provider, 100), -r.confidence))
    best = ordered[0]
    return MergedResult(
        key=f"{best.provider}:{best.external_id}", title=best.title, authors=_first(ordered, "author_names") or (),
        kind=best.kind, year=_first(ordered, "year"), isbn13=_first(ordered, "isbn13") or "",
        cover_url=_first(ordered, "cover_url") or "", publisher=_first(ordered, "publisher") or "",
        language=_first(ordered, "language") or "", description=_first(ordered, "description") or "",
        series=_first(ordered, "series") or "", series_index=_first(ordered, "series_index"),
        confidence=max(r.confidence for r in cluster),
        sources=tuple((r.provider, r.external_id) for r in ordered), records=tuple(ordered),
    )
