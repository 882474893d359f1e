"""Rename preview of a selection in a real browser: real files in a temporary library,
before -> after shown, executed by the real worker, then reverted from the history."""

from __future__ import annotations

import time

import pytest

from media.models import LibraryFile
from processing.renaming.models import BatchState, RenameBatch
from tests.browser.conftest import log_in
from tests.renaming.conftest import make_item, tree


@pytest.fixture
def library(tmp_path, settings):
    root = tmp_path / "library"
    root.mkdir()
    settings.LIBRARY_DIR = root
    settings.RECYCLE_DIR = tmp_path / "recycle"
    return root


def _wait_for(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


@pytest.mark.django_db(transaction=True)
def test_rename_preview_of_a_selection_execute_and_revert(page, screenshot, admin_user, library, worker):
    dune = make_item(library, "Dune", files=("incoming/dune-final.epub",), year=1965)
    emma = make_item(library, "Emma", author="Jane Austen", files=("misc/EMMA.epub",), year=1815)
    left_alone = make_item(library, "Persuasion", author="Jane Austen", files=("misc/persuasion.epub",))
    before = tree(library)

    log_in(page, "admin", "pw-admin-123")
    page.goto(f"/rename-books/?items={dune.pk},{emma.pk}")
    assert page.get_by_label("Only the books chosen below").is_checked()
    assert page.locator(".picker-chosen li span").all_inner_texts() == ["Dune", "Emma"]
    page.get_by_label("Template text").fill("${author.sortname}/${title} (${year}).${ext}")
    page.get_by_text("Sample: ").wait_for()
    page.get_by_role("button", name="Preview").click()
    page.locator("#preview-state", has_text="planned").wait_for()
    rows = page.locator("#operations tr")
    rows.first.wait_for()
    assert rows.count() == 2
    pairs = {rows.nth(i).locator("td").nth(0).inner_text(): rows.nth(i).locator("td").nth(1).inner_text()
             for i in range(2)}
    assert pairs == {
        str(library / "incoming/dune-final.epub"): str(library / "Herbert, Frank/Dune (1965).epub"),
        str(library / "misc/EMMA.epub"): str(library / "Austen, Jane/Emma (1815).epub"),
    }
    assert tree(library) == before  # a preview moves nothing
    screenshot(page, "rename-preview")

    page.get_by_role("button", name="Execute").click()
    page.locator("#preview-state", has_text="done").wait_for()
    assert tree(library) == {"Herbert, Frank/Dune (1965).epub", "Austen, Jane/Emma (1815).epub",
                             "misc/persuasion.epub"}
    assert LibraryFile.objects.get(item=dune).path == str(library / "Herbert, Frank/Dune (1965).epub")
    assert LibraryFile.objects.get(item=left_alone).path == str(library / "misc/persuasion.epub")
    screenshot(page, "rename-executed")

    page.goto("/rename-books/history/")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revert").first.click()
    batch = RenameBatch.objects.get()
    _wait_for(lambda: RenameBatch.objects.get(pk=batch.pk).state == BatchState.REVERTED)
    page.reload()
    page.locator("#batches .badge", has_text="reverted").wait_for()
    assert tree(library) == before
    assert LibraryFile.objects.get(item=emma).path == str(library / "misc/EMMA.epub")
    screenshot(page, "rename-reverted")
