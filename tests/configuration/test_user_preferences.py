"""Issue 24 item 16: each user's theme, library view, sort and page size are kept per user (in
media's LibraryPreference), through GET/PUT /api/v1/library/preferences and Settings > Preferences;
the layout renders the stored theme, so a second device gets it."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from media.models import LibraryPreference
from tests.ui.factories import make_item

pytestmark = pytest.mark.django_db
API = "/api/v1/library/preferences"


def put(client, **body):
    return client.put(API, body, content_type="application/json")


def html_tag(client, path="/settings/") -> str:
    page = client.get(path).content.decode()
    return page[page.index("<html"):page.index(">", page.index("<html")) + 1]


def test_the_theme_is_stored_and_rendered_on_a_second_device(reader_user):
    first, second = Client(), Client()
    first.force_login(reader_user)
    second.force_login(reader_user)
    assert html_tag(second) == '<html lang="en" data-theme="auto">'  # never chosen: the browser's own
    response = put(first, theme="dark")
    assert response.status_code == 200 and response.json()["data"]["theme"] == "dark"
    assert html_tag(second) == '<html lang="en" data-theme="dark" data-theme-saved="dark">'
    assert second.get(API).json()["data"]["theme"] == "dark"


def test_the_api_refuses_values_outside_the_enums(reader_client):
    assert put(reader_client, theme="purple").status_code == 422
    assert put(reader_client, page_size=33).status_code == 422
    assert put(reader_client, page_size=100000).status_code == 422
    assert put(reader_client, view="list").status_code == 422
    assert reader_client.get(API).json()["data"]["page_size"] == 50


def test_the_schema_lists_the_choices(reader_client):
    schema = reader_client.get("/api/v1/openapi.json").json()
    props = schema["components"]["schemas"]["PreferencesIO"]["properties"]
    assert props["theme"]["anyOf"][0]["enum"] == ["", "auto", "light", "dark"]
    assert props["page_size"]["anyOf"][0]["enum"] == [25, 50, 100, 200]


def test_items_per_page_sets_the_library_page_size(reader_client):
    for i in range(30):
        make_item(f"Book {i:02}", files=[("epub", 10)])
    put(reader_client, page_size=25)
    page = reader_client.get("/library/", {"sort": "title"}).content.decode()
    assert "Book 24" in page and "Book 25" not in page
    assert "Book 25" in reader_client.get("/library/", {"sort": "title", "page": 2}).content.decode()
    put(reader_client, page_size=50)
    assert "Book 29" in reader_client.get("/library/", {"sort": "title"}).content.decode()


def test_the_settings_page_sets_the_readers_own_preferences(reader_client, reader_user):
    other = get_user_model().objects.create_user("other", password="pw-other-123")
    page = reader_client.get("/settings/").content.decode()
    assert 'id="preferences"' in page and "English only" in page
    response = reader_client.post("/library/preferences/", {
        "theme": "light", "view": "table", "sort": "year", "page_size": "100", "user": other.pk,
    })
    assert response.status_code == 302 and response["Location"] == "/settings/#preferences"
    mine = reader_client.get(API).json()["data"]
    assert (mine["theme"], mine["view"], mine["sort"], mine["page_size"]) == ("light", "table", "year", 100)
    assert not LibraryPreference.objects.filter(user=other).exists()  # never someone else's
    # the library opens in the chosen view and sort
    assert all(p in reader_client.get("/library/")["Location"] for p in ("view=table", "sort=year"))
    assert 'data-theme="light"' in html_tag(reader_client, "/library/?view=table")


def test_invalid_preferences_are_refused_with_a_message(reader_client):
    response = reader_client.post("/library/preferences/", {"theme": "neon", "view": "grid", "page_size": "7"},
                                  follow=True)
    text = response.content.decode()
    assert "Preferences not saved" in text and "theme" in text and "books per page" in text
    assert not LibraryPreference.objects.exists()


def test_each_user_keeps_their_own_theme(reader_client, admin_user):
    put(reader_client, theme="dark")
    admin = Client()
    admin.force_login(admin_user)
    assert 'data-theme="auto"' in html_tag(admin)
    assert admin.get(API).json()["data"]["theme"] == ""
    assert put(admin, theme="light").json()["data"]["theme"] == "light"
    assert reader_client.get(API).json()["data"]["theme"] == "dark"


def test_the_preferences_need_a_login(client):
    assert client.post("/library/preferences/", {"theme": "dark"}).status_code in (302, 401, 403)
    assert client.get(API).status_code == 401
    assert client.get("/library/preferences/").status_code in (302, 405)
