from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

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
    assert admin_client.get(f"/items/{item.pk}/")["Location"] == f"/library/{item.pk}/"
    page = admin_client.get(f"/library/{item.pk}/").content.decode()
    assert "Use of Weapons" in page and "Open Library" in page and "EPUB metadata" in page
    assert 'class="revert"' in page and 'id="refresh"' in page and 'id="downloads"' in page
    assert 'class="winner"' in page  # the candidate that gave the final value is marked


def test_detail_page_is_read_only_for_readers_and_shows_kind_fields(reader_client):
    item = MediaItem.objects.create(title="Dune", sort_title="Dune", kind="audiobook", duration_seconds=3600)
    page = reader_client.get(f"/library/{item.pk}/").content.decode()
    # the book page (issue 20): the length in words, empty fields (narrators, issue) left out
    assert "Length" in page and "1 h" in page and "3600" not in page
    assert "Narrat" not in page and "Issue" not in page
    assert 'id="field-title"' not in page and 'id="refresh"' not in page and "Delete to recycle" not in page
    assert reader_client.get("/library/999999/").status_code == 404


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
    assert page.index(">One<") < page.index('class="gap"') < page.index(">Novella<")  # gap 2 in its place
    assert "catalogue-rename" in page
    assert "2 of 3" in admin_client.get("/series/").content.decode()
    assert MediaItem.objects.get(title="Novella").series_index == Decimal("2.5")
    authors = admin_client.get("/authors/").content.decode()
    assert "Nix, Garth" in authors


def test_author_page_shows_aliases_covers_and_actions(admin_client, reader_user):
    item = MediaItem.objects.create(title="One", sort_title="One", cover_path="covers/1.jpg")
    record_candidates(item, "opf", {"authors": ["Garth Nix"]}, 0.9)
    author = item.contributions.get().author
    reply = admin_client.post(f"/api/authors/{author.pk}/rename", {"name": "G. Nix"}, content_type="application/json")
    assert reply.status_code == 200, reply.content
    page = admin_client.get(f"/authors/{author.pk}/").content.decode()
    assert "also known as Garth Nix" in page and f'href="/library/{item.pk}/"' in page
    assert f'src="/covers/{item.pk}/thumb?v={item.cover_version}"' in page and "catalogue-merge" in page
    assert "Garth Nix" in admin_client.get("/authors/").content.decode()
    reader = Client()
    reader.force_login(reader_user)
    assert "catalogue-merge" not in reader.get(f"/authors/{author.pk}/").content.decode()


def test_item_page_offers_a_rename_preview_of_its_files_to_admins(admin_user, reader_user):
    from django.test import Client

    from media.models import LibraryFile, MediaItem

    admin_client, reader_client = Client(), Client()
    admin_client.force_login(admin_user)
    reader_client.force_login(reader_user)
    item = MediaItem.objects.create(title="Dune", sort_title="Dune")
    LibraryFile.objects.create(item=item, path="/books/Dune.epub", size=1, mtime_ns=1, format="epub")
    link = f'/rename-books/?items={item.pk}"'
    assert link in admin_client.get(f"/library/{item.pk}/").content.decode()
    assert link not in reader_client.get(f"/library/{item.pk}/").content.decode()
