"""The wizard's steps act on the apps' real settings: providers, Prowlarr, SABnzbd and
naming templates; live tests go through the real adapters to local fake servers."""

from __future__ import annotations

import pytest

from core.wizard.models import WizardState
from downloaders.models import DownloadClientConfig
from indexers.models import IndexerConfig
from processing.models import KindProcessingSettings
from search.models import ProviderStatus, SearchProvider
from tests.search.fakes import COMICVINE_KEY

pytestmark = pytest.mark.django_db


def _test(client, service: str, **values) -> dict:
    return client.post(f"/wizard/test/{service}", values, content_type="application/json").json()


def _downloads(prowlarr, sabnzbd, **extra) -> dict:
    return {
        "prowlarr_url": prowlarr.url,
        "prowlarr_api_key": prowlarr.api_key,
        "client_kind": "sabnzbd",
        "client_url": sabnzbd.url,
        "client_api_key": sabnzbd.api_key,
        "client_category_ebook": "books",
        "client_category_audiobook": "audiobooks",
        "client_category_comic": "comics",
        **extra,
    }


def test_metadata_step_configures_providers_and_rerun_shows_them(admin_client, fake_providers):
    answers = {
        "providers": ["openlibrary", "comicvine"],
        "openlibrary_url": fake_providers.base_url("openlibrary"),
        "comicvine_url": fake_providers.base_url("comicvine"),
        "comicvine_api_key": COMICVINE_KEY,
    }
    SearchProvider.objects.filter(name="openlibrary").update(
        status=ProviderStatus.UNAVAILABLE, retry_at="2099-01-01T00:00Z"
    )
    assert admin_client.post("/wizard/metadata/", answers)["Location"] == "/wizard/downloads/"
    rows = {row.name: row for row in SearchProvider.objects.all()}
    assert len(rows) == 3
    assert rows["openlibrary"].enabled and rows["openlibrary"].base_url == fake_providers.base_url(
        "openlibrary"
    )
    assert rows["openlibrary"].status == ProviderStatus.UNKNOWN and rows["openlibrary"].retry_at is None
    assert not rows["googlebooks"].enabled and rows["googlebooks"].base_url.startswith(
        "https://www.googleapis"
    )
    assert rows["comicvine"].api_key == COMICVINE_KEY
    assert "comicvine_api_key" not in WizardState.load().data["metadata"]  # keys stay in the app's rows
    html = admin_client.get("/wizard/metadata/").content.decode()
    assert fake_providers.base_url("comicvine") in html and COMICVINE_KEY in html
    # re-running with the shown values changes nothing and duplicates nothing
    admin_client.post("/wizard/metadata/", {**answers, "comicvine_api_key": ""})
    assert SearchProvider.objects.count() == 3
    assert SearchProvider.objects.get(name="comicvine").api_key == COMICVINE_KEY  # empty keeps the key


def test_provider_tests_use_the_real_adapters(admin_client, fake_providers):
    ok = _test(admin_client, "openlibrary", url=fake_providers.base_url("openlibrary"))
    assert ok["level"] == "ok" and "Open Library answers" in ok["text"]
    assert fake_providers.openlibrary.requests[-1][0] == "/search.json"
    comic = _test(admin_client, "comicvine", url=fake_providers.base_url("comicvine"), api_key=COMICVINE_KEY)
    assert comic["level"] == "ok" and "Comic Vine answers" in comic["text"]
    refused = _test(admin_client, "comicvine", url=fake_providers.base_url("comicvine"), api_key="wrong")
    assert refused["level"] == "error" and "Comic Vine" in refused["text"]
    fake_providers.googlebooks.fail(503)
    down = _test(admin_client, "googlebooks", url=fake_providers.base_url("googlebooks"))
    assert down["level"] == "warning"
    assert down["text"].startswith("Google Books answered with a server error (HTTP 503)")
    assert down["text"].count("Google Books") == 1 and "try again" in down["hint"]
    fake_providers.openlibrary.stop()
    gone = _test(admin_client, "openlibrary", url=fake_providers.base_url("openlibrary"))
    assert gone["level"] == "warning" and "Cannot reach 127.0.0.1" in gone["text"]


