"""Issue 24, item 17: help pages in the app (scanning, naming templates, search syntax,
identification), linked from the pages that need them, and true to the code."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from core.naming import TOKEN_NAMES
from media.search.compile import FTS_COLUMNS

pytestmark = pytest.mark.django_db
TOPICS = ("search", "naming", "scanning", "identification")


@pytest.mark.parametrize("topic", TOPICS)
def test_each_help_page_is_in_the_layout_and_lists_the_others(reader_client, topic):
    html = reader_client.get(f"/help/{topic}/").content.decode()
    assert 'id="main-nav"' in html and "<h1>" in html
    assert all(f'href="/help/{other}/"' in html for other in TOPICS if other != topic)


def test_the_help_index_lists_every_topic_and_is_in_the_top_bar(reader_client):
    html = reader_client.get("/help/").content.decode()
    assert all(f'href="/help/{topic}/"' in html for topic in TOPICS)
    assert re.search(r'<div class="user">\s*<a href="/help/"', html)


def test_an_unknown_topic_is_a_404_and_help_needs_a_login(reader_client):
    assert reader_client.get("/help/nothing-here/").status_code == 404
    response = Client().get("/help/search/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_naming_help_lists_every_token_with_its_sample_value(reader_client):
    html = reader_client.get("/help/naming/").content.decode()
    for name in TOKEN_NAMES:
        assert f"${{{name}}}" in html, name
    assert "Le Guin, Ursula K." in html and "Hainish Cycle" in html  # values for the sample book
    assert "${author.sortname}/${bookseries.title}/${title}.${ext}" in html  # a ready-made template


def test_the_search_help_names_every_field_the_search_knows(reader_client):
    html = reader_client.get("/help/search/").content.decode()
    for field in FTS_COLUMNS:
        assert f"<kbd>{field}:</kbd>" in html, field


@pytest.mark.parametrize(
    ("page", "topic"),
    [
        ("/library/", "search"),
        ("/library/scanning/", "scanning"),
        ("/rename-books/", "naming"),
        ("/settings/media/", "naming"),
    ],
)
def test_pages_link_to_the_help_they_need(admin_client, page, topic):
    html = admin_client.get(page).content.decode()
    assert f'href="/help/{topic}/"' in html, page


def test_the_review_queue_links_to_the_identification_help(admin_client):
    html = admin_client.get("/review/").content.decode()
    assert 'href="/help/identification/"' in html
