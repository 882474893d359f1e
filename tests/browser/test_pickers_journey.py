"""Issue 20 defect 4 in a real browser: the rename selection and the author merge are chosen by
searching, with the keyboard or the mouse, at 1366 and 375 px, without sideways scrolling and
without serious axe violations while the list of matches is open."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from media.models import Author, Contribution
from processing.renaming.models import RenameBatch
from tests.browser.conftest import log_in
from tests.ui.factories import make_item

WIDTHS = [1366, 375]
SIDEWAYS = "() => document.documentElement.scrollWidth > window.innerWidth + 1"
AXE = Axe()


def _serious(page) -> list[str]:
    found = AXE.run(page, options={"resultTypes": ["violations"]}).response["violations"]
    return [f"{v['id']}: {v['help']}" for v in found if v["impact"] in ("serious", "critical")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
def test_rename_selection_is_picked_by_searching(page, screenshot, admin_user, width):
    page.set_viewport_size({"width": width, "height": 900})
    emma = make_item("Emma", authors=["Jane Austen"], year=1815, files=[("epub", 1000)])
    make_item("Persuasion", authors=["Jane Austen"], files=[("epub", 1000)])
    make_item("Dune", authors=["Frank Herbert"], files=[("epub", 1000)])
    log_in(page, "admin", "pw-admin-123")
    page.goto("/rename-books/")
    picker = page.get_by_role("combobox", name="Find books to rename")
    picker.fill("austen")
    matches = page.get_by_role("listbox", name="Find books to rename: matches")
    options = matches.get_by_role("option")
    options.first.wait_for()
    assert sorted(options.locator(".picker-label").all_inner_texts()) == ["Emma", "Persuasion"]
    assert picker.get_attribute("aria-expanded") == "true"
    assert not page.evaluate(SIDEWAYS), f"sideways scroll at {width} px with the matches open"
    assert _serious(page) == []
    screenshot(page, f"picker-rename-{width}")
    picker.fill("emma")
    page.wait_for_function("() => document.querySelectorAll('#items-picker-list [role=option]').length === 1")
    picker.press("ArrowDown")
    picker.press("Enter")  # keyboard only
    assert page.locator(".picker-chosen li span").all_inner_texts() == ["Emma"]
    assert page.locator("#scope-items").input_value() == str(emma.pk)
    assert page.get_by_label("Only the books chosen below").is_checked()
    assert page.get_by_role("status").filter(has_text="Emma chosen.").count() == 1
    page.get_by_role("button", name="Preview").click()
    page.locator("#preview").wait_for(state="visible")
    assert RenameBatch.objects.get().selection.get("item_ids") == [emma.pk]
    assert not page.evaluate(SIDEWAYS)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
def test_author_merge_target_is_picked_by_searching(page, screenshot, admin_user, width):
    page.set_viewport_size({"width": width, "height": 900})
    hugo = make_item("Les Misérables", authors=["Victor Hugo"]).contributions.first().author
    duplicate = make_item("Notre-Dame de Paris", authors=["V. Hugo"]).contributions.first().author
    make_item("Emma", authors=["Jane Austen"])
    log_in(page, "admin", "pw-admin-123")
    page.goto(f"/authors/{duplicate.pk}/")
    picker = page.get_by_role("combobox", name="Find the author to merge into")
    picker.fill("hugo")
    matches = page.get_by_role("listbox", name="Find the author to merge into: matches")
    matches.get_by_role("option").first.wait_for()
    # the author being merged is not offered as its own target
    assert matches.get_by_role("option").locator(".picker-label").all_inner_texts() == ["Victor Hugo"]
    assert not page.evaluate(SIDEWAYS), f"sideways scroll at {width} px with the matches open"
    screenshot(page, f"picker-author-merge-{width}")
    matches.get_by_role("option", name="Victor Hugo").click()
    assert page.locator(".picker-chosen li span").all_inner_texts() == ["Victor Hugo"]
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Merge", exact=True).click()
    page.wait_for_url(f"**/authors/{hugo.pk}/")
    assert not Author.objects.filter(pk=duplicate.pk).exists()
    assert Contribution.objects.filter(author=hugo).count() == 2


@pytest.mark.django_db(transaction=True)
def test_merge_without_a_choice_says_what_to_do(page, admin_user):
    author = make_item("Emma", authors=["Jane Austen"]).contributions.first().author
    log_in(page, "admin", "pw-admin-123")
    page.goto(f"/authors/{author.pk}/")
    page.get_by_role("button", name="Merge", exact=True).click()
    page.get_by_text("Choose the author to merge into first").wait_for()
    assert Author.objects.filter(pk=author.pk).exists()
