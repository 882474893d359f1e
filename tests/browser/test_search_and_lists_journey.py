"""Issue 20, defects 1 and 8 in a real browser: Enter in the search box keeps the best match
first, a hyphenated ISBN finds its book, an unknown field prefix is named, page numbers and
sortable headers work, and books selected on the library page are edited in bulk. Each list
page is checked at 1366 and 375 px in the light and dark theme, never scrolling sideways."""

from __future__ import annotations

import pytest

from media.models import MediaItem
from tests.browser.conftest import log_in
from tests.ui.factories import make_item

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 375, "height": 800}}


@pytest.fixture
def shelf(db):
    make_item("A Dune Atlas", authors=["Anne Cartographer"], year=2001)
    make_item("Dune", authors=["Frank Herbert"], series="Dune", index=5, year=1965, isbn13="9780441013593")
    make_item("Dune Messiah", authors=["Frank Herbert"], series="Dune", index=6, year=1969)
    for n in range(60):
        make_item(f"Filler {n:02}", authors=["Someone Else"], year=1900 + n, publisher="Old House")


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.django_db(transaction=True)
def test_enter_keeps_relevance_isbn_and_unknown_prefix(page, screenshot, admin_user, shelf):
    log_in(page, "admin", "pw-admin-123")
    page.goto("/library/")
    page.keyboard.press("/")
    page.keyboard.type("dune")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=dune**")
    assert "sort=title" not in page.url
    assert page.locator(".book-card .book-title").first.inner_text() == "Dune"  # not 'A Dune Atlas'
    assert page.locator("#result-count").inner_text().startswith("3 books")
    page.locator("#q").fill("978-0-441-01359-3")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=978**")
    assert page.locator(".book-card .book-title").all_inner_texts() == ["Dune"]
    page.locator("#q").fill("lang:de")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=lang**")
    assert page.get_by_text("Unknown field lang; try language:").is_visible()
    screenshot(page, "library-unknown-prefix")


@pytest.mark.django_db(transaction=True)
def test_page_numbers_and_sortable_headers(page, admin_user, shelf):
    log_in(page, "admin", "pw-admin-123")
    page.goto("/library/?view=table")
    assert page.locator(".pager-count").inner_text() == "1\N{EN DASH}50 of 63 books"
    page.get_by_role("link", name="Page 2", exact=True).click()
    page.wait_for_url("**page=2**")
    assert page.locator("table[aria-label=Results] tbody tr").count() == 13
    page.get_by_role("link", name="Year").click()
    page.wait_for_url("**sort=year**")
    assert "page=" not in page.url  # a new sort starts at page 1
    first = page.locator("table[aria-label=Results] tbody tr td:nth-child(3)").first.inner_text()
    assert first == "A Dune Atlas"  # newest year first
    assert page.locator("th[aria-sort=descending]").inner_text().startswith("Year")
    page.get_by_role("link", name="Year").click()
    page.wait_for_url("**order=asc**")
    assert page.locator("table[aria-label=Results] tbody tr td:nth-child(3)").first.inner_text() == "Filler 00"


@pytest.mark.django_db(transaction=True)
def test_select_books_and_edit_a_field_in_bulk(page, screenshot, admin_user, shelf):
    log_in(page, "admin", "pw-admin-123")
    page.goto("/library/?view=table&q=filler&sort=title")
    page.get_by_label("Select Filler 00").check()
    page.get_by_label("Select Filler 01").check()
    assert page.locator("#bulk-count").inner_text() == "2 selected"
    page.get_by_label("Field").select_option("publisher")
    page.get_by_label("New value").fill("New House")
    page.get_by_role("button", name="Preview").click()
    page.get_by_text("Would change 2 books of 2 selected").wait_for()
    assert MediaItem.objects.filter(publisher="New House").count() == 0
    page.get_by_role("button", name="Apply to 2 books").click()
    page.get_by_text("Changed 2 books").wait_for()
    assert sorted(MediaItem.objects.filter(publisher="New House").values_list("title", flat=True)) == [
        "Filler 00",
        "Filler 01",
    ]
    screenshot(page, "library-bulk-edit")
    page.set_viewport_size(SIZES["phone"])  # stacked rows name their values, empty ones are left out
    first = page.locator("table[aria-label=Results] tbody tr").first
    assert first.locator("td[data-label=Title]").inner_text() == "Filler 00"
    assert first.locator("td[data-label=Series]").count() == 0
    page.set_viewport_size(SIZES["desktop"])
    page.locator("#bulk-select-page").check()
    assert page.locator("#bulk-count").inner_text() == "50 selected"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_list_pages_fit_the_screen(page, screenshot, admin_user, shelf, size, theme):
    page.set_viewport_size(SIZES[size])
    log_in(page, "admin", "pw-admin-123")
    series_id = MediaItem.objects.get(title="Dune").series_id
    page.evaluate(f"localStorage.setItem('omni-theme', '{theme}')")
    for name, path in [
        ("library-table", "/library/?view=table&page=2"),
        ("library-grid", "/library/?q=dune"),
        ("series-list", "/series/"),
        ("series-detail", f"/series/{series_id}/"),
        ("author-list", "/authors/?q=herb"),
    ]:
        page.goto(path)
        page.evaluate(f"document.documentElement.dataset.theme = '{theme}'")
        assert _no_sideways_scroll(page), f"{path} scrolls sideways at {size}"
        screenshot(page, f"lists-{name}-{size}-{theme}")
    page.goto("/series/")
    assert page.get_by_text("missing positions: 1\N{EN DASH}4").is_visible()
