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
from tests.scanning.samples import make_cbz, make_mp3, make_pdf

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


MANGA_INFO = (
    b'<?xml version="1.0"?><ComicInfo><Series>Blade Tales</Series><Number>1</Number>'
    b"<Manga>YesAndRightToLeft</Manga></ComicInfo>"
)
RED_OF_PAGE = {n: n * 40 % 255 for n in range(1, 7)}  # tests/scanning/samples.make_cbz colours page n


def shown_pages(tab) -> list[int]:
    """The pages on screen from left to right, told apart by their colour (the red channel of
    the decoded image, JPEG-rounded) and checked against their alt text."""
    shown = tab.evaluate("""() => [...document.querySelectorAll('#stage img')]
        .sort((a, b) => a.getBoundingClientRect().left - b.getBoundingClientRect().left)
        .map(img => {
            const canvas = document.createElement('canvas');
            canvas.width = canvas.height = 4;
            const context = canvas.getContext('2d');
            context.drawImage(img, 0, 0, 4, 4);
            return [img.alt, context.getImageData(1, 1, 1, 1).data[0]];
        })""")
    pages = []
    for alt, red in shown:
        page = min(RED_OF_PAGE, key=lambda n: abs(RED_OF_PAGE[n] - red))
        assert abs(RED_OF_PAGE[page] - red) < 8 and alt == f"Page {page}"
        pages.append(page)
    return pages


def wait_images(tab):
    tab.wait_for_function("() => [...document.querySelectorAll('#stage img')].every(i => i.complete && i.naturalWidth)")


def test_a_manga_reads_right_to_left_one_page_at_a_time_from_the_server(chromium, live_server, reader_user, library):
    item = add_book(library, "Blade Tales 1", make_cbz(library / "blade.cbz", MANGA_INFO, pages=5), kind="comic")
    context, tab, refused = device(chromium, live_server)
    asked = []
    tab.on("request", lambda request: asked.append(request.url) if "/download" in request.url else None)
    tab.goto(f"/read/{item.pk}/")
    tab.locator("#reader[data-ready='1']").wait_for()
    assert tab.get_by_label("Right to left (manga)").is_checked()  # from ComicInfo's Manga=YesAndRightToLeft
    wait_images(tab)
    assert shown_pages(tab) == [1]
    tab.get_by_label("Pages shown").select_option("double")
    tab.keyboard.press("ArrowLeft")  # in a manga the left arrow turns forward
    wait_images(tab)
    assert shown_pages(tab) == [3, 2]
    tab.keyboard.press("ArrowLeft")
    wait_images(tab)
    assert shown_pages(tab) == [5, 4]
    tab.keyboard.press("ArrowRight")
    wait_images(tab)
    assert shown_pages(tab) == [3, 2]
    tab.wait_for_function("() => document.getElementById('saved').dataset.saved === JSON.stringify({page: 2})")
    assert asked == []  # pages came one by one, never the whole archive
    context.close()
    assert refused == []
    assert ReadingProgress.objects.get(user=reader_user, item=item).locator == {"page": 2}


def test_the_right_to_left_toggle_is_remembered_for_the_series(chromium, live_server, reader_user, library):
    item = add_book(library, "Plain 1", make_cbz(library / "plain.cbz", None, pages=3), kind="comic")
    context, tab, refused = device(chromium, live_server)
    tab.goto(f"/read/{item.pk}/")
    tab.locator("#reader[data-ready='1']").wait_for()
    assert not tab.get_by_label("Right to left (manga)").is_checked()
    tab.get_by_label("Right to left (manga)").check()
    tab.reload()
    tab.locator("#reader[data-ready='1']").wait_for()
    assert tab.get_by_label("Right to left (manga)").is_checked()
    tab.keyboard.press("ArrowLeft")
    wait_images(tab)
    assert shown_pages(tab) == [2]
    context.close()
    assert refused == []


def test_an_audiobook_plays_on_across_files_and_pages_and_resumes_on_another_device(
    chromium, live_server, reader_user, library
):
    parts = [make_mp3(library / "book" / f"Part {n}.mp3", seconds=1.5) for n in (2, 1, 10)]  # natural order 1, 2, 10
    item = add_book(library, "Heard Tales", *parts, kind="audiobook")
    context, tab, refused = device(chromium, live_server)
    tab.goto(f"/library/{item.pk}/")
    tab.get_by_role("link", name="Listen", exact=True).click()
    tab.locator("#player[data-ready='1']").wait_for()
    assert tab.locator("#chapter option").all_text_contents() == ["Part 1 (0:00)", "Part 2 (0:01)", "Part 10 (0:02)"]
    tab.get_by_role("button", name="Play").click()
    tab.frame_locator("#page-frame").get_by_role("link", name="Library").first.click()  # browse while listening
    tab.wait_for_function("() => document.getElementById('player').dataset.track === '1'", timeout=10_000)
    assert "page=%2Flibrary%2F" in tab.url
    tab.wait_for_function("() => Number(document.getElementById('player').dataset.position) > 1.9")
    tab.get_by_role("button", name="Pause").click()
    position = float(tab.locator("#player").get_attribute("data-position"))
    tab.wait_for_function(  # the save made at the pause, not one made earlier while playing
        """(position) => {
            const saved = JSON.parse(document.getElementById('saved').dataset.saved || '{}');
            return Math.abs((saved.seconds ?? -9) - position) < 0.2;
        }""",
        arg=position,
    )
    context.close()
    assert refused == []
    saved = ReadingProgress.objects.get(user=reader_user, item=item)
    assert saved.locator["seconds"] == pytest.approx(position, abs=0.2) and 1.5 < saved.locator["seconds"] < 3

    context, tab, refused = device(chromium, live_server)
    tab.goto(f"/read/{item.pk}/")
    tab.locator("#player[data-ready='1']").wait_for()
    assert tab.locator("#player").get_attribute("data-track") == "1"
    assert float(tab.locator("#player").get_attribute("data-position")) == pytest.approx(position, abs=0.2)
    tab.get_by_role("button", name="Play").click()
    tab.wait_for_function("() => document.getElementById('player').dataset.track === '2'", timeout=10_000)
    context.close()
    assert refused == []


def test_a_pdf_turns_pages_and_keeps_the_page(chromium, live_server, reader_user, library):
    item = add_book(library, "Paper", make_pdf(library / "paper.pdf", title="Paper", author="A", pages=3))
    context, tab, refused = device(chromium, live_server)
    tab.goto(f"/read/{item.pk}/")
    tab.locator("#reader[data-ready='1']").wait_for()
    assert tab.locator("#location").text_content() == "Page 1 of 3"
    tab.get_by_role("button", name="Next page").click()
    tab.wait_for_function("() => document.getElementById('saved').dataset.saved === JSON.stringify({page: 2})")
    context.close()
    assert refused == []
    assert ReadingProgress.objects.get(user=reader_user, item=item).locator == {"page": 2}


@pytest.mark.parametrize("path", ["/admin/", "/admin/auth/user/", "/wizard/", "/downloads/search/1/"])
def test_a_reader_cannot_open_admin_pages(chromium, live_server, reader_user, path):
    context, tab, _ = device(chromium, live_server)
    response = tab.goto(path)
    assert response.status == 403
    context.close()
