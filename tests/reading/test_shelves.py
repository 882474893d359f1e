"""Shelves: each user's own, plain or smart (a saved library search computed when read), and never
showing or taking a book from a library the user may not see."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from reading.models import Shelf
from tests.reading.library import add_book, limit_to

pytestmark = pytest.mark.django_db


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _titles(client, shelf_id) -> list[str]:
    return [row["title"] for row in client.get(f"/api/reading/shelves/{shelf_id}/items").json()["data"]["items"]]


def test_a_reader_keeps_books_on_a_shelf_and_takes_them_off(reader_client, libraries):
    created = _post(reader_client, "/api/reading/shelves", {"name": "  Bedtime   stories "})
    assert created.status_code == 201
    shelf = created.json()["data"]
    assert shelf["name"] == "Bedtime stories" and shelf["smart"] is False
    url = f"/api/reading/shelves/{shelf['id']}/items"
    assert _post(reader_client, url, {"item_id": libraries.open_item.pk}).status_code == 201
    assert _post(reader_client, url, {"item_id": libraries.open_item.pk}).status_code == 200  # already there
    assert _titles(reader_client, shelf["id"]) == ["Dune for Kids"]
    assert reader_client.get(f"/api/reading/shelves/{shelf['id']}").json()["data"]["count"] == 1
    assert reader_client.delete(f"{url}/{libraries.open_item.pk}").status_code == 200
    assert _titles(reader_client, shelf["id"]) == []


def test_shelf_names_are_unique_per_user_and_renaming_works(reader_client, libraries):
    first = _post(reader_client, "/api/reading/shelves", {"name": "Classics"}).json()["data"]
    assert _post(reader_client, "/api/reading/shelves", {"name": "Classics"}).status_code == 409
    renamed = reader_client.patch(
        f"/api/reading/shelves/{first['id']}", data=json.dumps({"name": "Old ones"}), content_type="application/json"
    )
    assert renamed.json()["data"]["name"] == "Old ones"


def test_another_users_shelf_does_not_exist_for_you(reader_user, admin_user, libraries):
    owner, other = Client(), Client()
    owner.force_login(reader_user)
    other.force_login(admin_user)
    shelf = _post(owner, "/api/reading/shelves", {"name": "Mine"}).json()["data"]
    assert other.get(f"/api/reading/shelves/{shelf['id']}").status_code == 404
    assert (
        _post(other, f"/api/reading/shelves/{shelf['id']}/items", {"item_id": libraries.open_item.pk}).status_code
        == 404
    )
    assert other.delete(f"/api/reading/shelves/{shelf['id']}").status_code == 404
    assert other.get("/api/reading/shelves").json()["data"] == []
    assert other.get(f"/shelves/{shelf['id']}/").status_code == 404


def test_a_smart_shelf_lists_what_its_search_finds_when_read(reader_client, libraries):
    shelf = _post(reader_client, "/api/reading/shelves", {"name": "Dunes", "query": "dune"}).json()["data"]
    assert shelf["smart"] is True and shelf["query"] == "q=dune"
    assert sorted(_titles(reader_client, shelf["id"])) == ["Dune Unabridged", "Dune for Kids"]
    add_book(libraries.kids, "Dune Messiah")  # added after the shelf was made
    assert "Dune Messiah" in _titles(reader_client, shelf["id"])
    add = _post(reader_client, f"/api/reading/shelves/{shelf['id']}/items", {"item_id": libraries.open_item.pk})
    assert add.status_code == 409


def test_a_smart_shelf_takes_the_library_pages_query_string(reader_client, libraries):
    add_book(libraries.kids, "Solaris")
    shelf = _post(reader_client, "/api/reading/shelves", {"name": "S", "query": "?q=solaris&sort=title"}).json()["data"]
    assert _titles(reader_client, shelf["id"]) == ["Solaris"]
    bad = _post(reader_client, "/api/reading/shelves", {"name": "Bad", "query": "q=x&year_min=notayear"})
    assert bad.status_code == 422


def test_a_limited_reader_neither_sees_nor_shelves_a_hidden_book(reader_client, reader_user, libraries):
    plain = _post(reader_client, "/api/reading/shelves", {"name": "Plain"}).json()["data"]
    smart = _post(reader_client, "/api/reading/shelves", {"name": "Smart", "query": "dune"}).json()["data"]
    items = f"/api/reading/shelves/{plain['id']}/items"
    _post(reader_client, items, {"item_id": libraries.hidden_item.pk})  # while every library was visible
    limit_to(reader_user, libraries.kids)
    assert _titles(reader_client, plain["id"]) == []
    assert _titles(reader_client, smart["id"]) == ["Dune for Kids"]
    assert _post(reader_client, items, {"item_id": libraries.hidden_item.pk}).status_code == 404
    assert reader_client.delete(f"{items}/{libraries.hidden_item.pk}").status_code == 404
    page = reader_client.get(f"/shelves/{plain['id']}/").content.decode()
    assert "Dune Unabridged" not in page


def test_the_shelves_pages_show_shelves_statuses_and_books(reader_client, reader_user, libraries):
    from reading import progress

    shelf = _post(reader_client, "/api/reading/shelves", {"name": "Favourites"}).json()["data"]
    _post(reader_client, f"/api/reading/shelves/{shelf['id']}/items", {"item_id": libraries.open_item.pk})
    progress.set_status(reader_user, libraries.open_item, "want")
    listing = reader_client.get("/shelves/").content.decode()
    assert "Favourites" in listing and "status-want" in listing and "Dune for Kids" in listing
    detail = reader_client.get(f"/shelves/{shelf['id']}/").content.decode()
    assert "Dune for Kids" in detail and f"/api/reading/shelves/{shelf['id']}/items/{libraries.open_item.pk}" in detail
    book = reader_client.get(f"/library/{libraries.open_item.pk}/").content.decode()
    assert "✓ Favourites" in book


def test_the_library_page_offers_its_search_as_a_smart_shelf(reader_client, libraries):
    page = reader_client.get("/library/?q=dune&kind=ebook").content.decode()
    assert "/shelves/?query=q%3Ddune%26kind%3Debook" in page
    form = reader_client.get("/shelves/?query=q%3Ddune%26kind%3Debook").content.decode()
    assert 'value="q=dune&amp;kind=ebook"' in form


def test_the_bulk_action_puts_only_the_books_a_reader_may_see_on_their_shelf(reader_client, reader_user, libraries):
    limit_to(reader_user, libraries.kids)
    second = add_book(libraries.kids, "Dune Sequel for Kids")
    shelf = _post(reader_client, "/api/reading/shelves", {"name": "Bedtime"}).json()["data"]
    url = f"/api/reading/shelves/{shelf['id']}/items/bulk"
    asked = [libraries.open_item.pk, libraries.hidden_item.pk, second.item_id, 999_999, libraries.open_item.pk]
    reply = _post(reader_client, url, {"item_ids": asked})
    assert reply.status_code == 200, reply.content
    assert reply.json()["data"] == {"added": 2, "already": 0, "not_added": 2}  # hidden and unknown alike
    assert _titles(reader_client, shelf["id"]) == ["Dune for Kids", "Dune Sequel for Kids"]
    assert _post(reader_client, url, {"item_ids": [second.item_id]}).json()["data"] == {
        "added": 0, "already": 1, "not_added": 0}


def test_the_bulk_action_refuses_another_users_shelf_a_smart_shelf_and_an_empty_selection(
        reader_client, admin_user, libraries):
    theirs = Shelf.objects.create(user=admin_user, name="Admin's")
    body = {"item_ids": [libraries.open_item.pk]}
    assert _post(reader_client, f"/api/reading/shelves/{theirs.pk}/items/bulk", body).status_code == 404
    assert not theirs.entries.exists()
    smart = _post(reader_client, "/api/reading/shelves", {"name": "Dunes", "query": "dune"}).json()["data"]
    assert _post(reader_client, f"/api/reading/shelves/{smart['id']}/items/bulk", body).status_code == 409
    mine = _post(reader_client, "/api/reading/shelves", {"name": "Mine"}).json()["data"]
    assert _post(reader_client, f"/api/reading/shelves/{mine['id']}/items/bulk", {"item_ids": []}).status_code == 422
