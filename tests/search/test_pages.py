from __future__ import annotations

from decimal import Decimal

import pytest

from media.models import MediaItem, MediaStatus
from search.services import identify_item, record_candidates

pytestmark = pytest.mark.django_db


def test_pages_need_login(client):
    assert client.get("/search/").status_code == 302


def test_search_page_lists_provider_status(live_providers, admin_client):
    page = admin_client.get("/search/").content.decode()
    assert "Open Library: not used yet" in page and "Comic Vine" in page and 'href="/review/"' in page


def test_item_page_shows_source_confidence_and_history(live_providers, admin_client):
    item = MediaItem.objects.create(title="x", sort_title="x")
    record_candidates(item, "embedded_epub", {"title": "use of weapons", "isbn13": "9780316030571"}, 0.8)
    identify_item(item.pk)
    page = admin_client.get(f"/items/{item.pk}/").content.decode()
    assert "Use of Weapons" in page and "Open Library" in page and "EPUB metadata" in page
    assert 'class="revert"' in page


def test_review_page_lists_candidates(live_providers, admin_client):
    item = MediaItem.objects.create(title="Time War", sort_title="Time War")
    record_candidates(item, "embedded_epub", {"title": "Time War", "authors": ["Max Gladstone"]}, 0.8)
    identify_item(item.pk)
    page = admin_client.get("/review/").content.decode()
    assert "This Is How You Lose the Time War" in page and 'class="accept"' in page


def test_series_page_highlights_gaps_and_completion(admin_client):
    for title, index, status in (("One", "1", MediaStatus.IN_LIBRARY), ("Three", "3", MediaStatus.WANTED),
                                 ("Novella", "2.5", MediaStatus.IN_LIBRARY)):
        item = MediaItem.objects.create(title=title, sort_title=title, status=status)
        record_candidates(item, "opf", {"series": {"name": "Old Kingdom", "index": index},
                                        "authors": ["Garth Nix"]}, 0.9)
    series_id = MediaItem.objects.first().series_id
    page = admin_client.get(f"/series/{series_id}/").content.decode()
    assert "2 of 3 known books" in page and "missing positions: <strong" in page and "Missing" in page
    assert MediaItem.objects.get(title="Novella").series_index == Decimal("2.5")
    authors = admin_client.get("/authors/").content.decode()
    assert "Nix, Garth" in authors
