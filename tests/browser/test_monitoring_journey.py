"""An admin follows an author from the author's page with a format profile, runs the check
(a real worker, the fake Open Library on 127.0.0.1 listing one owned and one new book), sees the
new wanted book with the reason on the followed page, and finds it on the release calendar."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from indexers import profiles
from media.models import MediaItem, MediaStatus
from monitoring.models import MonitoredAuthor
from search.models import SearchProvider
from tests.browser.conftest import log_in
from tests.search.conftest import fakes, live_providers  # noqa: F401 (fixtures)
from tests.ui.factories import make_item

AUTHOR_KEY, AUTHOR = "OL1000001A", "Ada Monitored"
NEW_TITLE = "The Book Out This Month"


@pytest.fixture
def catalogue(live_providers):  # noqa: F811
    SearchProvider.objects.exclude(name="openlibrary").update(enabled=False)
    today = datetime.now(UTC).date()
    live_providers.catalogue.add_author(AUTHOR_KEY, AUTHOR)
    live_providers.catalogue.add_work(AUTHOR_KEY, "OL1000001W", "The Owned Book", first_publish_date="1999")
    live_providers.catalogue.add_work(AUTHOR_KEY, "OL1000002W", NEW_TITLE, first_publish_date=f"{today:%Y-%m-%d}")
    owned = make_item("The Owned Book", authors=[AUTHOR], year=1999, files=[("epub", 1_000)])
    return owned.contributions.first().author_id


@pytest.mark.django_db(transaction=True)
def test_follow_an_author_check_and_see_the_new_book_wanted_and_on_the_calendar(
        page, screenshot, admin_user, catalogue, worker):
    epub_only = profiles.save_profile({"name": "EPUB only", "kind": "ebook", "qualities": ["epub"],
                                       "cutoff": "epub"})
    log_in(page, "admin", "pw-admin-123")
    page.goto(f"/authors/{catalogue}/")
    page.get_by_role("link", name="Works at the providers: follow this author").click()
    page.get_by_label("Kind").select_option("ebook")
    page.get_by_label("Books").select_option("all")
    page.get_by_label("Format profile").select_option(label="EPUB only")
    page.get_by_role("button", name="Follow").click()
    page.get_by_text(f"Following {AUTHOR}.").wait_for()
    assert MonitoredAuthor.objects.get().profile_id == epub_only.pk
    assert "Format profile: EPUB only" in page.locator("main").inner_text()

    page.get_by_role("button", name="Check now").click()
    page.get_by_text("Checking (job #").wait_for()
    for _ in range(60):  # the worker runs the job; the page shows it once it is done
        if MonitoredAuthor.objects.get().last_checked_at is not None:
            break
        page.wait_for_timeout(500)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Followed").click()
    recent = page.locator("main li", has_text=NEW_TITLE)
    recent.wait_for()
    assert f"New book by followed author {AUTHOR} found by Open Library on " in recent.inner_text()
    wanted = MediaItem.objects.get(title=NEW_TITLE)
    assert wanted.status == MediaStatus.WANTED and profiles.profile_for(wanted) == epub_only
    assert MediaItem.objects.filter(title="The Owned Book").count() == 1  # matched, not added again
    screenshot(page, "monitoring-followed-added")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Wanted").click()
    page.get_by_role("link", name="Release calendar").click()
    day = page.locator("table.calendar td", has_text=NEW_TITLE)
    assert day.get_by_role("link", name=NEW_TITLE).is_visible()
    page.get_by_role("link", name="List view").click()
    assert page.locator("table[aria-label=Releases] tr", has_text=NEW_TITLE).is_visible()
    screenshot(page, "monitoring-calendar-list")
