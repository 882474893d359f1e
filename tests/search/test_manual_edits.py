"""Hand edits through the metadata provenance (the single truth for edits, locks and history):
edits update the catalogue and the library search index, invalid values are refused with
nothing changed, locks hold against every automatic source, every change can be reverted."""

from __future__ import annotations

import pytest
from django.test import Client

from core.errors import InvalidInput
from media.models import MediaItem
from media.search import SearchRequest, run
from search.models import ChangeReason, FieldCandidate, MetadataChange, ResolvedField
from search.services import lock_field, record_candidates, revert_change, set_manual_value
from tests.ui.factories import make_item

pytestmark = pytest.mark.django_db


def test_manual_edits_update_catalogue_history_and_search_index():
    item = make_item("Dune", authors=["Frank Herbert"], year=1965)
    for field, value in (("title", "Dune (Deluxe)"), ("year", "1966"), ("authors", ["F. Herbert", "Xavier Y"]),
                         ("isbn13", "0-441-01359-7"), ("series", {"name": "Dune Chronicles", "index": "1"}),
                         ("subjects", "SF; Classics")):
        set_manual_value(item, field, value, lock=True)
    item = MediaItem.objects.get(pk=item.pk)
    assert item.title == "Dune (Deluxe)" and item.year == 1966 and item.isbn13 == "9780441013593"
    assert item.series.title == "Dune Chronicles" and str(item.series_index) == "1.00"
    assert [c.author.name for c in item.contributions.order_by("position")] == ["F. Herbert", "Xavier Y"]
    assert ResolvedField.objects.get(item=item, field="subjects").value == ["SF", "Classics"]
    locked = set(ResolvedField.objects.filter(item=item, locked=True).values_list("field", flat=True))
    assert locked == {"title", "year", "authors", "isbn13", "series", "subjects"}
    assert MetadataChange.objects.filter(item=item, reason=ChangeReason.MANUAL).count() == 6
    assert run(SearchRequest(q="deluxe")).ids == (item.pk,)
    assert run(SearchRequest(q="author:xavier")).ids == (item.pk,)


def test_lock_holds_against_sources_and_unlock_lets_them_in_again():
    item = make_item("Dune")
    set_manual_value(item, "title", "My Title", lock=True)
    lock_field(item, "year", locked=True)
    record_candidates(item, "openlibrary", {"title": "Provider Title", "year": 1965, "publisher": "Ace"}, 0.9)
    item.refresh_from_db()
    assert (item.title, item.year, item.publisher) == ("My Title", None, "Ace")
    lock_field(item, "year", locked=False)
    record_candidates(item, "openlibrary", {"year": 1965}, 0.9)
    item.refresh_from_db()
    assert item.year == 1965


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "  ", "cannot be empty"),
        ("year", "abc", "whole number"),
        ("year", 0, "between"),
        ("isbn13", "123", "not a valid ISBN"),
        ("series", {"name": "Dune", "index": "x"}, "number"),
        ("series", {"name": ""}, "needs a name"),
        ("cover", "x.jpg", "cannot be edited"),
        ("cover_path", "x", "Unknown field"),
        ("publisher", "p" * 300, "longer than"),
    ],
)
def test_bad_edits_are_refused_without_changes(field, value, message):
    item = make_item("Dune", year=1965)
    with pytest.raises(InvalidInput, match=message):
        set_manual_value(item, field, value)
    item.refresh_from_db()
    assert item.title == "Dune" and item.year == 1965
    assert not MetadataChange.objects.exists() and not FieldCandidate.objects.exists()


def test_revert_of_an_edit_no_source_knows_restores_the_catalogue_value():
    item = make_item("Dune")
    [change] = set_manual_value(item, "title", "Wrong")
    revert_change(change.pk)
    item.refresh_from_db()
    assert item.title == "Dune"
    change.refresh_from_db()
    assert change.reverted_at is not None
    assert MetadataChange.objects.filter(item=item, reason=ChangeReason.REVERT, new_value="Dune").exists()


@pytest.fixture
def reader(reader_user):
    other = Client()
    other.force_login(reader_user)
    return other


def test_field_api_needs_admin_validates_and_locks(admin_client, reader):
    item = make_item("Dune")
    url = f"/api/media/{item.pk}/fields"
    assert reader.post(f"{url}/title", {"value": "X"}, content_type="application/json").status_code == 403
    assert reader.post(f"{url}/year/lock", {"locked": True}, content_type="application/json").status_code == 403
    body = admin_client.post(f"{url}/publisher", {"value": "Ace", "lock": True},
                             content_type="application/json").json()
    assert body["success"] and body["data"][0]["new_value"] == "Ace"
    assert admin_client.post(f"{url}/year/lock", {"locked": True}, content_type="application/json").status_code == 200
    meta = admin_client.get(f"/api/media/{item.pk}/metadata").json()["data"]
    assert {f["field"] for f in meta["fields"] if f["locked"]} == {"publisher", "year"}
    bad = admin_client.post(f"{url}/year", {"value": "nope"}, content_type="application/json")
    assert bad.status_code == 422 and "whole number" in bad.json()["error"]


def test_library_edit_endpoints_are_gone(admin_client):
    item = make_item("Dune")
    assert admin_client.post(f"/api/library/items/{item.pk}/metadata", {"changes": {"title": "X"}},
                             content_type="application/json").status_code in (404, 405)
    assert admin_client.post("/api/library/edits/1/revert").status_code in (404, 405)
