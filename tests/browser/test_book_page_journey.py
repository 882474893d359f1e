"""Issue 20 defect 2 in headless Chromium at 1366 and 375 px, light and dark: the book page of
a scanned EPUB whose cover was then chosen by hand is a book page (cover, title, series with
its neighbours, Read and Download), never scrolls sideways, and its Edit mode opens, saves a
field through the metadata API and shows it on the page. Screenshots go to
test-output/screenshots/book-page-*.png."""

from __future__ import annotations

import pytest

from media.models import MediaItem
from scanning.services import FolderInput, save_folder, scan_folder
from search.services.covers import set_cover_from_upload
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import WIDEST, _serious
from tests.scanning import samples
from tests.search.test_covers import BIG, OTHER
from tests.ui.factories import make_item

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 375, "height": 812}}
VIEWS = [(size, theme) for size in SIZES for theme in ("light", "dark")]
DUNE = samples.Book(
    "Dune",
    authors=(("Frank Herbert", "Herbert, Frank"),),
    isbn="9780441172719",
    series="Dune",
    series_index="2",
    description="<p>" + "A desert planet and its spice. " * 30 + "</p>",
)


@pytest.fixture
def book(db, tmp_path) -> MediaItem:
    """A scanned EPUB (real provenance, files and identifiers) with a cover chosen by hand
    (what made the page 1,600 px wide) between two neighbours in its series."""
    samples.make_epub(tmp_path / "library" / "Frank Herbert" / "Dune.epub", DUNE)
    scan_folder(save_folder(FolderInput(path=str(tmp_path / "library"), content_type="ebooks")).pk)
    item = MediaItem.objects.get(title="Dune")
    set_cover_from_upload(item, BIG)
    set_cover_from_upload(item, OTHER)  # the first cover stays a candidate
    make_item("Dune Genesis", series="Dune", index=1)
    make_item("Dune Messiah", series="Dune", index=3)
    return MediaItem.objects.get(pk=item.pk)


def _open(page, size: str, theme: str) -> None:
    page.set_viewport_size(SIZES[size])
    page.add_init_script(f"localStorage.setItem('omni-theme', '{theme}')")
    page.emulate_media(color_scheme=theme)
    log_in(page, "admin", "pw-admin-123")


def _fits(page, where: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("document.documentElement.clientWidth")
    assert width <= inner, f"{where}: scrolls sideways ({width} > {inner}): {page.evaluate(WIDEST)}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("size", "theme"), VIEWS)
def test_the_book_page_reads_as_a_book_and_fits_the_screen(page, screenshot, admin_user, book, size, theme):
    _open(page, size, theme)
    page.goto(f"/library/{book.pk}/")
    page.locator("#reading-files a", has_text="Download").first.wait_for()  # book-files.js filled the section
    assert page.get_by_role("heading", level=1).inner_text() == "Dune"
    assert page.get_by_role("link", name="Read", exact=True).is_visible()
    assert page.locator("#download-button").is_visible()
    assert page.locator("#book-cover img").is_visible()
    assert "?v=" in page.locator("#book-cover img").get_attribute("src")
    neighbours = page.locator("#series-nav")
    assert neighbours.get_by_role("link", name="Dune Genesis").is_visible()
    assert neighbours.get_by_role("link", name="Dune Messiah").is_visible()
    assert page.get_by_role("link", name="Frank Herbert").is_visible()
    assert page.locator("#metadata-form").is_hidden()  # the form waits behind Edit
    assert book.cover_path not in page.content()
    title_source = page.locator("[data-prov=title]")
    assert "EPUB metadata" in title_source.locator("summary").get_attribute("title")  # on hover
    title_source.locator("summary").focus()  # and from the keyboard
    page.keyboard.press("Enter")
    assert "confidence 0.90" in title_source.locator(".prov-pop").inner_text()
    page.keyboard.press("Escape")
    assert title_source.get_attribute("open") is None
    _fits(page, "book page")
    screenshot(page, f"book-page-{size}-{theme}")
    assert not _serious(page)

    edit = page.get_by_role("button", name="Edit")
    edit.click()
    assert edit.get_attribute("aria-expanded") == "true"
    page.get_by_label("Publisher", exact=True).wait_for()
    page.locator("#cover-candidates li").first.wait_for()
    _fits(page, "edit mode")
    screenshot(page, f"book-page-edit-{size}-{theme}")
    assert not _serious(page)
    page.get_by_label("Publisher", exact=True).fill("Chilton Books")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text("Saved.").wait_for()
    page.wait_for_url(f"**/library/{book.pk}/")  # back to the book, showing the change
    page.wait_for_load_state("load")
    assert page.locator("#edit-panel").is_hidden() and page.locator("#about").is_visible()
    details = page.locator("#about")
    assert "Chilton Books" in details.inner_text()
    details.locator("[data-prov=publisher] summary").click()  # where the value came from
    assert "Manual entry" in details.locator("[data-prov=publisher]").inner_text()
    assert not _serious(page)  # the open popover too
    screenshot(page, f"book-page-provenance-{size}-{theme}")
    assert MediaItem.objects.get(pk=book.pk).publisher == "Chilton Books"
    _fits(page, "after saving")


@pytest.mark.django_db(transaction=True)
def test_choosing_a_cover_in_edit_mode_keeps_the_page_within_the_screen(page, admin_user, book):
    _open(page, "desktop", "light")
    page.goto(f"/library/{book.pk}/?edit=1")
    assert page.locator("#metadata-form").is_visible()
    page.get_by_role("button", name="Use this").first.click()  # an earlier cover: the path is stored anew
    page.get_by_text("Cover changed.").wait_for()
    _fits(page, "after choosing a cover")
    page.reload()
    _fits(page, "reloaded after choosing a cover")
    assert MediaItem.objects.get(pk=book.pk).cover_path not in page.content()
