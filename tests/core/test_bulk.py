"""core.bulk: raw bulk inserts used by the scanner and the search index (SQLite and PostgreSQL)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from core.bulk import insert_returning, insert_rows
from media.models import Author, Contribution, MediaItem, Series

pytestmark = pytest.mark.django_db


def test_insert_returning_without_conflicts_gives_ids_in_the_order_given():
    from django.utils import timezone

    series = Series.objects.create(title="Dune", normalized="dune", kind="ebook")
    now = timezone.now()
    blank = ("subtitle", "description", "language", "publisher", "published", "isbn13", "issue_number", "volume",
             "cover_path")
    columns = ("kind", "title", "sort_title", "series_id", "series_index", "added_at", "updated_at", "status", *blank)
    rows = [
        ("ebook", f"Book {i}", f"Book {i}", series.pk, Decimal(i) / 4, now, now, "in_library", *[""] * len(blank))
        for i in range(2000, 0, -1)
    ]
    ids = insert_returning(MediaItem, columns, rows, ("id", "title"))  # more than one chunk of parameters
    assert [title for _, title in ids] == [row[1] for row in rows]
    assert [pk for pk, _ in ids] == sorted(pk for pk, _ in ids)
    for (pk, _), row in zip(ids[::700], rows[::700], strict=True):
        stored = MediaItem.objects.get(pk=pk)
        assert (stored.title, stored.series_index, stored.added_at) == (row[1], row[4], now)
    assert MediaItem.objects.count() == 2000


def test_insert_rows_ignores_or_updates_conflicts_as_asked():
    item = MediaItem.objects.create(kind="ebook", title="Dune", sort_title="Dune")
    author = Author.objects.create(name="Frank Herbert", sort_name="Herbert, Frank", normalized="frank herbert")
    columns = ("item_id", "author_id", "role", "position")
    assert insert_rows(Contribution, columns, [(item.pk, author.pk, "author", 0)]) == 1
    insert_rows(Contribution, columns, [(item.pk, author.pk, "author", 5)], on_conflict="ignore")
    assert Contribution.objects.get().position == 0
    insert_rows(
        Contribution,
        columns,
        [(item.pk, author.pk, "author", 7)],
        on_conflict="update",
        conflict_fields=("item", "author", "role"),
        update_fields=("position",),
    )
    assert Contribution.objects.get().position == 7
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Contribution, columns, [(item.pk, author.pk, "author", 1)])


def test_insert_returning_gives_back_only_the_rows_it_inserted():
    from media.models import SearchTerm

    SearchTerm.objects.create(term="dune")
    words = [(f"w{i:05}",) for i in range(40_000)] + [("dune",)]  # more than one chunk
    rows = insert_returning(SearchTerm, ("term",), words, ("id", "term"), conflict_fields=("term",))
    assert len(rows) == 40_000 and "dune" not in {term for _, term in rows}
    assert dict(SearchTerm.objects.filter(term__in=["w00000", "w39999"]).values_list("term", "id")) == {
        term: pk for pk, term in rows if term in ("w00000", "w39999")
    }
    assert insert_returning(SearchTerm, ("term",), [("dune",)], ("id",), conflict_fields=("term",)) == []


def test_an_upsert_of_the_same_key_twice_in_one_call_keeps_the_last_row():
    """PostgreSQL takes the rows in one statement (UNNEST), which may not update a row twice:
    the result must stay that of row-by-row upserts."""
    item = MediaItem.objects.create(kind="ebook", title="Dune", sort_title="Dune")
    author = Author.objects.create(name="Frank Herbert", sort_name="Herbert, Frank", normalized="frank herbert")
    rows = [(item.pk, author.pk, "author", position) for position in (3, 1, 2)]
    insert_rows(
        Contribution,
        ("item_id", "author_id", "role", "position"),
        rows,
        on_conflict="update",
        conflict_fields=("item", "author", "role"),
        update_fields=("position",),
    )
    assert list(Contribution.objects.values_list("position", flat=True)) == [2]


def _autocheckpoint() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="a SQLite setting")
def test_spaced_checkpoints_raise_the_wal_threshold_and_restore_it_even_after_an_error():
    from core.bulk import spaced_checkpoints

    before = _autocheckpoint()
    with pytest.raises(RuntimeError), spaced_checkpoints(pages=5_000):
        assert _autocheckpoint() == 5_000
        raise RuntimeError("a batch failed")
    assert _autocheckpoint() == before
