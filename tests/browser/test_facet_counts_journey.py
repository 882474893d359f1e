"""Filter counts in a real browser (issue 24 item 7): the library page loads without them and
fetches them from the JSON API when the filter panel opens."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in
from tests.ui.factories import make_item


@pytest.mark.django_db(transaction=True)
def test_opening_the_filter_panel_shows_the_counts(page, screenshot, admin_user):
    make_item("Dune", authors=["Frank Herbert"], files=[("epub", 1000)], cover_path="covers/dune.jpg")
    make_item("Dune Messiah", authors=["Frank Herbert"], files=[("epub", 1000), ("pdf", 2000)])
    make_item("Watchmen", kind="comic", files=[("cbz", 10)])
    log_in(page, "admin", "pw-admin-123")
    page.goto("/library/?q=dune")
    epub = page.locator('[data-facet="format"][data-value="epub"]')
    assert epub.inner_text() == ""  # nothing counted with the panel closed
    with page.expect_response(lambda r: "/api/v1/library/search" in r.url and "facets=true" in r.url):
        page.get_by_text("Filters and options").click()
    page.wait_for_function("document.querySelector('[data-facet=format][data-value=epub]').textContent !== ''")
    assert epub.inner_text().strip() == "(2)"
    assert page.locator('[data-facet="format"][data-value="pdf"]').inner_text().strip() == "(1)"
    assert page.locator('[data-facet="kind"][data-value="comic"]').inner_text().strip() == "(0)"
    assert page.locator("#f-cover option[value=true]").inner_text() == "Has a cover (1)"
    assert page.locator("#show-counts").is_hidden()
    screenshot(page, "library-filter-counts")
