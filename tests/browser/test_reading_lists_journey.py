"""Import a Goodreads export in the browser: upload, preview with the to-read shelf chosen, run
with live progress, the report; the rows left for review; an indexer's query-form figures."""

from __future__ import annotations

import pytest

from indexers import learning
from indexers.models import GrabOutcome, IndexerConfig
from media.models import MediaItem
from readinglists.models import ListImport
from tests.browser.conftest import log_in
from tests.conftest import run_queued_jobs
from tests.readinglists import samples
from tests.readinglists.support import make_owned, providers_on_fakes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def list_providers(tmp_path, monkeypatch):
    yield from providers_on_fakes(tmp_path, monkeypatch)


def test_a_goodreads_list_is_previewed_imported_and_reported(page, screenshot, admin_user, list_providers,
                                                             broker, worker, tmp_path):
    make_owned()
    csv_path = tmp_path / "goodreads_library_export.csv"
    csv_path.write_bytes(samples.goodreads())
    log_in(page, "admin", "pw-admin-123")
    page.goto("/reading-lists/")
    page.get_by_label("CSV file").set_input_files(str(csv_path))
    page.get_by_role("button", name="Upload and preview").click()
    page.get_by_role("heading", name="Goodreads export: 5 rows").wait_for()
    assert page.get_by_label("to-read (3)").is_checked() and not page.get_by_label("read (1)").is_checked()
    screenshot(page, "reading-list-preview")
    page.get_by_role("button", name="Import", exact=True).click()
    run_queued_jobs(broker, worker, fail_fast=False, timeout_ms=60_000)
    page.get_by_text("Done:").wait_for(timeout=30_000)  # the page reloads itself when the job is done
    assert "1 added, 1 matched to books you have or want, 1 left for review, 2 skipped" in page.locator(
        "#list-progress").inner_text()
    screenshot(page, "reading-list-report")
    assert ListImport.objects.get().state == "done" and MediaItem.objects.filter(title="Use of Weapons").exists()
    page.goto("/reading-lists/review/")
    page.get_by_role("heading", name=f"{samples.UNKNOWN[0]} by {samples.UNKNOWN[1]}").wait_for()
    screenshot(page, "reading-list-review")
    page.get_by_role("button", name="Dismiss").click()
    page.get_by_text("Nothing waits for review.").wait_for()


def test_the_indexer_page_shows_its_query_forms_in_the_learned_order(page, screenshot, admin_user):
    config = IndexerConfig.objects.create(name="Prowlarr", url="http://127.0.0.1:9", api_key="0123456789abcdef")
    for attempt, (form, outcome) in enumerate([("title", GrabOutcome.IMPORTED)] * 3 + [("isbn", GrabOutcome.FAILED)]
                                              * 2, start=1):
        learning.record_grab(attempt, indexer_config_id=config.pk, query_form=form)
        learning.record_outcome(attempt, outcome)
    log_in(page, "admin", "pw-admin-123")
    page.goto(f"/settings/indexers/{config.pk}/")
    first = page.locator("#query-forms tbody tr").first
    assert first.inner_text().split("\t")[:2] == ["1", "Title"]
    screenshot(page, "indexer-query-forms")
