"""Issue 20's "done when" as one journey in headless Chromium: a fresh admin, in the app only
(no page under /admin/ is ever loaded, no id is ever typed), adds a library folder and follows
its first scan to the end on the Scanning page and the dashboard; sets up Prowlarr, SABnzbd and
Open Library, each checked with its Test button; edits a book and sees the value with its
provenance; selects two books in the library, renames them (preview, execute, files moved on
disk) and reverts the rename (files back). Every page of the journey is looked at 1366 and
375 px wide, light and dark: none scrolls sideways; screenshots go to
test-output/screenshots/journey-*.png."""

from __future__ import annotations

import pytest
from dramatiq import Worker

from downloaders.models import DownloadClientConfig
from indexers.models import IndexerConfig
from media.models import MediaItem
from processing.renaming.models import BatchState, RenameBatch
from search.models import SearchProvider
from tests.acquisition.fakes import FakeProwlarr, FakeSabnzbd
from tests.browser.conftest import log_in
from tests.browser.test_rename_journey import _wait_for
from tests.scanning import samples

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMED = "e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className + ' ' + e.textContent.slice(0, 40)"
# what sticks out: elements past the right edge, or whose own content is wider than they are
CULPRITS = f"""() => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > innerWidth + 1
               || (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible'))
  .slice(-5).map({NAMED})"""
# what sticks out of the page's column (a table wider than the layout) even on a wide screen
OUT_OF_MAIN = f"""() => {{ const edge = document.querySelector('main').getBoundingClientRect().right;
  return Array.from(document.querySelectorAll('main *'))
    .filter(e => {{ const r = e.getBoundingClientRect(); return r.width > 1 && r.right > edge + 1; }})
    .slice(0, 5).map({NAMED}) }}"""
VIEWS = [(width, theme) for width in (1366, 375) for theme in ("light", "dark")]
PROWLARR_KEY = "prowlarr-journey-0123456789"
SAB_KEY = "sabnzbd-journey-0123456789"


def _book(title: str, author: str, sort: str) -> samples.Book:
    return samples.Book(title, authors=((author, sort),), isbn="", uuid=f"journey-{title.lower().replace(' ', '-')}")


@pytest.fixture
def library(tmp_path):
    """A small real library: three EPUBs, a CBZ with ComicInfo.xml and a tagged MP3."""
    root = tmp_path / "library"
    samples.make_epub(
        root / "incoming" / "dispossessed.epub", _book("The Dispossessed", "Ursula K. Le Guin", "Le Guin, Ursula K.")
    )
    samples.make_epub(root / "incoming" / "EMMA.epub", _book("Emma", "Jane Austen", "Austen, Jane"))
    samples.make_epub(root / "misc" / "persuasion.epub", _book("Persuasion", "Jane Austen", "Austen, Jane"))
    samples.make_cbz(root / "comics" / "Watchmen 001.cbz", samples.comicinfo("Watchmen", "1"))
    samples.make_mp3(
        root / "audio" / "Salt and Signal.mp3", seconds=1, tags={"album": "Salt and Signal", "artist": "Hana Ivers"}
    )
    return root


@pytest.fixture
def services(tmp_path, fake_providers):
    (tmp_path / "complete").mkdir()
    prowlarr = FakeProwlarr(api_key=PROWLARR_KEY).start()
    sab = FakeSabnzbd(complete_dir=tmp_path / "complete", api_key=SAB_KEY).start()
    yield prowlarr, sab, fake_providers
    sab.stop()
    prowlarr.stop()


@pytest.fixture
def start_worker(broker):
    """The worker starts when the journey says so: the scan is seen queued before it runs."""
    started: list[Worker] = []

    def start() -> None:
        w = Worker(broker, worker_timeout=100, worker_threads=2)
        w.start()
        started.append(w)

    yield start
    for w in started:
        w.stop(timeout=10_000)
        broker.middleware[:] = [m for m in broker.middleware if getattr(m, "worker", None) is not w]


def tree(root) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


