"""Small SQL helpers the search modules share (raw SQL: FTS5, tsvector and RUM are not ORM)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

DOCS = "media_searchdocument"


def fetch(sql: str, params: Sequence[object]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def docs_join(where: Sequence[str]) -> str:
    """The join to the search document (alias sd), when one of the `where` clauses reads it."""
    return f"JOIN {DOCS} sd ON sd.item_id = m.id " if any("sd." in c for c in where) else ""
