"""Identification, review queue, wanted list and the JSON API against the fake providers."""

from __future__ import annotations

import pytest
from django.test import Client

from media.models import Author, Identifier, MediaItem, MediaStatus
from search.models import ReviewItem, ReviewStatus, SearchProvider
from search.services import identify_item, record_candidates

pytestmark = pytest.mark.django_db


def scanned(title, authors=(), isbn13="", **extra):
    """An item as the scanner would create it: embedded metadata as candidates."""
    item = MediaItem.objects.create(title=title, sort_title=title)
    values = {"title": title, "authors": list(authors), **extra}
    if isbn13:
        values["isbn13"] = isbn13
    record_candidates(item, "embedded_epub", values, 0.8)
    return item


def test_isbn_match_is_applied_with_provenance(live_providers):
    item = scanned("use of weapons", ["Banks, Iain"], "9780316030571")
    outcome = identify_item(item.pk)
    assert outcome.recommendation == "strong" and outcome.applied == "openlibrary:OL10426208M"
    item.refresh_from_db()
    assert item.title == "Use of Weapons" and item.publisher == "Orbit" and item.page_count == 480
    assert Identifier.objects.filter(item=item, scheme="openlibrary", value="OL10426208M").exists()


def test_uncertain_match_goes_to_review_instead_of_being_applied(live_providers):
    item = scanned("Time War", ["Max Gladstone"], year=2021)
    outcome = identify_item(item.pk)
    assert outcome.recommendation in ("medium", "low") and outcome.review_id
    item.refresh_from_db()
    assert item.title == "Time War"  # untouched
    review = ReviewItem.objects.get(pk=outcome.review_id)
    assert review.status == ReviewStatus.PENDING
    assert review.candidates[0]["title"].lower() == "this is how you lose the time war"
    assert "title" in review.candidates[0]["penalties"] and review.candidates[0]["explain"]
    identify_item(item.pk)  # identifying again updates the same review
    assert ReviewItem.objects.filter(item=item, status=ReviewStatus.PENDING).count() == 1


def test_isbn_mismatch_from_google_is_never_applied(live_providers):
    item = scanned("Dune", ["Frank Herbert"], "9786064312617")
    outcome = identify_item(item.pk)
    assert outcome.recommendation in ("medium", "low")
    review = ReviewItem.objects.get(pk=outcome.review_id)
    assert review.candidates[0]["isbn13"] == "9786067580648" and review.candidates[0]["confidence"] <= 0.5


def test_review_accept_and_keep(live_providers, admin_client):
    item = scanned("Time War", ["Max Gladstone"])
    review_id = identify_item(item.pk).review_id
    listed = admin_client.get("/api/review/").json()["data"]["items"]
    assert listed[0]["id"] == review_id and "record" not in listed[0]["candidates"][0]
    reply = admin_client.post(f"/api/review/{review_id}/accept", {"index": 0}, content_type="application/json")
    assert reply.status_code == 200 and reply.json()["data"]["status"] == "accepted"
    item.refresh_from_db()
    assert item.title == "This Is How You Lose the Time War"
    assert set(Author.objects.values_list("name", flat=True)) == {"Max Gladstone", "Amal El-Mohtar"}
    other = scanned("Sabriel Time War", ["Nobody"])
    review2 = identify_item(other.pk).review_id
    assert admin_client.post(f"/api/review/{review2}/keep").json()["data"]["status"] == "kept"
    assert admin_client.post(f"/api/review/{review2}/keep").status_code == 422


def test_manual_search_pick_in_review(live_providers, admin_client):
    item = scanned("Some Fantasy Book", ["Garth Nix"])
    review_id = identify_item(item.pk).review_id
    reply = admin_client.post(f"/api/review/{review_id}/accept",
                              {"provider": "openlibrary", "external_id": "OL22951843M"},
                              content_type="application/json")
    assert reply.status_code == 200, reply.json()
    item.refresh_from_db()
    assert item.title == "Sabriel"


