"""Issue 20 (defects 5, 6, 7) in headless Chromium at 1366 and 375 px, light and dark: the
scan's live progress on top of the dashboard (a rate while the total is unknown, a percentage
and ETA once it is), the dashboard's counts following a first scan, a wanted book added by
hand, the styled 404 page, the wizard's readable review; and no page of the app scrolls
sideways on a 375 px phone. Screenshots go to test-output/screenshots/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import Job, JobState
from core.wizard.models import WizardState
from media.models import MediaItem
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import PAGES, WIDEST, _serious, _visit, seeded  # noqa: F401
from tests.ui.factories import make_item

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 375, "height": 812}}
VIEWS = [(size, theme) for size in SIZES for theme in ("light", "dark")]


def _open(page, size: str, theme: str) -> None:
    page.set_viewport_size(SIZES[size])
    page.add_init_script(f"localStorage.setItem('omni-theme', '{theme}')")
    page.emulate_media(color_scheme=theme)
    log_in(page, "admin", "pw-admin-123")


def _fits(page) -> None:
    width, inner = page.evaluate("document.scrollingElement.scrollWidth"), page.evaluate("window.innerWidth")
    assert width <= inner, f"scrolls sideways ({width} > {inner}): {page.evaluate(WIDEST)}"


def _scan(**fields) -> Job:
    return Job.objects.create(
        kind="scanning.scan_folder",
        target="scanfolder:1",
        state=JobState.RUNNING,
        started_at=timezone.now() - timedelta(seconds=10),
        **fields,
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("size", "theme"), VIEWS)
def test_the_dashboard_follows_a_first_scan_honestly(page, screenshot, admin_user, size, theme):
    scan = _scan(progress_done=3000, progress_total=None, message="3000 files checked, 2990 added")
    _open(page, size, theme)
    page.goto("/")
    box = page.locator("#scan-progress")
    assert box.is_visible()
    text = box.inner_text()
    assert "3,000 done" in text and "/s" in text and "%" not in text and "ETA" not in text
    assert "The first scan is running" in page.locator("#dashboard-live").inner_text()
    for i in range(3):  # the scan imports books: the counts follow without a reload
        make_item(f"Imported {i}")
    page.wait_for_function("() => document.querySelector('#dashboard-live .num').textContent === '3'", timeout=8000)
    assert "Imported 2" in page.locator("#dashboard-live").inner_text()
    Job.objects.filter(pk=scan.pk).update(progress_done=3000, progress_total=15126)  # the count is in
    page.wait_for_function("() => /19\\.8%/.test(document.getElementById('scan-progress').innerText)", timeout=8000)
    assert "ETA" in box.inner_text()
    _fits(page)
    assert not _serious(page)
    screenshot(page, f"i20-dashboard-scan-{size}-{theme}")
    Job.objects.filter(pk=scan.pk).update(state=JobState.SUCCEEDED, finished_at=timezone.now())
    box.wait_for(state="hidden", timeout=8000)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("size", "theme"), VIEWS)
def test_the_scanning_page_shows_the_scan_progress_on_top(page, screenshot, admin_user, size, theme):
    _scan(progress_done=120, progress_total=480, message="130 files checked, 120 added")
    _open(page, size, theme)
    _visit(page, "/library/scanning/")
    box = page.locator("#scan-progress")
    assert box.is_visible() and "25%" in box.inner_text() and "ETA" in box.inner_text()
    assert box.bounding_box()["y"] < page.locator("#folders-h").bounding_box()["y"]
    _fits(page)
    screenshot(page, f"i20-scanning-progress-{size}-{theme}")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("size", "theme"), VIEWS)
def test_a_wanted_book_is_added_by_hand_without_a_provider(page, screenshot, admin_user, size, theme):
    _open(page, size, theme)
    _visit(page, "/wanted/")
    assert "Nothing is wanted yet" in page.inner_text("main")
    page.get_by_label("Title").fill("Project Hail Mary")
    page.get_by_label("Authors").fill("Andy Weir")
    page.get_by_label("ISBN (optional)").fill("978-0-593-13520-4")
    page.get_by_role("button", name="Add to wanted").click()
    page.wait_for_function("() => document.querySelector('main table tbody').innerText.includes('Project Hail Mary')")
    item = MediaItem.objects.get(title="Project Hail Mary")
    assert item.isbn13 == "9780593135204" and item.authors_display == "Andy Weir"
    _fits(page)
    assert not _serious(page)
    screenshot(page, f"i20-wanted-by-hand-{size}-{theme}")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("size", "theme"), VIEWS)
def test_the_404_page_and_the_wizard_review_are_in_the_layout(page, screenshot, admin_user, size, theme):
    WizardState.objects.create(
        pk=1,
        data={"content": {"kinds": ["ebook", "comic"]}, "folders": {"library_folders": "/books", "downloads_dir": ""}},
    )
    _open(page, size, theme)
    response = page.goto("/no-such-page/")
    assert response.status == 404 and page.locator("#main-nav").count() == 1
    assert page.get_by_role("heading", name="This page does not exist").is_visible()
    _fits(page)
    assert not _serious(page)
    screenshot(page, f"i20-404-{size}-{theme}")
    _visit(page, "/wizard/review/")
    summary = page.locator("dl.summary").first.inner_text()
    assert "[" not in page.inner_text("main") and "Ebooks, Comics" in page.inner_text("main"), summary
    _fits(page)
    assert not _serious(page)
    screenshot(page, f"i20-wizard-review-{size}-{theme}")


@pytest.mark.django_db(transaction=True)
def test_no_page_scrolls_sideways_on_a_phone(page, screenshot, seeded):  # noqa: F811 (the fixture)
    """Every page of the shell (the axe walk's list: dashboard, library, book, series, authors,
    wanted, downloads, activity, scanning, settings, imports, rename, every wizard step) and
    the 404 page, with the phone menu closed and open."""
    page.set_viewport_size(SIZES["phone"])
    log_in(page, "admin", "pw-admin-123")
    too_wide = {}
    for template in [*PAGES, "/no-such-page/"]:
        path = template.format(**seeded)
        page.goto(path)
        page.wait_for_load_state("networkidle")
        for opened in (False, True):
            if opened and page.get_by_role("button", name="Menu").count():
                page.get_by_role("button", name="Menu").click()
            width, inner = page.evaluate("document.scrollingElement.scrollWidth"), page.evaluate("innerWidth")
            if width > inner:
                too_wide[f"{path} (menu {'open' if opened else 'closed'})"] = (width, page.evaluate(WIDEST))
    assert not too_wide, "\n".join(f"{p}: {w}" for p, w in too_wide.items())
