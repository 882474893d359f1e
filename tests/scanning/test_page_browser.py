"""The scanning page in headless Chromium: add a folder, scan it, see the history and problems."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.scanning import samples as s

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def page(live_server, admin_user):
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip("chromium is not installed")
    playwright = pytest.importorskip("playwright.sync_api")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", "pw-admin-123")
        page.click("button[type=submit]")
        yield page
        browser.close()


def test_admin_adds_a_folder_scans_it_and_sees_the_results(page, live_server, worker, tmp_path):
    s.make_epub(tmp_path / "Frank Herbert" / "Dune" / "Dune.epub", s.Book("Dune"))
    (tmp_path / "broken.epub").write_bytes(b"not an epub")
    page.goto(f"{live_server.url}/library/scanning/")
    page.fill("#folder-path", str(tmp_path))
    page.fill("#folder-interval", "0")
    page.click("#folder-form button[type=submit]")
    row = page.locator("#folders tr[data-folder-id]")
    row.wait_for(timeout=10_000)
    assert str(tmp_path) in row.inner_text() and "manual" in row.inner_text()
    row.get_by_role("button", name="Scan now").click()
    page.locator("#runs .badge.succeeded").wait_for(timeout=30_000)
    assert page.locator("#runs tr").first.locator("td").nth(2).inner_text() == "1"  # added
    page.locator("#problems td", has_text="broken.epub").wait_for(timeout=10_000)
