"""Issue 20's list leftovers in headless Chromium: the wanted lists and the download history have
page numbers with a total and headers that sort (as the library, series and authors lists), a
reader puts selected books on a new shelf from the library, and at a phone's 375 px the indexer,
wanted and history tables name each cell's column without scrolling sideways."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from downloaders.models import AttemptState, DownloadAttempt
from indexers.models import IndexerConfig
from media.models import MediaStatus
from reading.models import Shelf
from tests.browser.conftest import log_in
from tests.ui.factories import make_item

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def wanted_books(db):
    """55 wanted books, added one minute apart: 'Wanted 54' is the newest."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return [make_item(f"Wanted {n:02}", status=MediaStatus.WANTED, added_at=start + timedelta(minutes=n))
            for n in range(55)]


@pytest.fixture
def history(db):
    """55 finished downloads of one book, finished one minute apart: 'Release 54' last."""
    item = make_item("Downloaded Book", status=MediaStatus.IN_LIBRARY)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(55):
        DownloadAttempt.objects.create(item=item, state=AttemptState.IMPORTED, release_title=f"Release {n:02}",
                                       guid=f"g{n}", completed_at=start + timedelta(minutes=n))


def _cells(page, table: str, column: int) -> list[str]:
    """A column's texts once the rows are drawn (the downloads pages draw theirs by script)."""
    page.locator(f"{table} tr td:nth-child({column})").first.wait_for()
    return page.locator(f"{table} tr td:nth-child({column})").all_inner_texts()


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.django_db(transaction=True)
def test_the_wanted_list_has_page_numbers_and_sorts_by_its_headers(page, admin_user, wanted_books):
    log_in(page, "admin", "pw-admin-123")
    page.goto("/wanted/")
    assert page.locator(".pager-count").inner_text() == "1\N{EN DASH}50 of 55 wanted books"
    assert _cells(page, "#wanted-list", 1)[0] == "Wanted 54"  # newest first
    page.get_by_role("link", name="Page 2", exact=True).click()
    page.wait_for_url("**page=2**")
    assert _cells(page, "#wanted-list", 1) == [f"Wanted {n:02}" for n in range(4, -1, -1)]
    page.get_by_role("link", name="Title").click()
    page.wait_for_url("**sort=title**")
    assert "page=" not in page.url  # a new sort starts at page 1
    assert _cells(page, "#wanted-list", 1)[:2] == ["Wanted 00", "Wanted 01"]
    assert page.locator("th[aria-sort=ascending]").inner_text().startswith("Title")
    page.get_by_role("link", name="Title").click()
    page.wait_for_url("**order=desc**")
    assert _cells(page, "#wanted-list", 1)[0] == "Wanted 54"


@pytest.mark.django_db(transaction=True)
def test_the_downloads_wanted_list_keeps_its_page_and_sort_while_it_refreshes(page, admin_user, wanted_books):
    log_in(page, "admin", "pw-admin-123")
    page.goto("/downloads/wanted/")
    assert page.locator(".pager-count").inner_text() == "1\N{EN DASH}50 of 55 wanted items"
    page.get_by_role("link", name="Title").click()
    page.wait_for_url("**sort=title**")
    page.get_by_role("link", name="Page 2", exact=True).click()
    page.wait_for_url("**page=2**")
    with page.expect_response(lambda r: "/api/downloads/wanted/" in r.url) as answer:
        pass  # the page's own refresh (every 10 s) asks for the same page and sort
    assert "sort=title" in answer.value.url and "page=2" in answer.value.url
    titles = [t.split(" — ")[0] for t in _cells(page, "#wanted", 1)]
    assert titles == [f"Wanted {n:02}" for n in range(50, 55)]


@pytest.mark.django_db(transaction=True)
def test_the_download_history_has_page_numbers_and_sorts_by_its_headers(page, admin_user, history):
    log_in(page, "admin", "pw-admin-123")
    page.goto("/downloads/")
    assert page.locator(".pager-count").inner_text() == "1\N{EN DASH}50 of 55 finished downloads"
    assert _cells(page, "#history", 2)[0] == "Release 54"  # last finished first
    page.get_by_role("link", name="Page 2", exact=True).click()
    page.wait_for_url("**page=2**")
    assert _cells(page, "#history", 2) == [f"Release {n:02}" for n in range(4, -1, -1)]
    page.get_by_role("link", name="Release").click()
    page.wait_for_url("**sort=release**")
    assert _cells(page, "#history", 2)[:2] == ["Release 00", "Release 01"]
    with page.expect_response(lambda r: "/api/downloads/history/" in r.url) as answer:
        pass  # the live refresh (every 3 s) keeps the sort
    assert "sort=release" in answer.value.url
    assert _cells(page, "#history", 2)[:2] == ["Release 00", "Release 01"]


@pytest.mark.django_db(transaction=True)
def test_a_reader_puts_selected_books_on_a_new_shelf_from_the_library(page, reader_user):
    for title in ("Dune", "Emma", "Ulysses"):
        make_item(title, status=MediaStatus.IN_LIBRARY, files=[("epub", 1000)])
    log_in(page, "reader", "pw-reader-123")
    page.goto("/library/?view=table&sort=title")
    page.get_by_label("Select Dune").check()
    page.get_by_label("Select Ulysses").check()
    assert page.locator("#bulk-action").input_value() == "shelf"  # a reader's only bulk action
    page.get_by_label("Name").fill("Summer")
    page.get_by_role("button", name="Add 2 books to the shelf").click()
    page.get_by_text("Added 2 books to “Summer”.").wait_for()
    shelf = Shelf.objects.get(user=reader_user, name="Summer")
    assert sorted(shelf.entries.values_list("item__title", flat=True)) == ["Dune", "Ulysses"]
    assert page.locator("#bulk-shelf option:checked").inner_text() == "Summer"  # the next add goes there too
    page.get_by_label("Select Emma").check()
    page.get_by_role("button", name="Add 3 books to the shelf").click()
    page.get_by_text("Added 1 book to “Summer” (2 books already there).").wait_for()


def _label_before(page, selector: str) -> str:
    """The cell's column name as its ::before shows it ('"Kind"'; the ": " after it left out)."""
    content = page.evaluate(f"getComputedStyle(document.querySelector('{selector}'), '::before').content")
    return content.replace(': "', '"')


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_indexer_wanted_and_history_cells_name_their_column(page, admin_user, wanted_books, history):
    IndexerConfig.objects.create(name="Prowlarr at home", url="http://127.0.0.1:9696", api_key="k" * 32)
    page.set_viewport_size(PHONE)
    log_in(page, "admin", "pw-admin-123")
    page.goto("/settings/indexers/")
    assert _label_before(page, "tr[data-indexer] td:nth-child(2)") == '"Kind"'
    assert _label_before(page, "tr[data-indexer] td:nth-child(6)") == '"Last test"'
    assert _no_sideways_scroll(page)
    for path, cell, label in [("/wanted/", "#wanted-list tbody td:nth-child(4)", '"Status"'),
                              ("/downloads/wanted/", "#wanted td:nth-child(3)", '"Last search"'),
                              ("/downloads/", "#history td:nth-child(4)", '"Finished"')]:
        page.goto(path)
        page.locator(cell).first.wait_for()
        assert _label_before(page, cell) == label, path
        assert _no_sideways_scroll(page), f"{path} scrolls sideways on a phone"
    page.set_viewport_size({"width": 1366, "height": 900})
    assert _label_before(page, "#history td:nth-child(4)") == "none"  # a wide table has its header row
