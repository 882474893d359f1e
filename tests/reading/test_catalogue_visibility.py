"""A reader limited to some libraries never meets a hidden library's book in the catalogue:
not in the library page, its search, the JSON API, the export, series and author pages and
lists, the dashboard, covers, the book page. Its id answers 404, as if it did not exist.
Admins and unrestricted readers see everything; wanted books without files stay visible."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.test import Client

from core import visibility
from core.visibility import hidden_items
from media.covers import store_image
from media.models import Contribution, MediaItem, MediaStatus, Series
from media.search import SearchRequest, run
from reading.models import LibraryAccess
from tests.reading.library import Libraries, add_book, limit_to
from tests.scanning.samples import noise_jpeg
from tests.ui.factories import author, make_item

pytestmark = pytest.mark.django_db


@dataclass
class Catalogue:
    open_item: MediaItem
    hidden_item: MediaItem
    wanted_item: MediaItem
    hidden_series: Series
    shared_series: Series


def _describe(item: MediaItem, *, series: Series, authors: list[str], cover: int) -> None:
    item.series = series
    item.cover_path = store_image(noise_jpeg(cover), ".jpg")
    item.save()
    for position, name in enumerate(authors):
        Contribution.objects.create(item=item, author=author(name), position=position)


@pytest.fixture
def catalogue(libraries: Libraries) -> Catalogue:
    """Dune for Kids (library Kids) and Dune Unabridged (library Private), both by Frank
    Herbert; only the hidden one also has Secret Ghostwriter and the series Secret Saga."""
    shared = Series.objects.create(title="Dune Chronicles", normalized="dune chronicles")
    hidden_series = Series.objects.create(title="Secret Saga", normalized="secret saga")
    _describe(libraries.open_item, series=shared, authors=["Frank Herbert"], cover=1)
    _describe(libraries.hidden_item, series=hidden_series, authors=["Frank Herbert", "Secret Ghostwriter"], cover=2)
    wanted = make_item("Dune Wanted Edition", authors=["Frank Herbert"], status=MediaStatus.WANTED)
    return Catalogue(libraries.open_item, libraries.hidden_item, wanted, hidden_series, shared)


@pytest.fixture
def limited(reader_user, libraries) -> Client:
    limit_to(reader_user, libraries.kids)
    client = Client()
    client.force_login(reader_user)
    return client


@pytest.fixture(params=["admin", "reader without a choice", "reader of every library"])
def sees_all(request, admin_user, reader_user) -> Client:
    user = admin_user if request.param == "admin" else reader_user
    if request.param == "reader of every library":
        LibraryAccess.objects.create(user=reader_user, all_libraries=True)
    client = Client()
    client.force_login(user)
    return client


def _api(client: Client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()["data"]


def _ids(client: Client, url: str) -> list[int]:
    return [row["id"] for row in _api(client, url)["items"]]


def _html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


LISTS = ["/library/", "/library/?q=dune", "/library/?view=table", "/", "/dashboard/live", "/series/", "/authors/"]


def test_the_library_search_and_api_leave_out_a_hidden_librarys_book(limited, catalogue):
    for url in ("/api/library/search?q=dune", "/api/library/items", "/api/library/search?q=dune&regex=true"):
        assert _ids(limited, url) == [catalogue.open_item.pk], url
    page = _api(limited, "/api/library/search?q=dune&page_size=1")
    assert page["total"] == 1 and not page["total_estimated"] and not page["has_next"]


def test_the_count_leaves_out_hidden_books_when_more_pages_follow(limited, libraries, catalogue):
    for n in range(3):
        add_book(libraries.kids, f"Dune Sequel {n}")
        add_book(libraries.private, f"Dune Secret {n}")
    page = _api(limited, "/api/library/items?page_size=2")
    assert page["has_next"] and page["total"] == 4 and not page["total_estimated"]
    assert _api(limited, "/api/library/search?q=dune&page_size=2")["total"] == 4


@pytest.mark.parametrize("url", LISTS)
def test_pages_and_lists_do_not_show_a_hidden_librarys_book(limited, catalogue, url):
    html = _html(limited, url)
    hidden_links = [f"/covers/{catalogue.hidden_item.pk}", f"/library/{catalogue.hidden_item.pk}/",
                    f"/series/{catalogue.hidden_series.pk}/", f"/authors/{author('Secret Ghostwriter').pk}/"]
    assert "Dune Unabridged" not in html and "Secret Saga" not in html and "Ghostwriter" not in html
    assert not [link for link in hidden_links if link in html]
    assert "Dune for Kids" in html or "Dune Chronicles" in html or "Herbert" in html  # the open one shows


def test_the_export_leaves_out_a_hidden_librarys_book(limited, catalogue):
    rows = json.loads(limited.get("/api/library/export?fmt=json").content)
    assert [row["id"] for row in rows] == [catalogue.open_item.pk]
    csv = limited.get("/api/library/export?fmt=csv&q=dune").content.decode()
    assert "Dune for Kids" in csv and "Dune Unabridged" not in csv


def _item_urls(item: MediaItem) -> list[str]:
    return [f"/library/{item.pk}/", f"/api/library/items/{item.pk}", f"/api/media/{item.pk}/metadata",
            f"/api/media/{item.pk}/covers", f"/covers/{item.pk}", f"/covers/{item.pk}/thumb"]


def test_a_hidden_librarys_book_is_not_found_by_its_id(limited, catalogue):
    for url in _item_urls(catalogue.hidden_item):
        assert limited.get(url).status_code == 404, url
    for url in _item_urls(catalogue.open_item):
        assert limited.get(url).status_code == 200, url


def test_series_and_authors_only_of_hidden_books_do_not_exist(limited, reader_user, catalogue):
    assert limited.get(f"/series/{catalogue.hidden_series.pk}/").status_code == 404
    ghost = author("Secret Ghostwriter")
    assert limited.get(f"/authors/{ghost.pk}/").status_code == 404
    from search.selectors import author_rows, series_rows

    assert author_rows(reader_user).get(name="Frank Herbert").books == 2  # the open book and the wanted one
    assert series_rows(reader_user).get(pk=catalogue.shared_series.pk).known == 1
    herbert = _html(limited, f"/authors/{author('Frank Herbert').pk}/")
    assert "Dune for Kids" in herbert and "Dune Unabridged" not in herbert
    assert "Dune for Kids" in _html(limited, f"/series/{catalogue.shared_series.pk}/")


def test_the_item_page_lists_no_hidden_edition_of_the_same_work(limited, catalogue):
    from media.models import Work

    work = Work.objects.create(provider="openlibrary", external_id="OL1W", title="Dune")
    MediaItem.objects.filter(pk__in=[catalogue.open_item.pk, catalogue.hidden_item.pk]).update(work=work)
    editions = _api(limited, f"/api/library/items/{catalogue.open_item.pk}")["work"]["editions"]
    assert editions == []


def test_a_wanted_book_without_files_still_shows(limited, catalogue):
    assert "Dune Wanted Edition" in _html(limited, "/wanted/")
    assert _ids(limited, "/api/library/items?status=wanted") == [catalogue.wanted_item.pk]
    assert limited.get(f"/library/{catalogue.wanted_item.pk}/").status_code == 200


def test_admins_and_unrestricted_readers_see_every_library(sees_all, catalogue):
    both = sorted([catalogue.open_item.pk, catalogue.hidden_item.pk])
    assert sorted(_ids(sees_all, "/api/library/search?q=dune")) == both
    assert sorted(_ids(sees_all, "/api/library/items")) == both
    shown = {"/library/": "Dune Unabridged", "/": "Dune Unabridged", "/series/": "Secret Saga",
             "/authors/": "Ghostwriter, Secret", f"/series/{catalogue.hidden_series.pk}/": "Dune Unabridged"}
    for url, text in shown.items():
        assert text in _html(sees_all, url), url
    for url in _item_urls(catalogue.hidden_item):
        assert sees_all.get(url).status_code == 200, url
    assert sees_all.get(f"/authors/{author('Secret Ghostwriter').pk}/").status_code == 200


def test_admins_add_nothing_to_their_queries_and_unrestricted_readers_no_query(
    admin_user, reader_user, catalogue, django_assert_num_queries
):
    assert hidden_items(admin_user) is None
    request = SearchRequest(q="dune")
    visibility._BUILT.clear()  # built afresh here, not taken from an earlier test
    with django_assert_num_queries(0):
        hidden = hidden_items(reader_user)  # subqueries only: the database decides in the search
    plain = run(request)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as admin_queries:
        run(request)
    with CaptureQueriesContext(connection) as reader_queries:
        as_reader = run(SearchRequest(q="dune", hidden=hidden))
    assert as_reader.ids == plain.ids and len(reader_queries) == len(admin_queries)


def test_a_reader_who_is_not_logged_in_sees_no_library_book(catalogue):
    from django.contrib.auth.models import AnonymousUser

    hidden = hidden_items(AnonymousUser())
    assert run(SearchRequest(q="dune", hidden=hidden)).ids == ()


def test_the_review_queue_leaves_out_a_hidden_librarys_book(limited, catalogue):
    from search.models import ReviewItem

    for item in (catalogue.open_item, catalogue.hidden_item):
        ReviewItem.objects.create(item=item, recommendation="low", reason=f"Unsure about {item.title}")
    html = _html(limited, "/review/")
    assert "Unsure about Dune for Kids" in html and "Dune Unabridged" not in html
    assert [row["item_id"] for row in _api(limited, "/api/review/")["items"]] == [catalogue.open_item.pk]


def test_a_library_saved_with_a_trailing_slash_still_shows_its_books(reader_user, libraries):
    from reading.visibility import visible_items

    libraries.kids.path += "/"
    libraries.kids.save()
    limit_to(reader_user, libraries.kids)
    assert list(visible_items(reader_user)) == [libraries.open_item]
    assert run(SearchRequest(q="dune", hidden=hidden_items(reader_user))).ids == (libraries.open_item.pk,)


def test_a_change_of_libraries_shows_at_the_next_request(limited, reader_user, libraries, catalogue):
    assert _ids(limited, "/api/library/search?q=dune") == [catalogue.open_item.pk]
    limit_to(reader_user, libraries.private)
    assert _ids(limited, "/api/library/search?q=dune") == [catalogue.hidden_item.pk]
    assert limited.get(f"/library/{catalogue.open_item.pk}/").status_code == 404
    LibraryAccess.objects.filter(user=reader_user).update(all_libraries=True)
    assert len(_ids(limited, "/api/library/search?q=dune")) == 2
