"""First run through the wizard's metadata sources and download stack steps against the
local fake provider, Prowlarr and SABnzbd servers: the test buttons report success through
the real adapters, a stopped fake gives a warning and the wizard still continues."""

from __future__ import annotations

import pytest

from core.wizard import services as wizard_services
from core.wizard.models import WizardState
from downloaders.models import DownloadClientConfig
from indexers.models import IndexerConfig
from processing.models import KindProcessingSettings
from search.models import SearchProvider
from tests.acquisition.fakes import FakeProwlarr, FakeSabnzbd
from tests.search.fakes import FakeProviders


@pytest.fixture
def fakes(tmp_path):
    providers = FakeProviders().start()
    prowlarr = FakeProwlarr().start()
    (tmp_path / "complete").mkdir()
    sabnzbd = FakeSabnzbd(complete_dir=tmp_path / "complete").start()
    yield providers, prowlarr, sabnzbd
    providers.stop()
    prowlarr.stop()
    sabnzbd.stop()


def _continue(page, step: str) -> None:
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(f"**/wizard/{step}/")


def _expect_result(page, level: str, text: str) -> None:
    result = page.locator(f"#test-result.field-{level}")
    result.wait_for()
    assert text in result.inner_text(), result.inner_text()


@pytest.mark.django_db(transaction=True)
def test_first_run_wizard_connects_providers_and_download_stack(page, screenshot, settings, tmp_path, fakes):
    providers, prowlarr, sabnzbd = fakes
    settings.WIZARD_REDIRECT = True
    wizard_services.forget_cache()
    books = tmp_path / "books"
    books.mkdir()
    page.goto("/")
    page.wait_for_url("**/wizard/welcome/")
    _continue(page, "admin")
    page.get_by_label("Username").fill("owner")
    page.get_by_label("Password", exact=True).fill("a-Long-pass-123")
    page.get_by_label("Password again").fill("a-Long-pass-123")
    _continue(page, "folders")
    page.get_by_label("Library folders").fill(str(books))
    _continue(page, "content")
    page.get_by_label("Ebooks").check()
    page.get_by_label("Comics").check()
    _continue(page, "metadata")

    # Metadata sources: point the providers at the fakes and test them live
    page.get_by_label("Open Library (no key needed)").check()
    page.get_by_label("Google Books", exact=True).uncheck()
    page.get_by_label("Comic Vine (comics; needs an API key)").check()
    page.get_by_label("Open Library URL").fill(providers.base_url("openlibrary"))
    page.get_by_label("Comic Vine URL").fill(providers.base_url("comicvine"))
    page.get_by_label("Comic Vine API key").fill("fake-comicvine-key")
    page.get_by_role("button", name="Test Open Library").click()
    _expect_result(page, "ok", "Open Library answers at " + providers.base_url("openlibrary"))
    page.get_by_role("button", name="Test Comic Vine").click()
    _expect_result(page, "ok", "Comic Vine answers")
    providers.openlibrary.stop()  # a provider goes down: a warning, not a dead end
    page.get_by_role("button", name="Test Open Library").click()
    _expect_result(page, "warning", "Cannot reach 127.0.0.1")
    screenshot(page, "wizard-metadata-warning")
    _continue(page, "downloads")
    assert SearchProvider.objects.get(name="openlibrary").base_url == providers.base_url("openlibrary")
    assert SearchProvider.objects.get(name="comicvine").api_key == "fake-comicvine-key"
    assert not SearchProvider.objects.get(name="googlebooks").enabled

    # Download stack: Prowlarr and SABnzbd tested through the real clients
    page.get_by_label("Prowlarr URL").fill(prowlarr.url)
    page.get_by_label("Prowlarr API key").fill(prowlarr.api_key)
    page.get_by_role("button", name="Test Prowlarr").click()
    _expect_result(page, "ok", "Prowlarr 1.30.2.4939: 2 indexer(s)")
    page.get_by_label("Download client", exact=True).select_option("blackhole")  # a folder, no address
    assert page.get_by_label("Watch folder").is_visible() and page.get_by_label("Completed folder").is_visible()
    assert page.get_by_label("Download client address").is_hidden()
    assert page.get_by_label("Category for ebooks").is_hidden() and page.get_by_label("Downloads folder").is_hidden()
    page.get_by_label("Download client", exact=True).select_option("sabnzbd")
    assert page.get_by_label("User name").is_hidden()  # SABnzbd declares url + API key only
    assert page.get_by_label("Watch folder").is_hidden() and page.get_by_label("Category for ebooks").is_visible()
    page.get_by_label("Download client address").fill(sabnzbd.url)
    page.get_by_label("API key", exact=True).fill("wrong-key")
    page.get_by_role("button", name="Test SABnzbd").click()
    _expect_result(page, "error", "API Key Incorrect")
    page.get_by_label("API key", exact=True).fill(sabnzbd.api_key)
    page.get_by_label("Downloads folder").fill(str(sabnzbd.complete_dir))
    page.get_by_role("button", name="Test SABnzbd").click()
    _expect_result(page, "ok", "SABnzbd 4.3.3 answers")
    assert f"in the downloads folder {sabnzbd.complete_dir}" in page.locator("#test-result").inner_text()
    screenshot(page, "wizard-downloads-tested")
    sabnzbd.stop()  # stopped before saving: saved anyway, with a warning
    _continue(page, "naming")
    assert page.get_by_text("Prowlarr connection added").is_visible()
    assert page.get_by_text("Cannot reach 127.0.0.1").first.is_visible()
    indexer, client = IndexerConfig.objects.get(), DownloadClientConfig.objects.get()
    assert indexer.url == prowlarr.url and indexer.last_test_ok
    assert client.api_key == sabnzbd.api_key and client.last_test_ok is False
    assert client.download_dir == str(sabnzbd.complete_dir)

    # Naming: an unknown token is refused with its position, then the default is kept
    template = page.get_by_label("Ebook template")
    default = template.input_value()
    template.fill("${author.sortname}/${titel}.${ext}")
    page.get_by_role("button", name="Save and continue").click()
    assert page.get_by_text("Unknown token ${titel} at position 19").is_visible()
    template.fill(default)
    _continue(page, "review")
    assert KindProcessingSettings.for_kind("ebook").template == default
    screenshot(page, "wizard-review-wired")
    page.get_by_role("button", name="Finish setup").click()
    page.get_by_role("heading", name="Dashboard").wait_for()
    assert WizardState.load().completed_at is not None

    # Re-running keeps everything: the saved connection is shown, nothing is duplicated
    page.goto("/wizard/downloads/")
    assert page.get_by_label("Prowlarr URL").input_value() == prowlarr.url
    _continue(page, "naming")
    assert IndexerConfig.objects.count() == 1 and DownloadClientConfig.objects.count() == 1
