"""Issue 20, defect 6: styled 404/500 pages in the layout (the 500 page without the
database), a favicon and a web manifest with app icons (installable on a phone)."""

from __future__ import annotations

import json

import pytest
from django.contrib.staticfiles import finders
from django.test import RequestFactory
from PIL import Image

pytestmark = pytest.mark.django_db


def test_an_unknown_page_is_a_404_in_the_layout_with_navigation(admin_client):
    response = admin_client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert 'id="main-nav"' in html and "/static/css/app.css" in html
    assert "This page does not exist" in html and 'href="/library/"' in html


def test_the_500_page_is_in_the_layout_and_needs_no_database(django_assert_num_queries):
    from core.views import server_error

    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/library/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert 'id="main-nav"' in html and "/static/css/app.css" in html and "Something went wrong" in html


def test_an_error_in_a_view_answers_the_styled_500(admin_client, settings):
    admin_client.raise_request_exception = False
    settings.ROOT_URLCONF = "tests.finish.broken_urls"
    response = admin_client.get("/broken/")
    assert response.status_code == 500 and "Something went wrong" in response.content.decode()


def test_the_web_manifest_names_the_app_and_its_icons_exist(client):
    response = client.get("/manifest.webmanifest")  # anonymous: browsers fetch it without cookies
    assert response.status_code == 200 and response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "OmniReadarr" and manifest["display"] == "standalone" and manifest["start_url"] == "/"
    sizes = set()
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        with Image.open(path) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes


def test_pages_link_the_favicon_and_the_manifest(admin_client, client):
    html = admin_client.get("/").content.decode()
    assert 'rel="manifest" href="/manifest.webmanifest"' in html and 'rel="icon"' in html
    assert client.get("/favicon.ico")["Location"].endswith("img/favicon.ico")
