"""Issue 20 defect 3 in a real browser: a new admin sets up Prowlarr on Settings > Indexers
(typed values tested live against the fake Prowlarr, saved, key never shown back), sees a bad
naming template explained as it is typed, and every settings page fits 1366 and 375 px."""

from __future__ import annotations

import pytest

from indexers.models import IndexerConfig
from scanning.models import ScanFolder
from tests.acquisition.fakes import FakeProwlarr
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import _serious

SETTINGS_PAGES = [
    "/settings/",
    "/settings/indexers/",
    "/settings/indexers/add/",
    "/settings/metadata/",
    "/settings/media/",
    "/settings/schedules/",
]
SIDEWAYS = "() => document.documentElement.scrollWidth > window.innerWidth + 1"
KEY = "prowlarr-0123456789abcdef"


@pytest.fixture
def prowlarr():
    server = FakeProwlarr(api_key=KEY).start()
    yield server
    server.stop()


@pytest.mark.django_db(transaction=True)
def test_prowlarr_is_added_tested_and_saved_without_the_admin(page, screenshot, admin_user, prowlarr):
    log_in(page, "admin", "pw-admin-123")
    page.goto("/settings/")
    page.get_by_role("link", name="Indexers").first.click()
    page.get_by_role("button", name="Add").click()
    page.get_by_label("Address").fill(prowlarr.url)
    page.get_by_label("API key").fill("wrong-key")
    page.get_by_role("button", name="Test").click()
    page.locator("#test-result .field-error").wait_for()
    assert "✗" in page.locator("#test-result").inner_text()
    page.get_by_label("API key").fill(KEY)
    page.get_by_role("button", name="Test").click()
    page.locator("#test-result .field-ok").wait_for()
    assert "Prowlarr 1.30.2.4939: 2 indexer(s)" in page.locator("#test-result").inner_text()
    page.get_by_label("FakeTorrents (torrent)").check()  # ticked from the test's list, never typed as ids
    assert page.get_by_label("Only these Prowlarr indexers").input_value() == "2"
    assert not _serious(page)  # the checkboxes are labelled, outside the live region
    screenshot(page, "settings-indexer-tested")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/settings/indexers/")
    row = IndexerConfig.objects.get()
    assert (row.url, row.api_key, row.indexer_ids) == (prowlarr.url, KEY, "2")
    page.get_by_role("button", name="Test").click()
    page.locator("td.test-result", has_text="✓").wait_for()
    page.get_by_role("link", name=row.name).click()
    assert KEY not in page.content()
    assert page.get_by_label("API key").input_value() == ""


@pytest.mark.django_db(transaction=True)
def test_naming_template_preview_explains_a_mistake_while_typing(page, admin_user, tmp_path):
    ScanFolder.objects.create(path=str(tmp_path), name="Books")
    log_in(page, "admin", "pw-admin-123")
    page.goto("/settings/media/")
    field = page.get_by_label("Ebook path template")
    field.fill("${author.sortname}/${title")
    page.locator("#id_ebook-template_preview.field-error").wait_for()
    assert "Unclosed token" in page.locator("#id_ebook-template_preview").inner_text()
    field.fill("${author.sortname}/${title}.${ext}")
    page.locator("#id_ebook-template_preview", has_text="Sample: ").wait_for()
    page.get_by_role("button", name="Test conversion of comics").click()
    page.locator("#comic-test-result", has_text="✓ Repacked a sample CBR").wait_for()
    library = page.get_by_label("Rename template")
    library.fill("${title}.${ext}")
    page.get_by_role("button", name="Save naming of Books").click()
    page.get_by_text("Naming of Books saved.").wait_for()
    assert ScanFolder.objects.get().naming_template == "${title}.${ext}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1366, 375])
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_settings_pages_fit_the_screen(page, screenshot, admin_user, width, theme):
    IndexerConfig.objects.create(
        name="Prowlarr",
        url="http://prowlarr.example.lan:9696",
        api_key=KEY,
        base_path="/a/rather/long/reverse/proxy/base/path",
        last_test_ok=False,
        last_test_message="Prowlarr cannot be reached now: connection refused",
    )
    page.add_init_script(f"localStorage.setItem('omni-theme', '{theme}')")
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, "admin", "pw-admin-123")
    for path in SETTINGS_PAGES:
        page.goto(path)
        assert not page.evaluate(SIDEWAYS), f"{path} scrolls sideways at {width} px"
        assert KEY not in page.content()
        name = path.strip("/").replace("/", "-")
        screenshot(page, f"{name}-{width}-{theme}")
