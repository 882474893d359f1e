"""Defect 1 (issue 18): the wizard's downloads folder is honoured by the import's locate step."""

from __future__ import annotations

import pytest

from downloaders import services
from processing.models import ImportRun
from processing.services import build_options
from processing.steps.locate import resolve_storage_path
from tests.acquisition.fakes import FakeJob

pytestmark = pytest.mark.django_db


def _completed_job(sab) -> str:
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


def test_a_completed_job_in_the_wizards_downloads_folder_is_imported(admin_client, fake_sabnzbd, settings, tmp_path):
    settings.DOWNLOADS_DIR = tmp_path / "not-the-downloads-folder"
    books = tmp_path / "books"
    books.mkdir()
    fake_sabnzbd.complete_dir.mkdir()
    admin_client.post("/wizard/folders/", {"library_folders": str(books), "downloads_dir": str(fake_sabnzbd.complete_dir)})
    admin_client.post("/wizard/downloads/", {"sabnzbd_url": fake_sabnzbd.url, "sabnzbd_api_key": fake_sabnzbd.api_key,
                                             "sabnzbd_category_ebook": "books"})
    storage = _completed_job(fake_sabnzbd)
    options = build_options(ImportRun())
    located = resolve_storage_path(storage, options.path_mappings, options.allowed_roots)
    assert located.is_file() and located.is_relative_to(fake_sabnzbd.complete_dir)
