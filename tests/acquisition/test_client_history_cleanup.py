"""Finished jobs leave the download client's history (issue 18, defect 6): a failed one at once
(with its incomplete files), an imported usenet one after its import (its files untouched), each
switchable in the download settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.models import Job
from downloaders import automation, status
from downloaders.models import AttemptState, DownloadAttempt, DownloadSettings
from tests.acquisition.conftest import make_item

pytestmark = pytest.mark.django_db


def _sent(admin_client, item) -> DownloadAttempt:
    results = admin_client.post(
        f"/api/downloads/search/{item.pk}/", {"mode": "interactive"}, content_type="application/json"
    ).json()["data"]["results"]
    grab = {"media_id": item.pk, "result_id": results[0]["id"]}
    response = admin_client.post("/api/downloads/initiate/", grab, content_type="application/json")
    return DownloadAttempt.objects.get(pk=response.json()["data"]["id"])


def _clean_up_jobs(attempt: DownloadAttempt) -> list[dict]:
    jobs = Job.objects.filter(kind="downloaders.clean_up_client", target=f"attempt:{attempt.pk}")
    return list(jobs.values_list("params", flat=True))


def _history_deletes(sab) -> list[dict]:
    return [q for path, q in sab.requests if q.get("mode") == ["history"] and q.get("name") == ["delete"]]


def _downloaded(admin_client, sab, item) -> DownloadAttempt:
    attempt = _sent(admin_client, item)
    for _ in range(3):
        automation.monitor_downloads()
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.DOWNLOADED
    return attempt


def test_a_failed_download_leaves_the_clients_history_with_its_incomplete_files(admin_client, acquisition, broker):
    _, sab = acquisition
    sab.fail_words = ("RETAIL",)
    attempt = _sent(admin_client, make_item())
    automation.monitor_downloads()
    automation.monitor_downloads()  # history: Failed
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.BLACKLISTED and attempt.client_job_id in sab.jobs
    assert _clean_up_jobs(attempt) == [{"attempt_id": attempt.pk, "outcome": "failed"}]
    assert automation.clean_up_client(attempt.pk, "failed") == {"removed": attempt.client_job_id, "outcome": "failed"}
    assert sab.removed_from_history == [attempt.client_job_id]
    assert _history_deletes(sab)[-1]["del_files"] == ["1"]


def test_an_imported_download_leaves_the_clients_history_and_keeps_its_files(admin_client, acquisition, broker):
    _, sab = acquisition
    attempt = _downloaded(admin_client, sab, make_item())
    assert _clean_up_jobs(attempt) == []  # not before the import
    status.mark_imported(attempt.pk, success=True)
    assert _clean_up_jobs(attempt) == [{"attempt_id": attempt.pk, "outcome": "imported"}]
    automation.clean_up_client(attempt.pk, "imported")
    assert sab.removed_from_history == [attempt.client_job_id]
    assert "del_files" not in _history_deletes(sab)[-1]
    assert Path(attempt.storage_path).is_file()


def test_a_failed_import_keeps_the_job_in_the_client(admin_client, acquisition, broker):
    _, sab = acquisition
    attempt = _downloaded(admin_client, sab, make_item())
    status.mark_imported(attempt.pk, success=False, message="not the book")
    assert _clean_up_jobs(attempt) == []


@pytest.mark.parametrize(("switch", "outcome"), [("remove_completed", "imported"), ("remove_failed", "failed")])
def test_each_removal_can_be_switched_off(admin_client, acquisition, broker, switch, outcome):
    _, sab = acquisition
    DownloadSettings.objects.update_or_create(pk=1, defaults={switch: False})
    attempt = _downloaded(admin_client, sab, make_item())
    if outcome == "imported":
        status.mark_imported(attempt.pk, success=True)
    else:
        status.move(attempt, AttemptState.FAILED, error="gave up")
    result = automation.clean_up_client(attempt.pk, outcome)
    assert "switched off" in result["skipped"] and attempt.client_job_id in sab.jobs
    assert sab.removed_from_history == []


def test_removal_is_on_by_default():
    settings = DownloadSettings()
    assert settings.remove_completed and settings.remove_failed
