"""Reading and listening in the browser, as a reader: an EPUB read on one device and resumed on
another, a manga read right to left, a multi-file audiobook played across a file boundary and
resumed, and the admin pages closed to readers."""

from __future__ import annotations

import pytest

from media.models import LibraryFile, MediaItem
from reading.models import ReadingProgress
from scanning.models import ScanFolder
from tests.browser.conftest import CSP_REFUSAL, log_in
from tests.reading.samples import make_long_epub

pytestmark = pytest.mark.django_db(transaction=True)
DARK_BACKGROUND = "rgb(23, 23, 26)"  # the reader's dark theme (static/reading/ebook.js)


@pytest.fixture
def library(tmp_path):
    ScanFolder.objects.create(path=str(tmp_path), name="Books")
    return tmp_path


def add_book(folder, title: str, *paths, kind: str = "ebook") -> MediaItem:
    item = MediaItem.objects.create(title=title, sort_title=title, kind=kind)
    for path in paths:
        LibraryFile.objects.create(
            item=item, path=str(path), size=path.stat().st_size, mtime_ns=1, format=path.suffix.lstrip(".").lower()
        )
    return item


def device(chromium, live_server):
    """A fresh browser context: another device, with nothing in common but the account."""
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1100, "height": 800})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    refused = []
    tab.on("console", lambda message: refused.append(message.text) if CSP_REFUSAL in message.text else None)
    log_in(tab, "reader", "pw-reader-123")
    return context, tab, refused


def book_frame(tab):
    """The frame foliate-js shows the current section in (a blob: document)."""
    return next(frame for frame in tab.frames if frame.url.startswith("blob:"))


def test_an_epub_read_on_one_device_opens_at_the_same_place_on_another(chromium, live_server, reader_user, library):
    item = add_book(library, "A Long Book", make_long_epub(library / "long.epub"))
    first, tab, refused = device(chromium, live_server)
    tab.goto(f"/library/{item.pk}/")
    tab.get_by_role("link", name="Read", exact=True).click()
    tab.locator("#reader[data-ready='1']").wait_for()
    start = tab.locator("#reader").get_attribute("data-cfi")
    for _ in range(4):
        tab.get_by_role("button", name="Next page").click()
        tab.wait_for_timeout(150)
    tab.get_by_label("Reading theme").select_option("dark")
    tab.wait_for_function("() => document.getElementById('saved').textContent.startsWith('Saved at')")
    place = tab.locator("#reader").get_attribute("data-cfi")
    assert place and place != start
    assert book_frame(tab).evaluate("getComputedStyle(document.body).backgroundColor") == DARK_BACKGROUND
    tab.wait_for_function("cfi => document.getElementById('saved').dataset.saved === JSON.stringify({cfi})", arg=place)
    seen_text = tab.locator("#location").text_content()
    tab.get_by_role("link", name="Close").click()
    tab.wait_for_url(f"**/library/{item.pk}/")
    first.close()
    assert refused == []

    saved = ReadingProgress.objects.get(user=reader_user, item=item)
    assert saved.locator == {"cfi": place} and 0 < saved.percent < 100 and saved.status == "reading"

    second, tab, refused = device(chromium, live_server)
    tab.goto(f"/read/{item.pk}/")
    tab.locator("#reader[data-ready='1']").wait_for()
    assert tab.locator("#reader").get_attribute("data-cfi") == place
    assert tab.locator("#location").text_content() == seen_text
    assert book_frame(tab).evaluate("getComputedStyle(document.body).backgroundColor") != DARK_BACKGROUND
    second.close()
    assert refused == []
