"""core.bulk: raw bulk inserts used by the scanner and the search index (SQLite and PostgreSQL)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.bulk import insert_instances, insert_rows
from media.models import Author, Contribution, MediaItem, Series

pytestmark = pytest.mark.django_db


def test_insert_instances_sets_primary_keys_in_order_and_stamps_auto_now():
    series = Series.objects.create(title="Dune", normalized="dune", kind="ebook")
    items = [
        MediaItem(kind="ebook", title=f"Book {i}", sort_title=f"Book {i}", series=series, series_index=Decimal(i))
        for i in range(1, 2001)  # more than one chunk of parameters
    ]
    insert_instances(MediaItem, items)
    assert [it.pk for it in items] == sorted(it.pk for it in items) and items[0].pk is not None
    for item in (items[0], items[1500]):
        stored = MediaItem.objects.get(pk=item.pk)
        assert stored.title == item.title and stored.series_index == item.series_index
        assert stored.updated_at is not None and stored.added_at == item.added_at
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
    from core.bulk import insert_returning
    from media.models import SearchTerm

    SearchTerm.objects.create(term="dune")
    words = [(f"w{i:05}",) for i in range(40_000)] + [("dune",)]  # more than one chunk
    rows = insert_returning(SearchTerm, ("term",), words, ("id", "term"), conflict_fields=("term",))
    assert len(rows) == 40_000 and "dune" not in {term for _, term in rows}
    assert dict(SearchTerm.objects.filter(term__in=["w00000", "w39999"]).values_list("term", "id")) == {
        term: pk for pk, term in rows if term in ("w00000", "w39999")
    }
    assert insert_returning(SearchTerm, ("term",), [("dune",)], ("id",), conflict_fields=("term",)) == []