def test_open_library_down_gives_clear_status_and_search_continues(live_providers, reader_client):
    live_providers.openlibrary.stop()
    reply = reader_client.get("/api/metadata/search", {"q": "dune"}).json()["data"]
    assert [r["title"] for r in reply["results"]] == ["Dune - Editura Nemira"]
    status = {p["name"]: p for p in reply["providers"]}
    assert not status["openlibrary"]["ok"] and "Open Library: unavailable" in status["openlibrary"]["status"]
    assert "(is not answering at" in status["openlibrary"]["status"]
    assert status["googlebooks"]["ok"]
    listed = reader_client.get("/api/providers/", {"media_type": "ebook"}).json()["data"]
    assert [p["name"] for p in listed] == ["openlibrary", "googlebooks"]
    assert listed[0]["status"] == "unavailable"


def test_circuit_breaker_stops_calling_a_failing_provider(live_providers, reader_client):
    live_providers.openlibrary.fail(503)
    for _ in range(3):
        reader_client.get("/api/metadata/search", {"q": "time war"})
    calls = len(live_providers.openlibrary.requests)
    reply = reader_client.get("/api/metadata/search", {"q": "time war"}).json()["data"]
    assert len(live_providers.openlibrary.requests) == calls  # not called while the circuit is open
    ol = next(p for p in reply["providers"] if p["name"] == "openlibrary")
    assert ol["skipped"] and "retry in" in ol["status"]


def test_rate_limited_provider_status_says_when_to_retry(live_providers, reader_client):
    live_providers.googlebooks.fail(429, retry_after=40)
    reader_client.get("/api/metadata/search", {"q": "dune"})
    row = SearchProvider.objects.get(name="googlebooks")
    listed = {p["name"]: p for p in reader_client.get("/api/providers/").json()["data"]}
    assert row.status == "rate_limited"
    assert listed["googlebooks"]["status_text"] in ("Google Books: rate limited, retry in 40 s",
                                                    "Google Books: rate limited, retry in 39 s")


def test_search_marks_results_already_wanted_and_wanted_refuses_duplicates(live_providers, admin_client):
    reply = admin_client.post("/api/media/wanted/", {"provider": "googlebooks", "external_id": "GjASzgEACAAJ"},
                               content_type="application/json")
    assert reply.status_code == 201, reply.json()
    item = MediaItem.objects.get(pk=reply.json()["data"]["id"])
    assert item.status == MediaStatus.WANTED and item.isbn13 == "9784815602666" and item.language == "ja"
    again = admin_client.post("/api/media/wanted/", {"provider": "googlebooks", "external_id": "GjASzgEACAAJ"},
                               content_type="application/json")
    assert again.status_code == 409 and again.json()["error_code"] == "conflict"
    by_isbn = admin_client.post("/api/media/wanted/", {"provider": "openlibrary", "external_id": "OL999M",
                                                        "title": "x", "isbn13": "4815602662"},
                                 content_type="application/json")
    assert by_isbn.status_code == 409 and "ISBN" in by_isbn.json()["error"]
    status = admin_client.get("/api/media/status/", {"isbn": "9784815602666"}).json()["data"]
    assert status == {"exists": True, "item_id": item.pk, "kind": "ebook", "status": "wanted", "title": item.title,
                      "matched_by": "isbn"}
    results = admin_client.get("/api/metadata/search", {"isbn": "9784815602666"}).json()["data"]["results"]
    assert results[0]["in_library"]["item_id"] == item.pk


def test_wanted_from_search_result_without_lookup_uses_given_fields(live_providers, reader_client):
    reply = reader_client.post("/api/media/wanted/", {"provider": "openlibrary", "external_id": "OL20639540W",
                                                      "title": "This Is How You Lose the Time War",
                                                      "authors": ["Amal El-Mohtar", "Max Gladstone"]},
                               content_type="application/json")
    assert reply.status_code == 201
    assert MediaItem.objects.get().authors_display == "Amal El-Mohtar, Max Gladstone"


