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


def number_array(values: Sequence[float]) -> str:
    """A PostgreSQL array literal of numbers ('{1,2,3}'), for a `%s::bigint[]` parameter: psycopg
    adapts a list element by element in Python (about 1 ms per search for its 1,200 ids)."""
    return "{" + ",".join(map(repr, values)) + "}"


def title_boost(boost_key: str, column: str = "sd.title_key") -> tuple[str, list[object]]:
    """Relevance's first key: 2 when the title is the query's words, 1 when it starts with them."""
    if not boost_key:
        return "(SELECT 0)", []
    return (
        f"CASE WHEN {column} = %s THEN 2 WHEN substr({column}, 1, %s) = %s THEN 1 ELSE 0 END",
        [boost_key, len(boost_key), boost_key],
    )
