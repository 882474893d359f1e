"""Issue 20 defect 3: Settings > Metadata, Media management and Schedules pages and their JSON
API: each renders, saves valid input, refuses invalid input with a message and loses nothing;
provider Test buttons ask the fake provider servers through the real adapters; keys never shown."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from core.models import ScheduleSetting
from omnireadarr.schedules import SCHEDULES
from processing import kinds
from processing.models import ImportSettings, KindProcessingSettings
from scanning.models import ScanFolder
from search.models import SearchProvider
from search.services.providers import ensure_providers
from tests.search.fakes import COMICVINE_KEY

pytestmark = pytest.mark.django_db
CV_SECRET = "comicvine-secret-0123456789"


# --- metadata providers -----------------------------------------------------------------------
def _provider_form(name: str, **values) -> dict:
    row = SearchProvider.objects.get(name=name)
    data = {f"{name}-base_url": row.base_url, f"{name}-priority": str(row.priority), f"{name}-enabled": "on"}
    return {**data, **{f"{name}-{k}": v for k, v in values.items()}}


def test_metadata_page_renders_every_provider_without_keys(admin_client):
    ensure_providers()
    SearchProvider.objects.filter(name="comicvine").update(api_key=CV_SECRET)
    html = admin_client.get("/settings/metadata/").content.decode()
    for label in ("Open Library", "Google Books", "Comic Vine", "Trust per source"):
        assert label in html
    assert CV_SECRET not in html and "••••6789" in html
    assert 'href="/sources/"' in html


def test_metadata_page_names_each_provider_once_in_its_status(admin_client):
    ensure_providers()
    html = admin_client.get("/settings/metadata/").content.decode()
    assert "now: not used yet" in html and "now: not configured (API key required)" in html
    assert "now: Open Library:" not in html and "now: Comic Vine:" not in html


def test_metadata_save_valid_keeps_an_empty_key(admin_client):
    ensure_providers()
    SearchProvider.objects.filter(name="comicvine").update(api_key=CV_SECRET)
    response = admin_client.post("/settings/metadata/comicvine/", _provider_form("comicvine", priority="7", api_key=""))
    assert response.status_code == 302
    row = SearchProvider.objects.get(name="comicvine")
    assert (row.priority, row.api_key, row.enabled) == (7, CV_SECRET, True)


def test_metadata_refuses_a_keyed_provider_without_key(admin_client):
    ensure_providers()
    SearchProvider.objects.filter(name="comicvine").update(api_key="", enabled=False, priority=40)
    response = admin_client.post("/settings/metadata/comicvine/", _provider_form("comicvine", api_key=""))
    assert response.status_code == 422
    assert "Comic Vine needs an API key" in response.content.decode()
    assert SearchProvider.objects.get(name="comicvine").enabled is False
    bad_url = admin_client.post("/settings/metadata/openlibrary/", _provider_form("openlibrary", base_url="nope"))
    assert bad_url.status_code == 422 and "Enter a valid URL" in bad_url.content.decode()


def test_metadata_test_button_uses_the_real_adapter(admin_client, fake_providers):
    ensure_providers()
    url = fake_providers.base_url("comicvine")

    def test(**body):
        return admin_client.post("/api/providers/comicvine/test", body, content_type="application/json").json()

    ok = test(base_url=url, api_key=COMICVINE_KEY)
    assert ok["data"]["ok"] and "Comic Vine answers" in ok["data"]["text"]
    refused = test(base_url=url, api_key="wrong")
    assert refused["data"]["level"] == "error"
    SearchProvider.objects.filter(name="comicvine").update(api_key=COMICVINE_KEY, base_url=url)
    assert test()["data"]["ok"]  # empty: the stored address and key


def test_metadata_settings_are_for_admins(reader_client):
    assert reader_client.get("/settings/metadata/").status_code == 403
    assert reader_client.post("/api/providers/openlibrary/test", {}, content_type="application/json").status_code == 403


# --- media management -------------------------------------------------------------------------
def _media_form(**values) -> dict:
    data = {
        "ebook-import_mode": "copy",
        "ebook-existing_file_policy": "replace",
        "ebook-conversion_target": "azw3",
        "ebook-template": "${author.sortname}/${title}.${ext}",
        "audiobook-import_mode": "hardlink",
        "audiobook-existing_file_policy": "skip",
        "audiobook-conversion_target": "none",
        "audiobook-template": "${author.sortname}/${title}/${title}.${ext}",
        "audiobook-keep_original": "on",
        "comic-import_mode": "move",
        "comic-existing_file_policy": "keep_both",
        "comic-conversion_target": "cbz",
        "comic-template": "${bookseries.title}/${title}.${ext}",
        "mappings-TOTAL_FORMS": "2",
        "mappings-INITIAL_FORMS": "0",
        "mappings-0-remote": "/sab/complete/",
        "mappings-0-local": "/downloads/complete",
        "mappings-1-remote": "",
        "mappings-1-local": "",
    }
    return {**data, **values}


def test_media_page_renders_with_mapping_rows_and_previews(admin_client):
    row = ImportSettings.load()
    row.remote_path_mappings = [{"remote": "/sab/done", "local": "/data/done"}]
    row.save()
    html = admin_client.get("/settings/media/").content.decode()
    assert 'value="/sab/done"' in html and 'value="/data/done"' in html
    assert "data-preview" in html and "Hardlink" in html and "Keep both" in html
    for kind in ("ebook", "audiobook", "comic"):
        assert f'id="{kind}-h"' in html and f'data-kind="{kind}"' in html  # a section and a Test button each
    assert "share the same data on disk" in html  # hardlink mode explained


def test_media_page_saves_valid_input(admin_client):
    response = admin_client.post("/settings/media/", _media_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    rows = {row.kind: row for row in KindProcessingSettings.objects.all()}
    ebook, audiobook, comic = rows["ebook"], rows["audiobook"], rows["comic"]
    assert (ebook.import_mode, ebook.existing_file_policy, ebook.conversion_target) == ("copy", "replace", "azw3")
    assert ebook.keep_original is False and audiobook.keep_original is True
    assert (comic.import_mode, comic.existing_file_policy, comic.conversion_target) == ("move", "keep_both", "cbz")
    assert comic.template == "${bookseries.title}/${title}.${ext}"
    row = ImportSettings.load()
    assert row.remote_path_mappings == [{"remote": "/sab/complete", "local": "/downloads/complete"}]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"ebook-template": "${title"}, "Unclosed token at position 0"),
        ({"comic-template": "${title}/${nope}.${ext}"}, "Unknown token ${nope}"),
        ({"audiobook-conversion_target": "epub"}, "Audiobooks cannot be converted to &#x27;epub&#x27;"),
        ({"comic-conversion_target": "pdf"}, "Comics cannot be converted to &#x27;pdf&#x27;; choose one of: none, cbz"),
        ({"ebook-conversion_target": "cbz"}, "Ebooks cannot be converted to &#x27;cbz&#x27;"),
        ({"mappings-0-local": ""}, "Fill in both folders"),
        ({"mappings-0-local": "downloads"}, "must be an absolute path"),
        ({"mappings-1-remote": "/sab/complete", "mappings-1-local": "/x"}, "mapped twice"),
        ({"ebook-import_mode": "teleport"}, "Select a valid choice"),
    ],
)
def test_media_page_refuses_invalid_input_and_changes_nothing(admin_client, values, message):
    before = [(r.kind, r.import_mode, r.template, r.conversion_target) for r in kinds.all_rows()]
    response = admin_client.post("/settings/media/", _media_form(**values))
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    after = [(r.kind, r.import_mode, r.template, r.conversion_target) for r in kinds.all_rows()]
    assert after == before
    assert ImportSettings.load().remote_path_mappings == []


def test_media_api_reads_and_patches_with_the_same_rules(admin_client):
    got = admin_client.get("/api/processing/settings").json()["data"]
    assert got["write_epub_metadata"] is False and got["path_mappings"] == []
    assert [k["kind"] for k in got["kinds"]] == ["ebook", "audiobook", "comic"]
    body = {"write_epub_metadata": True, "path_mappings": [{"remote": "/a", "local": "/b"}]}
    changed = admin_client.patch("/api/processing/settings", body, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["data"]["path_mappings"] == [{"remote": "/a", "local": "/b"}]
    bad = admin_client.patch(
        "/api/processing/settings",
        {"path_mappings": [{"remote": "sab", "local": "/b"}]},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "path_mappings" in bad.json()["error"]
    assert ImportSettings.load().write_epub_metadata is True


def test_library_naming_saves_and_refuses(admin_client, tmp_path):
    folder = ScanFolder.objects.create(path=str(tmp_path), name="Books")
    ok = admin_client.post(
        f"/settings/media/libraries/{folder.pk}/", {"naming_template": "${title}.${ext}", "target_root": ""}
    )
    assert ok.status_code == 302
    folder.refresh_from_db()
    assert folder.naming_template == "${title}.${ext}"
    bad = admin_client.post(
        f"/settings/media/libraries/{folder.pk}/", {"naming_template": "${title", "target_root": ""}
    )
    assert bad.status_code == 422 and "field-error" in bad.content.decode()
    folder.refresh_from_db()
    assert folder.naming_template == "${title}.${ext}"


# --- schedules --------------------------------------------------------------------------------
def _schedule_form(**changes) -> dict:
    data = {}
    for s in SCHEDULES:
        data[f"{s.name}-enabled"] = "on"
        data[f"{s.name}-interval_minutes"] = ""
    return {**data, **changes}


def test_schedules_page_lists_every_job_with_last_and_next_run(admin_client):
    ScheduleSetting.objects.create(name="backup", last_run_at=timezone.now() - timedelta(hours=2))
    html = admin_client.get("/settings/schedules/").content.decode()
    for s in SCHEDULES:
        assert f'data-schedule="{s.name}"' in html
    rows = admin_client.get("/api/schedules/").json()["data"]
    backup = next(r for r in rows if r["name"] == "backup")
    assert backup["default_minutes"] == 1440 and backup["effective_minutes"] == 1440
    assert backup["next_run_at"] > backup["last_run_at"]


def test_schedules_page_saves_and_refuses(admin_client):
    response = admin_client.post(
        "/settings/schedules/", _schedule_form(**{"backup-enabled": "", "library_rescan-interval_minutes": "5"})
    )
    assert response.status_code == 302
    assert ScheduleSetting.objects.get(name="backup").enabled is False
    assert ScheduleSetting.objects.get(name="library_rescan").interval_seconds == 300
    bad = admin_client.post("/settings/schedules/", _schedule_form(**{"library_rescan-interval_minutes": "0"}))
    assert bad.status_code == 422 and "greater than or equal to 1" in bad.content.decode()
    assert ScheduleSetting.objects.get(name="library_rescan").interval_seconds == 300


def test_schedules_api_switches_a_job(admin_client, reader_user):
    body = {"enabled": True, "interval_minutes": 90}
    data = admin_client.put("/api/schedules/search_wanted", body, content_type="application/json").json()["data"]
    assert data["effective_minutes"] == 90
    missing = admin_client.put("/api/schedules/nope", body, content_type="application/json")
    assert missing.status_code == 404
    reader = Client()
    reader.force_login(reader_user)
    assert reader.get("/api/schedules/").status_code == 403


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (1, "every minute"),
        (30, "every 30 minutes"),
        (360, "every 6 hours"),
        (1440, "every day"),
        (10080, "every week"),
        (90, "every 90 minutes"),
        (2880, "every 2 days"),
    ],
)
def test_intervals_read_as_words(minutes, text):
    from core.schedule_settings import every_text

    assert every_text(minutes) == text
