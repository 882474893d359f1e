"""DropFieldIndex drops just the redundant index (no table rebuild that would lose indexes
made by hand) and puts it back when the migration is reversed."""

import pytest
from django.db import connection

from tests.migrations import migrate

REDUNDANT = [
    ("media_searchdocument", "author_sort"),
    ("media_searchdocument", "series_sort"),
    ("media_searchdocument", "total_size"),
    ("media_identifier", "item_id"),
    ("media_contribution", "item_id"),
    ("media_mediaitem", "kind"),
    ("scanning_itemmatchkey", "key"),
    ("media_libraryfile", "format"),
    ("media_libraryfile", "sha256"),
]
BEFORE = [("media", "0005_searchperf_covering_indexes"), ("scanning", "0001_initial")]


def _single_column_indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        info["columns"][0]
        for info in constraints.values()
        if info["index"] and not info["unique"] and not info["primary_key"] and len(info["columns"]) == 1
    }


def _index_names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, table))


def _index_columns(table: str) -> set[tuple[str, ...]]:
    """Each index and constraint by its columns (SQLite numbers its foreign keys by position)."""
    with connection.cursor() as cursor:
        return {tuple(i["columns"]) for i in connection.introspection.get_constraints(cursor, table).values()}


def _on_existing_columns(table: str, indexes: set[tuple[str, ...]]) -> set[tuple[str, ...]]:
    """Those of `indexes` whose columns the table has now: one on a column that a later
    migration added (media_mediaitem.work_id) is rightly gone after migrating back."""
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, table)}
    return {index for index in indexes if set(index) <= columns}


@pytest.mark.django_db(transaction=True)
def test_redundant_indexes_are_dropped_and_come_back_on_reverse():
    assert not any(column in _single_column_indexes(table) for table, column in REDUNDANT)
    kept = {table: _index_columns(table) for table, _ in REDUNDANT}
    try:
        migrate(BEFORE)
        assert all(column in _single_column_indexes(table) for table, column in REDUNDANT)
        lost = {t: _on_existing_columns(t, kept[t]) - _index_columns(t) for t in kept}
        assert not any(lost.values()), lost  # none lost
        if connection.vendor == "sqlite":
            assert "media_mediaitem_rank_cover" in _index_names("media_mediaitem")
    finally:
        migrate()
    assert not any(column in _single_column_indexes(table) for table, column in REDUNDANT)
    assert all(kept[table] == _index_columns(table) for table in kept)
    if connection.vendor == "sqlite":  # hand-made covering index survives (no table rebuild)
        assert "media_mediaitem_rank_cover" in _index_names("media_mediaitem")
