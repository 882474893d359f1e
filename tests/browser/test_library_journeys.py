"""Library journeys in a real browser: search with a filter and open a book; edit and lock
a field and see it survive a reload and a forced metadata refresh; first-run wizard up to the
review step."""

from __future__ import annotations

import time

import pytest

from core.wizard import services as wizard_services
from core.wizard.models import WizardState
from media.models import MediaItem
from scanning.models import RunState, ScanFolder, ScanRun
from search.models import FieldCandidate, ResolvedField
from search.services import record_candidates
from tests.browser.conftest import log_in
from tests.conftest import run_queued_jobs
from tests.scanning import samples
from tests.search.conftest import fakes, live_providers  # noqa: F401 (fixtures)
from tests.ui.factories import make_item


@pytest.fixture
def shelf(db):
    make_item("Dune", authors=["Frank Herbert"], series="Dune", index=1, year=1965, files=[("epub", 1_000_000)])
    make_item(
        "Dune Messiah",
        authors=["Frank Herbert"],
        series="Dune",
        index=2,
        year=1969,
        files=[("pdf", 2_000_000)],
    )
    make_item("Les Misérables", authors=["Victor Hugo"], language="fr", files=[("epub", 3_000_000)])


@pytest.mark.django_db(transaction=True)
def test_search_with_a_filter_and_open_a_book(page, screenshot, admin_user, shelf):
    log_in(page, "admin", "pw-admin-123")
    page.goto("/library/")
    page.keyboard.press("/")
    page.keyboard.type("dune")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=dune**")
    cards = page.locator(".book-card")
    assert cards.count() == 2
    assert page.locator(".book-card mark").first.inner_text() == "Dune"
    page.get_by_text("Filters and options").click()
    page.get_by_label("PDF").check()  # applies at once
    page.wait_for_url("**format=pdf**")
    assert page.locator(".book-card").count() == 1
    screenshot(page, "library-search-filter")
    page.locator(".book-card").first.click()
    page.wait_for_url("**/library/*/")
    assert page.get_by_role("heading", level=1).inner_text() == "Dune Messiah"
    assert page.locator("ul.chips").get_by_text("PDF", exact=True).is_visible()  # the formats (issue 20)
    screenshot(page, "book-detail")


@pytest.mark.django_db(transaction=True)
def test_misspelt_search_still_finds_and_table_view(page, admin_user, shelf):
    log_in(page, "admin", "pw-admin-123")
    page.goto("/library/?q=miserabels")
    assert page.get_by_text("Also matched").is_visible()
    page.get_by_role("link", name="Table view").click()
    assert page.locator("table[aria-label=Results] tbody tr").count() == 1