class Journey:
    """The browser tab plus the journey's rules: every page is looked at in the four views,
    and what the user types is never a bare number (an id)."""

    def __init__(self, page, screenshot):
        self.page, self.screenshot, self.visited = page, screenshot, []
        page.on("framenavigated", lambda frame: self.visited.append(frame.url) if frame == page.main_frame else None)
        page.on("request", lambda request: self.visited.append(request.url))

    def follow(self, link) -> None:
        """A link or a button that loads a page: the page's scripts have run before going on."""
        link.click()
        self.page.wait_for_load_state("load")

    def type(self, field, value: str) -> None:
        assert not value.strip().isdigit(), f"the journey typed an id: {value}"
        field.fill(value)

    def look(self, name: str) -> None:
        page = self.page
        for width, theme in VIEWS:
            page.set_viewport_size({"width": width, "height": 900})
            page.evaluate(
                f"localStorage.setItem('omni-theme', '{theme}');document.documentElement.dataset.theme = '{theme}'"
            )
            page.emulate_media(color_scheme=theme)
            wide = page.evaluate("document.documentElement.scrollWidth")
            inner = page.evaluate("document.documentElement.clientWidth")
            assert wide <= inner, f"{name} scrolls sideways at {width} px ({theme}): {page.evaluate(CULPRITS)}"
            out = page.evaluate(OUT_OF_MAIN)
            assert not out, f"{name} at {width} px ({theme}): wider than the page's column: {out}"
            self.screenshot(page, f"journey-{name}-{width}-{theme}")
        page.set_viewport_size({"width": 1366, "height": 900})
        page.evaluate("localStorage.setItem('omni-theme', 'light'); document.documentElement.dataset.theme = 'light'")
        page.emulate_media(color_scheme="light")


