"""A reader's wanted item is a request: the schedule neither searches nor grabs it until an admin
approves it, and what the reader typed is never shown as coming from a provider. Through the
API against the fake providers, with the real periodic search on the stub broker."""

from __future__ import annotations

import pytest

from core.models import Job
from downloaders.automation import due_wanted_items, search_wanted
from media.models import MediaItem, MediaStatus

pytestmark = pytest.mark.django_db

SABRIEL_WORK = "OL15832982W"  # recorded /works/OL15832982W.json


def want(client, **payload):
    body = {"provider": "openlibrary", "external_id": SABRIEL_WORK, **payload}
    return client.post("/api/media/wanted/", body, content_type="application/json")


def requested(client, **payload) -> MediaItem:
    reply = want(client, **payload)
    assert reply.status_code == 201, reply.json()
    return MediaItem.objects.get(pk=reply.json()["data"]["id"])


def test_a_readers_wanted_item_is_a_request_the_schedule_does_not_search(live_providers, reader_client,
                                                                          reader_user, broker):
    item = requested(reader_client)
    assert (item.status, item.requested_by) == (MediaStatus.REQUESTED, reader_user)
    assert item.pk not in due_wanted_items()
    search_wanted()
    assert not Job.objects.filter(kind="downloaders.search_item").exists()


def test_an_admin_approves_a_request_and_the_schedule_then_searches_it(live_providers, reader_user, admin_user,
                                                                       broker, client):
    client.force_login(reader_user)
    item = requested(client)
    assert client.post(f"/api/media/wanted/{item.pk}/approve").status_code == 403  # a reader cannot approve
    client.force_login(admin_user)
    listed = client.get("/api/media/wanted/requests/").json()["data"]["items"]
    assert [(r["id"], r["requested_by"]) for r in listed] == [(item.pk, "reader")]
    reply = client.post(f"/api/media/wanted/{item.pk}/approve")
    assert reply.status_code == 200 and reply.json()["data"]["status"] == "wanted"
    assert item.pk in due_wanted_items()
    search_wanted()
    assert Job.objects.filter(kind="downloaders.search_item", target=f"item:{item.pk}").exists()
    again = client.post(f"/api/media/wanted/{item.pk}/approve")
    assert again.status_code == 409 and "not a request" in again.json()["error"]


def test_a_denied_request_is_removed(live_providers, reader_user, admin_user, client):
    client.force_login(reader_user)
    item = requested(client)
    assert client.post(f"/api/media/wanted/{item.pk}/deny").status_code == 403
    client.force_login(admin_user)
    assert client.post(f"/api/media/wanted/{item.pk}/deny").status_code == 200
    assert not MediaItem.objects.filter(pk=item.pk).exists()
    assert client.post(f"/api/media/wanted/{item.pk}/deny").status_code == 404


def test_an_admins_wanted_item_is_wanted_at_once(live_providers, admin_client):
    item = requested(admin_client)
    assert (item.status, item.requested_by) == (MediaStatus.WANTED, None)


def test_a_readers_own_words_are_never_credited_to_the_provider(live_providers, reader_client):
    """The provider has no such record: the title the reader typed is the reader's, not Open Library's."""
    item = requested(reader_client, external_id="OL0000000M", title="=Totally Real Book", authors=["Nobody"])
    fields = {f["field"]: f for f in reader_client.get(f"/api/media/{item.pk}/metadata").json()["data"]["fields"]}
    assert fields["title"]["value"] == "=Totally Real Book"
    assert fields["title"]["source"] == "wanted_request"
    assert {c["source"] for c in fields["title"]["candidates"]} == {"wanted_request"}


def test_the_wanted_page_lists_requests_with_approve_buttons_for_admins_only(live_providers, reader_user,
                                                                             admin_user, client):
    client.force_login(reader_user)
    requested(client)
    page = client.get("/wanted/").content.decode()
    assert "Requests waiting for an admin" in page and "Sabriel" in page and 'class="approve"' not in page
    client.force_login(admin_user)
    page = client.get("/wanted/").content.decode()
    assert 'class="approve"' in page and "js/wanted.js" in page
