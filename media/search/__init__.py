"""Library search: filters, query compilation for SQLite FTS5 / PostgreSQL, ranking,
highlighting and result rows. The query language itself is `media.query`."""

from media.search.engine import SearchOutcome, SearchRequest, Suggestion, run
from media.search.filters import SORT_CHOICES, SORT_LABELS, STATUS_FILTER_CHOICES, SearchFilters

__all__ = [
    "SORT_CHOICES",
    "SORT_LABELS",
    "STATUS_FILTER_CHOICES",
    "SearchFilters",
    "SearchOutcome",
    "SearchRequest",
    "Suggestion",
    "run",
]
