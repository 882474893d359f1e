"""Metadata search across providers (parallel, merged) and record (de)serialisation."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from core import isbn as isbn_tools
from core.errors import InvalidInput
from search.merge import MergedResult, group_records
from search.providers.base import AuthorRef, BookRecord, Capability, SearchQuery
from search.services.providers import ProviderOutcome, call_providers, rows_for


@dataclass(frozen=True)
class SearchOutcome:
    results: list[MergedResult]
    providers: list[ProviderOutcome]


def _records_for(query: SearchQuery):
    isbn13 = isbn_tools.to_isbn13(query.isbn) if query.isbn else None

    def run(provider) -> list[BookRecord]:
        if isbn13 and Capability.LOOKUP in provider.info.capabilities:
            found = provider.lookup("isbn13", isbn13)
            if found is not None:
                return [found]
        return provider.search(query)

    return run


def search_metadata(query: SearchQuery, *, providers: list[str] | None = None) -> SearchOutcome:
    if query.is_empty:  # nothing to search for finds nothing
        return SearchOutcome([], [])
    if query.isbn and isbn_tools.to_isbn13(query.isbn) is None:
        raise InvalidInput(f"{query.isbn!r} is not a valid ISBN-10 or ISBN-13")
    rows = rows_for(query.kind, Capability.SEARCH, providers)
    outcomes = call_providers(rows, _records_for(query))
    records = [r for o in outcomes if o.ok for r in (o.result or [])]
    priority = {r.name: r.priority for r in rows}
    return SearchOutcome(group_records(records, priority), outcomes)


def record_to_dict(record: BookRecord) -> dict[str, Any]:
    return asdict(record)


def record_from_dict(data: dict[str, Any]) -> BookRecord:
    values = dict(data)
    values["authors"] = tuple(AuthorRef(**a) if isinstance(a, dict) else AuthorRef(str(a))
                              for a in values.get("authors") or ())
    values["identifiers"] = tuple(tuple(i) for i in values.get("identifiers") or ())
    for key in ("subjects", "narrators"):
        values[key] = tuple(values.get(key) or ())
    known = BookRecord.__dataclass_fields__
    return BookRecord(**{k: v for k, v in values.items() if k in known})


def lookup_record(provider_name: str, external_id: str) -> tuple[BookRecord | None, ProviderOutcome]:
    """One record by the provider's own id (used by add-to-wanted and manual review picks)."""
    from search.models import SearchProvider

    row = SearchProvider.objects.filter(name=provider_name).first()
    if row is None:
        raise InvalidInput(f"Unknown provider {provider_name!r}")
    scheme = {"googlebooks": "google"}.get(provider_name, provider_name)
    [outcome] = call_providers([row], lambda p: p.lookup(scheme, external_id))
    return (outcome.result if outcome.ok else None), outcome
