"""The data migration that moved the library page's old hand edits (media.MetadataEdit and
MediaItem.locked_fields) into the metadata provenance before media dropped them."""

from __future__ import annotations

import pytest

from tests.migrations import migrate

BEFORE = [("media", "0003_ui_search_sort_indexes"), ("search", "0002_defaults")]
AFTER = [("media", "0004_drop_hand_edits"), ("search", "0003_media_hand_edits")]


@pytest.mark.django_db(transaction=True)
def test_old_hand_edits_and_locks_become_provenance(back_to_latest):
    old = migrate(BEFORE)
    Item, Edit = old.get_model("media", "MediaItem"), old.get_model("media", "MetadataEdit")
    Series = old.get_model("media", "Series")
    series = Series.objects.create(title="Dune Chronicles", normalized="dune chronicles")
    item = Item.objects.create(title="Dune (Deluxe)", sort_title="dune deluxe", publisher="Ace", year=1965,
                               series=series, series_index=2, locked_fields=["title", "series_index", "year"])
    Edit.objects.create(item=item, field="title", old_value="Dune", new_value="Dune (Deluxe)", locked=True)
    Edit.objects.create(item=item, field="publisher", old_value="", new_value="Chilton", locked=False,
                        reverted_at="2026-01-01T00:00:00Z")
    Edit.objects.create(item=item, field="series_index", old_value="1", new_value="2", locked=True)

    new = migrate(AFTER)
    Change, Resolved = new.get_model("search", "MetadataChange"), new.get_model("search", "ResolvedField")
    Candidate = new.get_model("search", "FieldCandidate")
    changes = {c.field: c for c in Change.objects.filter(item_id=item.pk)}
    assert set(changes) == {"title", "publisher", "series"} and all(c.reason == "manual" for c in changes.values())
    assert changes["publisher"].reverted_at is not None and changes["title"].reverted_at is None
    manual = {c.field: c.value for c in Candidate.objects.filter(item_id=item.pk, source__name="manual")}
    assert manual == {"title": "Dune (Deluxe)", "series": {"name": "Dune Chronicles", "index": 2.0}}
    resolved = {r.field: r for r in Resolved.objects.filter(item_id=item.pk)}
    assert {f for f, r in resolved.items() if r.locked} == {"title", "series", "year"}
    assert resolved["year"].value == 1965 and resolved["year"].source_id is None
    assert resolved["title"].source.name == "manual"
    assert "publisher" not in resolved  # a reverted edit leaves the field to the sources
