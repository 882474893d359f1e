"""Live pages show their first rows with the JSON API unreachable: the rows come with the HTML
(embedded by the view) and the page script draws them before any request."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.ui.factories import LIVE_LIST_TEXTS, seed_live_lists

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# page: (table body, seeded list) pairs it must show
PAGES = {
    "/activity/": [("#jobs", "jobs")],
    "/": [("#running-jobs", "jobs")],
    "/library/scanning/": [("#folders", "folders"), ("#runs", "runs"), ("#problems", "problems")],
    "/downloads/": [("#queue", "queue"), ("#history", "history")],
    "/downloads/wanted/": [("#wanted", "wanted")],
    "/downloads/blacklist/": [("#blacklist", "blacklist")],
    "/rename-books/history/": [("#batches", "batches")],
}


@pytest.mark.parametrize("path", list(PAGES))
def test_live_page_shows_its_rows_without_the_api(page, admin_user, path):
    seed_live_lists()
    log_in(page, "admin", "pw-admin-123")
    page.route(re.compile(r"/api/"), lambda route: route.abort())
    page.goto(path)
    for body, key in PAGES[path]:
        expect(page.locator(body)).to_contain_text(LIVE_LIST_TEXTS[key], timeout=3_000)
    assert "Loading…" not in page.locator("main").inner_text()
