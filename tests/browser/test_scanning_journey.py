"""The scanning page in headless Chromium: add a folder, scan it, see the history and problems."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in
from tests.scanning import samples as s

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_adds_a_folder_scans_it_and_sees_the_results(page, live_server, worker, tmp_path, admin_user, screenshot):
    log_in(page, "admin", "pw-admin-123")
    s.make_epub(tmp_path / "Frank Herbert" / "Dune" / "Dune.epub", s.Book("Dune"))
    (tmp_path / "broken.epub").write_bytes(b"not an epub")
    page.goto(f"{live_server.url}/library/scanning/")
    page.fill("#folder-path", str(tmp_path))
    page.fill("#folder-interval", "0")
    page.click("#folder-form button[type=submit]")
    row = page.locator("#folders tr[data-folder-id]")
    row.wait_for(timeout=10_000)
    assert str(tmp_path) in row.inner_text() and "manual" in row.inner_text()
    page.set_viewport_size({"width": 375, "height": 800})  # the row's actions side by side
    edit = row.get_by_role("button", name="Edit").bounding_box()
    remove = row.get_by_role("button", name="Remove").bounding_box()
    assert remove["x"] >= edit["x"] + edit["width"] + 4 or remove["y"] > edit["y"]  # apart, not "EditRemove"
    page.set_viewport_size({"width": 1280, "height": 860})
    row.get_by_role("button", name="Scan now").click()
    page.locator("#runs .badge.succeeded").wait_for(timeout=30_000)
    assert page.locator("#runs tr").first.locator("td").nth(2).inner_text() == "1"  # added
    page.set_viewport_size({"width": 375, "height": 800})  # rows stack: each number says what it counts
    added = page.locator("#runs tr").first.locator("td").nth(2)
    assert added.get_attribute("data-label") == "Added"
    assert added.evaluate("td => getComputedStyle(td, '::before').content") != "none"
    folder_actions = row.locator("td").last
    assert folder_actions.get_attribute("data-label") is None  # its header is for screen readers only
    page.set_viewport_size({"width": 1280, "height": 860})
    assert added.evaluate("td => getComputedStyle(td, '::before').content") == "none"  # the header row is there
    page.locator("#problems td", has_text="broken.epub").wait_for(timeout=10_000)
    screenshot(page, "scanning-results")
