"""The web UI's quality bar, checked in headless Chromium on seeded pages: axe-core (bundled by
axe-playwright-python) finds no serious or critical violation on any page of the shell in the
light or the dark theme; Tab from the top of a page reaches the skip link and the main
navigation with a visible focus ring; at a phone's 375 px no page scrolls sideways."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from core.models import Job, JobState
from indexers.models import IndexerConfig
from indexers.profiles import save_profile
from media.models import LibraryFile, MediaStatus
from monitoring.models import BookState, MonitoredAuthor, MonitoredBook, MonitoredSeries
from scanning.models import RunState, ScanFolder, ScanRun
from search.models import ReviewItem
from search.services.trust import NewSource, add_source
from tests.browser.conftest import log_in
from tests.scanning.samples import make_cbz, make_mp3
from tests.ui.factories import make_item

WIZARD_STEPS = ["welcome", "admin", "folders", "content", "metadata", "downloads", "naming", "review"]
PAGES = [
    "/",
    "/library/",
    "/library/?view=table",
    "/library/?q=dune&format=epub&format=pdf&year_min=1900",
    "/library/?view=table&q=lang:de",
    "/library/?view=table&sort=year&order=desc",
    "/library/{book}/",
    "/read/{book}/",
    "/read/{comic}/",
    "/read/{audiobook}/",
    "/series/",
    "/series/?q=dune",
    "/series/{series}/",
    "/authors/",
    "/authors/?q=herb&sort=books&order=desc",
    "/authors/{author}/",
    "/wanted/",
    "/activity/",
    "/library/scanning/",
    "/settings/",
    "/settings/clients/",
    "/settings/clients/add/?kind=sabnzbd",
    "/search/",
    "/review/",
    "/downloads/",
    "/downloads/wanted/",
    "/downloads/blacklist/",
    "/imports/",
    "/rename-books/",
    "/rename-books/templates/",
    "/rename-books/history/",
    "/indexers/parse/",
    "/settings/indexers/",
    "/settings/indexers/add/",
    "/settings/indexers/{indexer}/",
    "/reading-lists/",
    "/reading-lists/review/",
    "/settings/metadata/",
    "/settings/media/",
    "/settings/schedules/",
    "/sources/",
    "/sources/{added_source}/retire",
    *[f"/wizard/{step}/" for step in WIZARD_STEPS],
]
# issue 22: followed authors and series, the release calendar, format profiles
MONITORING_PAGES = ["/monitoring/", "/monitoring/authors/{author}/", "/monitoring/series/{series}/", "/calendar/",
                    "/calendar/?view=list", "/settings/profiles/", "/settings/profiles/{profile}/",
                    "/settings/profiles/add/"]
PAGES += MONITORING_PAGES
PHONE_PAGES = ["/", "/library/", "/library/?view=table", "/library/{book}/", "/series/", "/authors/",
               "/series/{series}/", "/authors/{author}/", "/wanted/", "/activity/", "/library/scanning/",
               "/settings/", "/search/", "/downloads/", "/wizard/folders/", "/settings/indexers/",
               "/settings/indexers/{indexer}/", "/reading-lists/", "/reading-lists/review/",
               "/settings/metadata/", "/settings/media/", "/settings/schedules/", "/sources/", *MONITORING_PAGES]
BLOCKING = {"serious", "critical"}
AXE = Axe()


@pytest.fixture
def seeded(db, admin_user, tmp_path):
    dune = make_item("Dune", authors=["Frank Herbert"], series="Dune", index=1, year=1965,
                     files=[("epub", 1_000_000)], tags=["Science fiction"], identifiers=[("isbn13", "9780441013593")])
    messiah = make_item("Dune Messiah", authors=["Frank Herbert"], series="Dune", index=3, year=1969,
                        files=[("pdf", 2_000_000)])
    make_item("Les Misérables", authors=["Victor Hugo"], language="fr", files=[("epub", 3_000_000)])
    make_item("Children of Dune", authors=["Frank Herbert"], status=MediaStatus.WANTED)
    now = timezone.now()
    Job.objects.create(kind="core.selftest", state=JobState.RUNNING, progress_done=3, progress_total=10,
                       message="Counting", started_at=now)
    Job.objects.create(kind="scanning.scan", state=JobState.FAILED, last_error="Folder is not readable",
                       started_at=now - timedelta(minutes=5), finished_at=now)
    folder = ScanFolder.objects.create(path="/books", name="Books")
    ScanRun.objects.create(folder=folder, state=RunState.SUCCEEDED, added=3, corrupt=1, finished_at=now)
    ReviewItem.objects.create(item=messiah, recommendation="medium", reason="Two close candidates", best_distance=0.2,
                              candidates=[{"title": "Dune Messiah", "authors": ["Frank Herbert"], "year": 1969,
                                           "provider": "openlibrary", "external_id": "OL1W", "distance": 0.2,
                                           "explain": ["year 0.00", "title 0.05"]}])
    contribution = dune.contributions.first()
    readable = {}
    for kind, path in (("comic", make_cbz(tmp_path / "Saga 01.cbz", None)),
                       ("audiobook", make_mp3(tmp_path / "Heard 01.mp3", seconds=1))):
        item = make_item(path.stem, kind=kind)
        LibraryFile.objects.create(item=item, path=str(path), size=path.stat().st_size, mtime_ns=1,
                                   format=path.suffix.lstrip("."))
        readable[kind] = item.id
    indexer = IndexerConfig.objects.create(name="Prowlarr", url="http://127.0.0.1:9", api_key="0123456789abcdef")
    profile = _seed_monitoring(dune, messiah, contribution.author)
    added = add_source(NewSource("openlibrary", "ol-mirror", "Open Library mirror", "https://ol.example.org"))
    return {"book": dune.id, "series": dune.series_id, "author": contribution.author_id, "indexer": indexer.id,
            "profile": profile.id, "added_source": added.name, **readable}


def _seed_monitoring(dune, messiah, author):
    """A followed author and series with a listing (gaps), a book added and one to review, a
    release this month for the calendar, and a profile of each kind besides the defaults."""
    profile = save_profile({"name": "EPUB only, a long name for a narrow screen", "kind": "ebook",
                            "qualities": ["epub_retail", "epub"], "cutoff": "epub_retail", "min_score": 10})
    save_profile({"name": "Comics, CBZ first", "kind": "comic", "qualities": ["cbz", "cbr"], "cutoff": "cbz"})
    now = timezone.now()
    listing = [{"provider": "openlibrary", "external_id": f"OL{i}W", "title": title, "published": year,
                "position": str(i)} for i, (title, year) in enumerate(
                    [("Dune", "1965"), ("Dune Messiah", "1969"), ("Children of Dune", "1976"),
                     ("God Emperor of Dune: a very long title that has to wrap on a phone", "1981")], start=1)]
    follows = {"kind": "ebook", "listing": listing, "last_checked_at": now,
               "last_summary": {"listed": 4, "counts": {"added": 1}, "skipped_providers": ["Comic Vine: no id"]}}
    monitor = MonitoredAuthor.objects.create(author=author, name=author.name, profile=profile, **follows)
    MonitoredSeries.objects.create(series=dune.series, title=dune.series.title, **follows)
    wanted = make_item("Coming Next Month", authors=[author.name], status=MediaStatus.WANTED,
                       published=f"{now:%Y-%m}-15")
    MonitoredBook.objects.create(provider="openlibrary", external_id="OL9W", kind="ebook", state=BookState.ADDED,
                                 title=wanted.title, item=wanted, author_monitor=monitor,
                                 reason="New book by followed author Frank Herbert found by Open Library")
    MonitoredBook.objects.create(provider="openlibrary", external_id="OL2W", kind="ebook", state=BookState.REVIEW,
                                 title="Dune Messiah (Deluxe)", author_monitor=monitor, reason="Looks alike",
                                 candidates=[{"item_id": messiah.id, "title": messiah.title, "why": "title 0.12"}])
    return profile


def _visit(page, path: str) -> None:
    page.goto(path)
    # Live pages draw their first rows from data embedded in the page: audit once "Loading…" is gone.
    page.wait_for_function("() => !document.body.innerText.includes('Loading…')")
    # The audiobook player shows the app's pages in a frame: audit once the framed page is in.
    page.wait_for_function("() => [...document.querySelectorAll('iframe')].every(f => f.contentDocument"
                           " && f.contentDocument.readyState === 'complete' && f.contentDocument.body.innerText)")


def _serious(page) -> list[dict]:
    results = AXE.run(page, options={"resultTypes": ["violations"]})
    return [v for v in results.response["violations"] if v["impact"] in BLOCKING]


def _report(found: dict[str, list[dict]]) -> str:
    lines = []
    for path, violations in found.items():
        for v in violations:
            targets = "; ".join(" ".join(n["target"]) for n in v["nodes"][:4])
            lines.append(f"{path}: {v['id']} ({v['impact']}, {len(v['nodes'])}x) {v['help']} -> {targets}")
    return "\n".join(lines)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_page_has_no_serious_axe_violations(page, screenshot, seeded, theme):
    page.add_init_script(f"localStorage.setItem('omni-theme', '{theme}')")
    page.emulate_media(color_scheme=theme)
    found: dict[str, list[dict]] = {}
    _visit(page, "/accounts/login/")
    found["/accounts/login/"] = _serious(page)
    log_in(page, "admin", "pw-admin-123")
    for template in PAGES:
        path = template.format(**seeded)
        _visit(page, path)
        assert page.evaluate("document.documentElement.dataset.theme") == theme
        found[path] = _serious(page)
        if path == "/":
            screenshot(page, f"a11y-dashboard-{theme}")
        elif path == f"/library/{seeded['book']}/":
            screenshot(page, f"a11y-book-detail-{theme}")
    counts = Counter(v["id"] for vs in found.values() for v in vs for _ in v["nodes"])
    assert not counts, f"{dict(counts)}\n{_report({p: v for p, v in found.items() if v})}"


FOCUS_STATE = """() => {
  const el = document.activeElement, s = getComputedStyle(el), r = el.getBoundingClientRect();
  return {
    tag: el.tagName, text: (el.innerText || el.getAttribute('aria-label') || '').trim().slice(0, 40),
    skip: el.classList.contains('skip-link'), inMainNav: !!el.closest('nav[aria-label=Main]'),
    ring: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none',
    onScreen: r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0
      && r.right <= innerWidth && r.bottom <= innerHeight,
  };
}"""


WIDEST = """() => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > innerWidth + 1)
  .slice(-5)
  .map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className + ' '
    + Math.round(e.getBoundingClientRect().width) + 'px')"""


def _tab(page) -> dict:
    page.keyboard.press("Tab")
    state = page.evaluate(FOCUS_STATE)
    assert state["ring"], f"no visible focus indicator on {state}"
    assert state["onScreen"], f"focused element is off screen: {state}"
    return state


def _tab_until(page, key: str, limit: int = 6) -> list[dict]:
    seen = [_tab(page)]
    while not seen[-1][key]:
        assert len(seen) < limit, f"Tab never reached {key}: {seen}"
        seen.append(_tab(page))
    return seen


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_tab_reaches_skip_link_then_main_navigation_with_visible_focus(page, seeded, theme):
    page.add_init_script(f"localStorage.setItem('omni-theme', '{theme}')")
    log_in(page, "admin", "pw-admin-123")
    _visit(page, "/library/")
    first = _tab(page)
    assert first["skip"], f"the first Tab stop is not the skip link: {first}"
    _tab_until(page, "inMainNav")
    assert page.evaluate("document.activeElement.textContent") == "Library"

    _visit(page, "/library/")
    _tab(page)
    page.keyboard.press("Enter")  # the skip link moves focus into <main>, past the navigation
    assert page.evaluate("document.activeElement.id") == "main"
    state = _tab(page)
    assert page.evaluate("!!document.activeElement.closest('main')"), state


@pytest.mark.django_db(transaction=True)
def test_phone_menu_opens_from_the_keyboard(page, screenshot, seeded):
    page.set_viewport_size({"width": 375, "height": 812})
    log_in(page, "admin", "pw-admin-123")
    _visit(page, "/")
    assert page.locator("#main-nav a").first.is_hidden()  # folded away behind "Menu" on a phone
    assert _tab(page)["skip"]
    seen = [_tab(page)]
    while seen[-1]["text"] != "Menu":
        assert len(seen) < 4, f"Tab never reached the Menu button: {seen}"
        seen.append(_tab(page))
    page.keyboard.press("Enter")
    assert page.get_by_role("button", name="Menu").get_attribute("aria-expanded") == "true"
    state = _tab(page)
    assert state["inMainNav"] and state["text"] == "Library", state
    screenshot(page, "a11y-phone-menu-open")
    page.keyboard.press("Escape")  # closes the menu and gives focus back to its button
    menu = page.get_by_role("button", name="Menu")
    assert menu.get_attribute("aria-expanded") == "false" and page.locator("#main-nav a").first.is_hidden()
    assert page.evaluate("document.activeElement.textContent.trim()") == "Menu"


@pytest.mark.django_db(transaction=True)
def test_theme_button_names_the_active_theme(page, seeded):
    log_in(page, "admin", "pw-admin-123")
    _visit(page, "/")
    button = page.locator(".theme-toggle")
    assert button.get_attribute("aria-label") == "Theme: auto. Switch theme"  # before any click
    button.click()
    assert button.get_attribute("aria-label") == "Theme: dark. Switch theme"
    page.reload()
    assert page.locator(".theme-toggle").get_attribute("aria-label") == "Theme: dark. Switch theme"


@pytest.mark.django_db(transaction=True)
def test_pages_fit_a_phone_screen_without_sideways_scrolling(page, screenshot, seeded):
    page.set_viewport_size({"width": 375, "height": 812})
    log_in(page, "admin", "pw-admin-123")
    too_wide = {}
    for template in PHONE_PAGES:
        path = template.format(**seeded)
        _visit(page, path)
        for opened in (False, True):
            if opened:
                page.get_by_role("button", name="Menu").click()
            width = page.evaluate("document.scrollingElement.scrollWidth")
            inner = page.evaluate("window.innerWidth")
            if width > inner:
                culprits = page.evaluate(WIDEST)
                too_wide[f"{path} (menu {'open' if opened else 'closed'})"] = (width, culprits)
        if path == "/library/?view=table":
            screenshot(page, "a11y-phone-library-table")
    assert not too_wide, too_wide



@pytest.mark.django_db(transaction=True)
def test_running_job_progress_is_live_keeps_focus_and_announces_the_end(page, seeded):
    job = Job.objects.get(state=JobState.RUNNING)
    log_in(page, "admin", "pw-admin-123")
    _visit(page, "/activity/")
    cancel = page.locator(f"tr[data-job-id='{job.id}']").get_by_role("button", name="Cancel")
    cancel.focus()
    Job.objects.filter(pk=job.pk).update(progress_done=7)
    page.wait_for_function(f"() => document.querySelector(\"tr[data-job-id='{job.id}'] progress\").value == 7")
    # the table was redrawn under the keyboard user: focus is back on the same Cancel button
    assert page.evaluate("document.activeElement.textContent") == "Cancel"
    assert page.evaluate("document.activeElement.closest('tr').dataset.jobId") == str(job.id)

    _visit(page, "/")
    page.wait_for_function(f"() => document.querySelector(\"#running-jobs [data-job-id='{job.id}'] progress\")")
    Job.objects.filter(pk=job.pk).update(state=JobState.SUCCEEDED, finished_at=timezone.now())
    live = page.locator("#live-status[aria-live=polite]")
    page.wait_for_function("() => document.getElementById('live-status').textContent.includes('finished')")
    assert f"#{job.id}: finished" in live.text_content()
