"""Issue 20, defect 7: without a reachable metadata provider a book can be wanted by hand
(title, author, optional ISBN, kind): through the same wanted-item service as a provider's
record (duplicates refused, the ISBN kept as an identifier from the 'wanted_request' source),
from the API and from a form on the wanted page. No provider is configured or asked here."""

from __future__ import annotations

import pytest

from downloaders.automation import due_wanted_items
from media.models import MediaItem, MediaStatus
from search.models import FieldCandidate

pytestmark = pytest.mark.django_db
URL = "/api/media/wanted/manual"


def _add(client, **body):
    return client.post(URL, {"title": "Project Hail Mary", **body}, content_type="application/json")


def test_an_admin_adds_a_wanted_book_by_hand_and_its_isbn_is_kept(admin_client):
    reply = _add(admin_client, authors=["Andy Weir"], isbn13="978-0-593-13520-4", kind="ebook")
    assert reply.status_code == 201, reply.json()
    item = MediaItem.objects.get(pk=reply.json()["data"]["id"])
    assert (item.title, item.status, item.kind, item.isbn13) == (
        "Project Hail Mary",
        MediaStatus.WANTED,
        "ebook",
        "9780593135204",
    )
    assert item.authors_display == "Andy Weir"
    assert set(item.identifiers.values_list("scheme", "value")) == {("isbn13", "9780593135204")}
    sources = set(FieldCandidate.objects.filter(item=item).values_list("source__name", flat=True))
    assert sources == {"wanted_request"}
    assert item.pk in due_wanted_items()  # the schedule searches the indexers for it


def test_a_second_wanted_book_with_the_same_isbn_is_refused(admin_client):
    assert _add(admin_client, isbn13="9780593135204").status_code == 201
    again = _add(admin_client, title="Hail Mary (again)", isbn13="0593135202")
    assert again.status_code == 409 and "already has this ISBN" in again.json()["error"]
    assert MediaItem.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"title": ""}, 422, "title"),
        ({"isbn13": "978-0-593-13520-5"}, 422, "not a valid ISBN"),
        ({"kind": "scroll"}, 422, "kind"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error_and_nothing_is_made(admin_client, body, status, words):
    reply = _add(admin_client, **body)
    assert reply.status_code == status and words in reply.json()["error"]
    assert not MediaItem.objects.exists()


def test_a_readers_book_by_hand_is_a_request(reader_client, reader_user):
    reply = _add(reader_client, authors=["Andy Weir"])
    item = MediaItem.objects.get(pk=reply.json()["data"]["id"])
    assert (item.status, item.requested_by) == (MediaStatus.REQUESTED, reader_user)
    assert item.pk not in due_wanted_items()


def test_the_api_needs_a_login(client):
    assert _add(client).status_code == 401


def test_the_wanted_page_has_the_form(admin_client):
    html = admin_client.get("/wanted/").content.decode()
    assert 'id="add-wanted-form"' in html and 'name="isbn13"' in html and "js/wanted-add.js" in html