@pytest.mark.django_db(transaction=True)
def test_edit_and_lock_a_field_survives_a_reload_and_a_forced_refresh(
    page,
    screenshot,
    admin_user,
    live_providers,  # noqa: F811 (fixture imported above)
    broker,
    worker,
):
    """Through the metadata provenance: the edit is a manual value, the locks are ResolvedField
    locks, and a forced refresh from the (fake) providers changes other fields but not these."""
    item = MediaItem.objects.create(title="use of weapons", sort_title="use of weapons")
    record_candidates(
        item, "embedded_epub", {"title": "use of weapons", "authors": ["Banks, Iain"], "isbn13": "9780316030571"}, 0.8
    )
    log_in(page, "admin", "pw-admin-123")
    page.goto(f"/library/{item.pk}/")
    page.get_by_role("button", name="Edit").click()  # the provenance form lives in Edit mode (issue 20)
    page.get_by_label("Publisher", exact=True).fill("Gallimard")
    assert page.get_by_label("Lock Publisher").is_checked()  # editing locks
    page.get_by_label("Lock Year").check()
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text("Saved.").wait_for()
    page.wait_for_url(f"**/library/{item.pk}/")  # saving goes back to the book (issue 20)
    page.wait_for_load_state("load")
    page.reload()
    assert page.get_by_label("Publisher", exact=True).input_value() == "Gallimard"
    assert page.get_by_label("Lock Publisher").is_checked() and page.get_by_label("Lock Year").is_checked()
    assert page.locator("#history").filter(has_text="Gallimard").count() == 1
    assert page.locator("tr[data-field=publisher]").filter(has_text="Manual entry").count() == 1

    page.get_by_role("button", name="Edit").click()  # saving went back to the book
    page.get_by_role("button", name="Refresh metadata").click()  # forced refresh in the background
    page.get_by_text("Refresh queued as job").wait_for()
    run_queued_jobs(broker, worker)
    page.reload()
    assert page.get_by_role("heading", level=1).inner_text() == "Use of Weapons"  # the refresh did run
    assert page.get_by_label("Publisher", exact=True).input_value() == "Gallimard"
    assert page.get_by_label("Year", exact=True).input_value() == ""
    page.get_by_role("button", name="Edit").click()
    screenshot(page, "book-edit-locked")
    item.refresh_from_db()
    assert item.title == "Use of Weapons" and item.publisher == "Gallimard" and item.year is None
    assert FieldCandidate.objects.filter(item=item, field="publisher", source__name="openlibrary").exists()
    assert FieldCandidate.objects.filter(item=item, field="year", source__name="openlibrary").exists()
    locked = set(ResolvedField.objects.filter(item=item, locked=True).values_list("field", flat=True))
    assert locked == {"publisher", "year"}


@pytest.mark.django_db(transaction=True)
def test_first_run_wizard_to_a_completed_scan(page, screenshot, settings, tmp_path, worker):
    settings.WIZARD_REDIRECT = True
    wizard_services.forget_cache()
    books = tmp_path / "books"
    samples.make_epub(books / "Frank Herbert" / "Dune.epub", samples.Book("Dune", authors=(("Frank Herbert", ""),)))
    before = sorted(p.stat().st_mtime_ns for p in books.rglob("*"))
    page.goto("/")
    page.wait_for_url("**/wizard/welcome/")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Username").fill("owner")
    page.get_by_label("Password", exact=True).fill("a-Long-pass-123")
    page.get_by_label("Password again").fill("a-Long-pass-123")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/wizard/folders/")
    page.get_by_label("Library folders").fill(str(tmp_path / "missing"))
    page.get_by_role("button", name="Save and continue").click()
    assert page.get_by_text("does not exist").first.is_visible()
    page.get_by_label("Library folders").fill(str(books))
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/wizard/content/")
    page.get_by_label("Ebooks").check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Open Library (no key needed)").check()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/wizard/downloads/")
    page.get_by_label("Prowlarr url").fill("http://127.0.0.1:9")
    page.get_by_role("button", name="Test Prowlarr").click()
    page.get_by_text("Cannot reach 127.0.0.1:9").wait_for()
    page.get_by_label("Prowlarr url").fill("")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/wizard/naming/")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/wizard/review/")
    assert page.get_by_role("heading", name="Your answers").is_visible()
    screenshot(page, "wizard-review")
    state = WizardState.load()
    assert state.data["folders"]["library_folders"] == str(books) and state.current_step == "review"
    assert page.get_by_label("Start the first scan now").is_checked()
    page.get_by_role("button", name="Finish setup").click()
    page.get_by_role("heading", name="Dashboard").wait_for()
    assert page.get_by_text("Setup complete.").is_visible()
    assert WizardState.load().completed_at is not None
    assert ScanFolder.objects.get().path == str(books)
    run = _wait_for(lambda: ScanRun.objects.filter(state=RunState.SUCCEEDED).first())
    assert run.added == 1
    page.goto("/library/?q=dune")
    page.get_by_text("Dune").first.wait_for()
    screenshot(page, "wizard-first-scan-library")
    assert sorted(p.stat().st_mtime_ns for p in books.rglob("*")) == before  # the wizard touched no file


def _wait_for(probe, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("timed out")
