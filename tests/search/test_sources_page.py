"""Adding and retiring a data source from the Data sources page (issue 24 item 12): an admin
adds a source of an existing kind with its own address and key (the key never shown back, not
even when the form comes back with errors) and retires an added one after a confirmation page;
its values stay. Readers see the page without either."""

from __future__ import annotations

import pytest
from django.test import Client

from media.models import MediaItem
from search.models import DataSource, FieldCandidate, SearchProvider
from search.services import record_candidates

pytestmark = pytest.mark.django_db
SECRET = "gb-key-0123456789abcdef"
FIELDS = ("kind", "name", "label", "base_url", "api_key", "covers_base_url", "priority")


def _form(**changes) -> dict:
    data = {
        "kind": "googlebooks",
        "name": "gb-mine",
        "label": "My Google Books",
        "base_url": "https://www.googleapis.com/books/v1",
        "api_key": SECRET,
        "covers_base_url": "",
        "priority": "60",
    }
    return {f"add-{key}": value for key, value in {**data, **changes}.items()}


def test_an_admin_adds_a_source_from_the_page_and_its_key_is_never_shown(admin_client):
    page = admin_client.get("/sources/").content.decode()
    for field in FIELDS:  # every input has its label
        assert f'<label for="id_add-{field}">' in page and f'id="id_add-{field}"' in page
    assert 'type="password"' in page and "Add source" in page
    reply = admin_client.post("/sources/add", _form())
    assert reply.status_code == 302 and reply["Location"] == "/sources/"
    row = SearchProvider.objects.get(name="gb-mine")
    assert (row.kind, row.label, row.api_key, row.priority, row.enabled) == (
        "googlebooks",
        "My Google Books",
        SECRET,
        60,
        True,
    )
    source = DataSource.objects.get(name="gb-mine")
    assert source.probation_items > 0
    page = admin_client.get("/sources/").content.decode()
    assert "My Google Books added" in page and 'data-source="gb-mine"' in page and "On probation" in page
    assert SECRET not in page and SECRET not in admin_client.get("/api/providers/").content.decode()


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"base_url": "javascript:alert(1)"}, "base_url"),
        ({"name": "Not A Slug"}, "name"),
        ({"kind": "nosuch"}, "kind"),
        ({"priority": "5000"}, "priority"),
        ({"name": "openlibrary"}, "name"),  # a built-in provider's name is taken
    ],
)
def test_a_refused_source_comes_back_with_its_errors_and_without_the_key(admin_client, changes, error):
    reply = admin_client.post("/sources/add", _form(**changes))
    assert reply.status_code == 422
    page = reply.content.decode()
    assert 'class="field-error" role="alert"' in page or 'class="error" role="alert"' in page
    assert f'id="id_add-{error}"' in page and SECRET not in page
    assert not SearchProvider.objects.filter(label="My Google Books").exists()


def test_retiring_asks_first_and_keeps_the_values_the_source_gave(admin_client):
    assert admin_client.post("/sources/add", _form()).status_code == 302
    item = MediaItem.objects.create(title="Excession", sort_title="excession")
    record_candidates(item, "gb-mine", {"title": "Excession", "publisher": "Orbit"}, 0.9)
    page = admin_client.get("/sources/").content.decode()
    assert 'href="/sources/gb-mine/retire"' in page
    assert 'href="/sources/openlibrary/retire"' not in page  # built-ins are switched off, not retired
    confirm = admin_client.get("/sources/gb-mine/retire")
    assert confirm.status_code == 200 and "2 values it gave for 1 book stay" in confirm.content.decode()
    assert SearchProvider.objects.get(name="gb-mine").retired_at is None  # looking is not retiring
    reply = admin_client.post("/sources/gb-mine/retire")
    assert reply.status_code == 302 and reply["Location"] == "/sources/"
    row = SearchProvider.objects.get(name="gb-mine")
    assert row.retired_at is not None and not row.enabled
    assert FieldCandidate.objects.filter(item=item, source__name="gb-mine").count() == 2
    page = admin_client.get("/sources/").content.decode()
    assert "retired: never asked again" in page and 'href="/sources/gb-mine/retire"' not in page
    assert admin_client.get("/sources/openlibrary/retire").status_code == 404
    assert "was retired on" in admin_client.get("/sources/gb-mine/retire").content.decode()


def test_readers_can_neither_add_nor_retire(admin_client, reader_user):
    assert admin_client.post("/sources/add", _form()).status_code == 302
    reader = Client()
    reader.force_login(reader_user)
    page = reader.get("/sources/").content.decode()
    assert 'id="add-source"' not in page and "/retire" not in page
    assert reader.post("/sources/add", _form(name="gb-other")).status_code == 403
    assert reader.post("/sources/gb-mine/retire").status_code == 403
    assert not SearchProvider.objects.filter(name="gb-other").exists()
    assert SearchProvider.objects.get(name="gb-mine").retired_at is None
