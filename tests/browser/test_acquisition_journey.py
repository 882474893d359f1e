"""Add a wanted book from a metadata search against the fake providers, then watch its
download on the downloads page while the fake Prowlarr and SABnzbd serve it and a real
worker runs the automation (scheduler ticks as in tests/acquisition/test_pipeline_e2e.py)."""

from __future__ import annotations

import dramatiq
import pytest

from core.jobs.actors import _KINDS, JobKind, execute_job
from downloaders.models import AttemptState, DownloadAttempt, DownloadClientConfig
from indexers.models import AcquisitionSettings, IndexerConfig
from media.models import MediaItem, MediaStatus
from search.models import SearchProvider
from search.services import providers as provider_services
from tests.acquisition.fakes import FakeProwlarr, FakeRelease, FakeSabnzbd
from tests.acquisition.test_pipeline_e2e import IMPORTED, _fake_import, _tick_scheduler, _wait
from tests.browser.conftest import log_in
from tests.search.fakes import FakeProviders

TITLE = "This is How You Lose the Time War"


@pytest.fixture
def importer(broker, monkeypatch):
    """Post-processing stand-in (as in test_pipeline_e2e), one actor per session."""
    IMPORTED.clear()
    name = "tests.fake_import_browser"
    actor = broker.actors.get(name) or dramatiq.actor(
        lambda job_id: execute_job(job_id, _fake_import, max_retries=0),
        actor_name=name,
        queue_name="default",
        max_retries=0,
    )
    monkeypatch.setitem(
        _KINDS, "processing.import_download", JobKind("processing.import_download", actor, "Import", False)
    )
    return actor


@pytest.fixture
def stack(tmp_path, monkeypatch, db):
    providers = FakeProviders().start()
    prowlarr = FakeProwlarr(
        releases=[FakeRelease("Amal El-Mohtar - This Is How You Lose the Time War (2019) [epub]", "guid-tw")]
    ).start()
    sabnzbd = FakeSabnzbd(complete_dir=tmp_path / "complete", download_ticks=3).start()
    provider_services.ensure_providers()
    monkeypatch.setattr(provider_services, "cache_path", lambda: tmp_path / "provider-cache.sqlite3")
    SearchProvider.objects.exclude(name="openlibrary").update(enabled=False)
    SearchProvider.objects.filter(name="openlibrary").update(
        base_url=providers.base_url("openlibrary"),
        covers_base_url=providers.base_url("openlibrary") + "/covers",
        rate_per_second=None,
    )
    IndexerConfig.objects.create(name="Prowlarr", url=prowlarr.url, api_key=prowlarr.api_key, timeout_seconds=5)
    DownloadClientConfig.objects.create(
        kind="sabnzbd", name="SABnzbd", url=sabnzbd.url, api_key=sabnzbd.api_key, timeout_seconds=5
    )
    AcquisitionSettings.objects.update_or_create(
        pk=1, defaults={"search_spacing_seconds": 0, "retry_backoff_minutes": 0, "missing_grace_seconds": 0}
    )
    yield providers, prowlarr, sabnzbd
    providers.stop()
    prowlarr.stop()
    sabnzbd.stop()


@pytest.mark.django_db(transaction=True)
def test_add_wanted_from_search_and_watch_the_download(page, screenshot, admin_user, stack, worker, importer):
    log_in(page, "admin", "pw-admin-123")
    page.goto("/search/")
    page.get_by_label("Words").fill("time war")
    page.get_by_role("button", name="Search").click()
    card = page.locator("article.result", has_text=TITLE).first
    card.wait_for()
    assert "Amal El-Mohtar" in card.inner_text()
    card.get_by_role("button", name="Add to wanted").click()
    card.get_by_role("button", name="Wanted", exact=True).wait_for()
    screenshot(page, "search-added-wanted")
    item = MediaItem.objects.get(title__iexact=TITLE)
    assert item.status == MediaStatus.WANTED

    page.goto("/downloads/")
    _tick_scheduler(0)  # the periodic search finds the release and grabs it
    attempt = _wait(lambda: DownloadAttempt.objects.filter(item=item).first(), message="automatic grab")
    assert attempt.guid == "guid-tw" and attempt.automatic
    row = page.locator(f"tr[data-attempt-id='{attempt.pk}']").first
    row.wait_for()
    assert page.get_by_label(f"{attempt.release_title} progress").count() >= 1
    minute = 1
    while DownloadAttempt.objects.get(pk=attempt.pk).state != AttemptState.DOWNLOADING and minute < 6:
        _tick_scheduler(minute)
        minute += 1
    page.locator(f"tr[data-attempt-id='{attempt.pk}'] .badge", has_text="downloading").wait_for()
    screenshot(page, "downloads-progress")
    while DownloadAttempt.objects.get(pk=attempt.pk).state != AttemptState.IMPORTED and minute < 15:
        _tick_scheduler(minute)
        minute += 1
    page.locator(f"#history tr[data-attempt-id='{attempt.pk}'] .badge", has_text="imported").wait_for()
    screenshot(page, "downloads-imported")
    assert IMPORTED and MediaItem.objects.get(pk=item.pk).status == MediaStatus.POST_PROCESSED_SUCCESS
