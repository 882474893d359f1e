"""Defect 1 (issue 18): the downloads folder given in the wizard is honoured by the import's
locate step, and a client that names its folder differently gets a path mapping suggested at
the test and saved once the user accepts it. The fake SABnzbd answers as the real 5.0 does."""

from __future__ import annotations

import pytest

from downloaders import services
from downloaders.models import DownloadClientConfig
from processing.models import ImportRun
from processing.services import build_options
from processing.steps.locate import resolve_storage_path
from tests.acquisition.fakes import FakeJob

pytestmark = pytest.mark.django_db
CONTAINER_DIR = "/data/sabnzbd/complete"  # the client's own view, absent on this machine


def _completed_job(sab) -> str:
    """A job the client finished: its storage path as the client reports it."""
    sab.jobs["SABnzbd_nzo_done"] = FakeJob("SABnzbd_nzo_done", "Andy.Weir-Project.Hail.Mary", "", "books", ticks=5)
    client = services.client_by_config(None)
    try:
        for _ in range(3):
            status = client.status("SABnzbd_nzo_done")
            if status.storage_path:
                return status.storage_path
    finally:
        client.close()
    raise AssertionError("the fake never completed the job")


def _locate(storage: str):
    options = build_options(ImportRun())
    return resolve_storage_path(storage, options.path_mappings, options.allowed_roots)


def _wizard(admin_client, sab, **extra):
    answers = {
        "client_kind": "sabnzbd",
        "client_url": sab.url,
        "client_api_key": sab.api_key,
        "client_category_ebook": "books",
        **extra,
    }
    return admin_client.post("/wizard/downloads/", answers, follow=True)


@pytest.fixture(autouse=True)
def _elsewhere(settings, tmp_path):
    settings.DOWNLOADS_DIR = tmp_path / "not-the-downloads-folder"  # OMNI_DOWNLOADS_DIR is not it


def test_a_completed_job_in_the_wizards_downloads_folder_is_imported(admin_client, fake_sabnzbd):
    _wizard(admin_client, fake_sabnzbd, client_download_dir=str(fake_sabnzbd.complete_dir))
    storage = _completed_job(fake_sabnzbd)
    located = _locate(storage)
    assert located.is_file() and located.is_relative_to(fake_sabnzbd.complete_dir)


def test_without_a_downloads_folder_the_clients_own_readable_folder_is_used(admin_client, fake_sabnzbd):
    _wizard(admin_client, fake_sabnzbd)
    assert DownloadClientConfig.objects.get().download_dir == str(fake_sabnzbd.complete_dir)
    assert _locate(_completed_job(fake_sabnzbd)).is_file()


def test_a_client_folder_we_cannot_see_gets_a_mapping_suggested_and_saved_when_accepted(admin_client, fake_sabnzbd):
    fake_sabnzbd.client_complete_dir = CONTAINER_DIR
    ours = str(fake_sabnzbd.complete_dir)
    test = admin_client.post(
        "/wizard/test/client",
        {"kind": "sabnzbd", "url": fake_sabnzbd.url, "api_key": fake_sabnzbd.api_key, "download_dir": ours},
        content_type="application/json",
    ).json()
    assert test["level"] == "warning" and f"Suggested path mapping: {CONTAINER_DIR} → {ours}" in test["text"]

    _wizard(admin_client, fake_sabnzbd, client_download_dir=ours)  # the mapping box left unticked
    storage = _completed_job(fake_sabnzbd)
    assert storage.startswith(CONTAINER_DIR + "/books/")
    with pytest.raises(Exception, match="outside the download folders"):
        _locate(storage)

    page = _wizard(admin_client, fake_sabnzbd, client_download_dir=ours, client_map_folder="on")
    assert page.redirect_chain[-1][0] == "/wizard/naming/"
    config = DownloadClientConfig.objects.get()
    assert (config.remote_download_dir, config.download_dir) == (CONTAINER_DIR, ours)
    located = _locate(storage)
    assert located.is_file() and located.is_relative_to(fake_sabnzbd.complete_dir)