def test_download_stack_is_created_once_and_tested_live(admin_client, fake_prowlarr, fake_sabnzbd):
    prowlarr = _test(admin_client, "prowlarr", url=fake_prowlarr.url, api_key=fake_prowlarr.api_key)
    assert prowlarr["level"] == "ok" and "Prowlarr 1.30.2.4939: 2 indexer(s) (FakeNZB" in prowlarr["text"]
    wrong = _test(admin_client, "prowlarr", url=fake_prowlarr.url, api_key="nope")
    assert wrong["level"] == "error"
    sab = _test(
        admin_client, "client", kind="sabnzbd", url=fake_sabnzbd.url, api_key=fake_sabnzbd.api_key,
        category_ebook="books",
    )
    assert sab["level"] == "ok" and "SABnzbd 4.3.3" in sab["text"]
    missing = _test(
        admin_client, "client", kind="sabnzbd", url=fake_sabnzbd.url, api_key=fake_sabnzbd.api_key,
        category_ebook="ebooks",
    )
    assert missing["level"] == "warning" and "SABnzbd has no category ebooks" in missing["text"]

    for _ in range(2):  # re-running never duplicates the connections
        response = admin_client.post(
            "/wizard/downloads/", _downloads(fake_prowlarr, fake_sabnzbd), follow=True
        )
        assert response.redirect_chain[-1][0] == "/wizard/naming/"
    indexer, client = IndexerConfig.objects.get(), DownloadClientConfig.objects.get()
    assert (indexer.kind, indexer.url, indexer.api_key) == ("prowlarr", fake_prowlarr.url, "prowlarr-key")
    assert indexer.last_test_ok and "2 indexer(s)" in indexer.last_test_message
    assert (client.url, client.api_key, client.category_comic) == (fake_sabnzbd.url, "sab-key", "comics")
    assert client.last_test_ok
    assert client.kind == "sabnzbd" and client.download_dir == str(fake_sabnzbd.complete_dir)
    assert "client_api_key" not in WizardState.load().data["downloads"]
    html = admin_client.get("/wizard/downloads/").content.decode()
    assert fake_sabnzbd.url in html and "sab-key" not in html and "Stored: ••••" in html  # masked


def test_an_unreachable_service_is_a_warning_and_setup_continues(admin_client, fake_prowlarr, fake_sabnzbd):
    fake_sabnzbd.stop()
    response = admin_client.post(
        "/wizard/downloads/",
        _downloads(fake_prowlarr, fake_sabnzbd, client_url=fake_sabnzbd.url),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/wizard/naming/"
    html = response.content.decode()
    assert "Cannot reach 127.0.0.1" in html
    client = DownloadClientConfig.objects.get()
    assert client.last_test_ok is False and "Cannot reach" in client.last_test_message


def test_a_url_with_a_base_path_and_an_empty_url_keeps_the_connection(admin_client, fake_prowlarr):
    existing = IndexerConfig.objects.create(name="My Prowlarr", url="http://old:9696", api_key="k")
    admin_client.post(
        "/wizard/downloads/", {"prowlarr_url": "http://10.0.0.5:9696/prowlarr/", "prowlarr_api_key": "k2"}
    )
    existing.refresh_from_db()
    assert (existing.url, existing.base_path, existing.api_key) == ("http://10.0.0.5:9696", "/prowlarr", "k2")
    assert "http://10.0.0.5:9696/prowlarr" in admin_client.get("/wizard/downloads/").content.decode()
    admin_client.post("/wizard/downloads/", {"prowlarr_url": "", "client_url": ""})
    assert IndexerConfig.objects.count() == 1 and not DownloadClientConfig.objects.exists()


def test_naming_step_saves_import_templates_and_shows_examples(admin_client):
    html = admin_client.get("/wizard/naming/").content.decode()
    assert KindProcessingSettings.for_kind("ebook").template in html
    assert "Example ebook: Herbert, Frank/Dune/Dune Messiah.epub" in html
    data = {
        "ebook_template": "${author.sortname}/${title} (${year}).${ext}",
        "audiobook_template": KindProcessingSettings.for_kind("audiobook").template,
        "comic_template": "${bookseries.title}/${bookseries.title} ${issue:4}.${ext}",
    }
    assert admin_client.post("/wizard/naming/", data)["Location"] == "/wizard/review/"
    saved = {row.kind: row.template for row in KindProcessingSettings.objects.all()}
    assert saved["ebook"] == data["ebook_template"] and saved["comic"] == data["comic_template"]
    assert "Example comic: Dune/Dune 0007.cbz" in admin_client.get("/wizard/naming/").content.decode()
    bad = admin_client.post("/wizard/naming/", {**data, "ebook_template": "${title}/${nope}.${ext}"})
    assert bad.status_code == 422 and "at position 9" in bad.content.decode()
    assert KindProcessingSettings.for_kind("ebook").template == data["ebook_template"]


def test_review_offers_the_first_scan_only_when_scanning_registers_it(admin_client, monkeypatch):
    from core.wizard import registry

    assert "Start the first scan now" in admin_client.get("/wizard/review/").content.decode()
    monkeypatch.setattr(registry, "_FINISHERS", {})
    assert "Start the first scan now" not in admin_client.get("/wizard/review/").content.decode()


def test_folders_step_adds_scan_folders_once_and_touches_no_file(admin_client, tmp_path):
    from scanning.models import ScanFolder
    from scanning.wizard_hooks import apply

    books = tmp_path / "books"
    (books / "a").mkdir(parents=True)
    before = sorted(p.name for p in books.rglob("*"))
    for _ in range(2):  # a re-run of the wizard adds nothing twice
        messages = apply({"library_folders": f"{books}\n{tmp_path / 'missing'}"})
    assert list(ScanFolder.objects.values_list("path", flat=True)) == [str(books)]
    assert [m.level for m in messages] == ["ok", "error"] and "already a scan folder" in messages[0].text
    assert sorted(p.name for p in books.rglob("*")) == before