def test_a_new_admin_sets_up_everything_in_the_app(page, screenshot, admin_user, library, services, start_worker):
    prowlarr, sab, providers = services
    journey = Journey(page, screenshot)
    before = tree(library)
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, "admin", "pw-admin-123")

    # 1. a library folder, and its first scan followed to the end
    page.get_by_text("Nothing imported yet").wait_for()
    journey.look("dashboard-empty")
    journey.follow(page.get_by_role("link", name="Add a library folder"))
    page.wait_for_url("**/library/scanning/")
    journey.type(page.get_by_label("Path"), str(library))
    page.get_by_role("button", name="Add folder").click()
    row = page.locator("#folders tr[data-folder-id]")
    row.wait_for()
    assert str(library) in row.inner_text()
    row.get_by_role("button", name="Scan now").click()
    progress = page.locator("#scan-progress")
    progress.get_by_text("Waiting to start").wait_for()  # queued: no worker yet
    assert "%" not in progress.inner_text()  # no percentage before the total is known
    journey.look("scanning-queued")
    journey.follow(page.get_by_role("link", name="OmniReadarr"))  # the dashboard
    page.get_by_text("The first scan is running").wait_for()
    assert page.locator("#scan-progress").is_visible()
    start_worker()
    counts = page.locator("#dashboard-live")
    counts.locator(".stat", has_text="3 ebooks").wait_for(timeout=30_000)  # redrawn live, no reload
    stats = [" ".join(text.split()) for text in counts.locator(".stat").all_inner_texts()]
    assert sorted(stats) == ["1 audiobook", "1 comic", "3 ebooks"]
    page.locator("#scan-progress").wait_for(state="hidden", timeout=30_000)
    journey.look("dashboard-scanned")
    journey.follow(page.get_by_role("link", name="Scanning").first)
    page.locator("#runs .badge.succeeded").wait_for(timeout=30_000)
    assert page.locator("#runs tr").first.locator("td").nth(2).inner_text() == "5"  # added
    assert MediaItem.objects.count() == 5
    journey.look("scanning-done")

    # 2. indexer, download client and metadata provider, each tested before it is saved
    journey.follow(page.get_by_role("link", name="Settings").first)
    journey.look("settings")
    journey.follow(page.get_by_role("link", name="Indexers").first)
    journey.follow(page.get_by_role("button", name="Add"))
    journey.type(page.get_by_label("Address"), prowlarr.url)
    journey.type(page.get_by_label("API key"), PROWLARR_KEY)
    page.get_by_role("button", name="Test").click()
    page.locator("#test-result .field-ok").wait_for()
    page.get_by_label("FakeNZB (usenet)").check()  # Prowlarr's indexers are ticked, not typed by id
    assert page.get_by_label("Only these Prowlarr indexers").input_value() == "1"
    journey.look("indexer-tested")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/settings/indexers/")
    indexer = IndexerConfig.objects.get()
    assert (indexer.url, indexer.indexer_ids) == (prowlarr.url, "1")
    journey.look("indexers")

    journey.follow(page.get_by_role("link", name="Download clients").first)
    page.get_by_label("Add a client").select_option("sabnzbd")
    journey.follow(page.get_by_role("button", name="Add"))
    journey.type(page.get_by_label("Address"), sab.url)
    journey.type(page.get_by_label("API key"), SAB_KEY)
    journey.type(page.get_by_label("Downloads folder"), str(sab.complete_dir))
    page.get_by_role("button", name="Test").click()
    page.locator("#test-result").get_by_text("SABnzbd 4.3.3 answers").wait_for()
    journey.look("client-tested")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/settings/clients/")
    assert DownloadClientConfig.objects.get().api_key == SAB_KEY
    journey.look("clients")

    journey.follow(page.get_by_role("link", name="Metadata").first)
    openlibrary = page.locator("form[data-provider=openlibrary]")
    journey.type(openlibrary.get_by_label("Address"), providers.base_url("openlibrary"))
    openlibrary.get_by_role("button", name="Test").click()
    openlibrary.locator(".test-result div").wait_for()
    assert "✓ Open Library answers" in openlibrary.locator(".test-result").inner_text()
    journey.look("metadata-tested")
    openlibrary.get_by_role("button", name="Save Open Library").click()
    page.wait_for_url("**/settings/metadata/")
    assert SearchProvider.objects.get(name="openlibrary").base_url == providers.base_url("openlibrary")

    # 3. a book edited on its page: the new value, and where it came from
    journey.follow(page.get_by_role("link", name="Library").first)
    journey.follow(page.locator(".book-card", has_text="The Dispossessed"))
    page.get_by_role("heading", level=1, name="The Dispossessed").wait_for()
    page.locator("#reading-files a", has_text="Download").first.wait_for()
    journey.look("book")
    page.set_viewport_size({"width": 375, "height": 812})
    assert page.evaluate("document.documentElement.scrollHeight") < 2500  # a book page, not 5,880 px of rows
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_role("button", name="Edit").click()
    journey.type(page.get_by_label("Publisher", exact=True), "Harper & Row")
    journey.look("book-edit")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text("Saved.").wait_for()
    page.wait_for_url("**/library/*/")
    page.wait_for_load_state("load")
    details = page.locator("#about")
    assert "Harper & Row" in details.inner_text()
    details.locator("[data-prov=publisher] summary").click()
    assert "Manual entry" in details.locator("[data-prov=publisher]").inner_text()
    journey.look("book-saved")

    # 4. two books selected in the library, renamed, then the rename undone
    journey.follow(page.get_by_role("link", name="Library").first)
    journey.follow(page.get_by_role("link", name="Table view"))
    page.get_by_label("Select Emma").check()
    page.get_by_label("Select Persuasion").check()
    assert page.locator("#bulk-count").inner_text() == "2 selected"
    page.get_by_label("Action", exact=True).select_option("rename")
    journey.look("library-selected")
    journey.follow(page.get_by_role("button", name="Preview the rename"))
    page.wait_for_url("**/rename-books/**")
    assert page.locator(".picker-chosen li span").all_inner_texts() == ["Emma", "Persuasion"]
    journey.type(page.get_by_label("Template text"), "${author.sortname}/${title}.${ext}")
    page.get_by_text("Sample: ").wait_for()
    page.get_by_role("button", name="Preview").click()
    page.locator("#preview-state", has_text="planned").wait_for()
    page.locator("#operations tr").nth(1).wait_for()
    assert page.locator("#operations tr").count() == 2
    assert tree(library) == before  # a preview moves nothing
    journey.look("rename-preview")
    page.get_by_role("button", name="Execute").click()
    page.locator("#preview-state", has_text="done").wait_for()
    renamed = before - {"incoming/EMMA.epub", "misc/persuasion.epub"} | {
        "Austen, Jane/Emma.epub",
        "Austen, Jane/Persuasion.epub",
    }
    assert tree(library) == renamed
    journey.look("rename-done")
    journey.follow(page.get_by_role("link", name="History"))
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revert").first.click()
    _wait_for(lambda: RenameBatch.objects.get().state == BatchState.REVERTED)
    page.reload()
    page.locator("#batches .badge", has_text="reverted").wait_for()
    assert tree(library) == before
    journey.look("rename-reverted")

    admin_pages = [url for url in journey.visited if "/admin/" in url]
    assert admin_pages == [], f"the journey went through the Django admin: {admin_pages}"
