"""Reading many rows in a loop that writes, without "database is locked" on SQLite.

`QuerySet.iterator()` keeps one cursor open while the loop runs: on SQLite (WAL) that
cursor is a read transaction on a snapshot, and a write made through the same connection
while it is open fails at once with "database is locked" (SQLITE_BUSY_SNAPSHOT) if another
connection committed meanwhile; the busy timeout does not help. `chunks` reads each page
completely (its cursor closed) before the caller sees it. A test forbids `.iterator(` in the
project's code."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def chunks(queryset: QuerySet[M], size: int = 500) -> Iterator[list[M]]:
    """The queryset's objects in lists of at most `size`, in primary-key order (the
    queryset's own ordering is replaced), each list one finished query (prefetches included).
    Paged by primary key, not by offset: rows added or deleted meanwhile shift nothing."""
    if size < 1:
        raise ValueError("size must be at least 1")
    ordered = queryset.order_by("pk")
    page = list(ordered[:size])
    while page:
        yield page
        if len(page) < size:
            return
        page = list(ordered.filter(pk__gt=page[-1].pk)[:size])