@pytest.mark.parametrize("payload", [
    {"provider": "nope", "external_id": "1"},
    {"provider": "openlibrary", "external_id": "../../etc"},
    {"provider": "openlibrary", "external_id": "OL1W", "kind": "vinyl"},
])
def test_wanted_rejects_bad_input(live_providers, reader_client, payload):
    assert reader_client.post("/api/media/wanted/", payload, content_type="application/json").status_code in (
        400, 404, 422)
    assert not MediaItem.objects.exists()


def test_metadata_endpoint_shows_sources_confidence_and_candidates(live_providers, admin_client):
    item = scanned("use of weapons", ["Iain Banks"], "9780316030571")
    identify_item(item.pk)
    data = admin_client.get(f"/api/media/{item.pk}/metadata").json()["data"]
    title = next(f for f in data["fields"] if f["field"] == "title")
    assert title["source"] == "openlibrary" and 0 < title["confidence"] <= 1
    assert {c["source"] for c in title["candidates"]} == {"openlibrary", "embedded_epub"}
    assert data["history"]


def test_manual_edit_via_api_survives_forced_refresh(live_providers, admin_client, reader_user):
    item = scanned("use of weapons", ["Iain Banks"], "9780316030571")
    identify_item(item.pk)
    reader_client = Client()
    reader_client.force_login(reader_user)
    assert reader_client.post(f"/api/media/{item.pk}/fields/title", {"value": "Mine"},
                              content_type="application/json").status_code == 403
    reply = admin_client.post(f"/api/media/{item.pk}/fields/title", {"value": "Use of Weapons (my edition)"},
                              content_type="application/json")
    assert reply.status_code == 200
    identify_item(item.pk)
    item.refresh_from_db()
    assert item.title == "Use of Weapons (my edition)"
    change_id = reply.json()["data"][0]["id"]
    assert admin_client.post(f"/api/media/changes/{change_id}/revert").status_code == 200
    item.refresh_from_db()
    assert item.title == "Use of Weapons"


def test_provider_settings_are_admin_only_and_validated(live_providers, admin_client, reader_user):
    reader_client = Client()
    reader_client.force_login(reader_user)
    assert reader_client.patch("/api/providers/comicvine", {"api_key": "k"},
                               content_type="application/json").status_code == 403
    assert admin_client.patch("/api/providers/comicvine", {"base_url": "ftp://x"},
                              content_type="application/json").status_code == 422
    reply = admin_client.patch("/api/providers/comicvine", {"api_key": "k2", "priority": 5},
                               content_type="application/json").json()["data"]
    assert reply["has_api_key"] and reply["priority"] == 5 and "k2" not in str(reply)


def test_comic_search_uses_comicvine(live_providers, reader_client):
    reply = reader_client.get("/api/metadata/search", {"q": "Futuristic Tales", "kind": "comic"}).json()["data"]
    assert [r["sources"][0]["provider"] for r in reply["results"]] == ["comicvine"]
    assert {p["name"] for p in reply["providers"]} == {"googlebooks", "comicvine"}


def test_author_rename_refuses_silent_duplicate(live_providers, admin_client):
    a = Author.objects.create(name="J. R. R. Tolkien", sort_name="Tolkien, J. R. R.", normalized="j r r tolkien")
    b = Author.objects.create(name="John Tolkien", sort_name="Tolkien, John", normalized="john tolkien")
    reply = admin_client.post(f"/api/authors/{b.pk}/rename", {"name": "Tolkien, J.R.R."},
                              content_type="application/json")
    assert reply.status_code == 409 and Author.objects.count() == 2
    reply = admin_client.post(f"/api/authors/{b.pk}/rename", {"name": "Tolkien, J.R.R.", "confirm_merge": True},
                              content_type="application/json")
    assert reply.status_code == 200 and reply.json()["data"]["id"] == a.pk
    assert reply.json()["data"]["aliases"] == ["John Tolkien"]
