"""Backups and the integrity report through the JSON API and the pages: admins only, a download
never reads a path from the request, actions start the real jobs."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.test import Client

from core.models import ApiKey, Job, JobState
from core.scheduler import run_due_schedules
from omnireadarr.schedules import SCHEDULES
from operations.backups.service import make_backup
from operations.models import FindingKind, FixAction
from operations.tasks import backup as backup_actor
from operations.tasks import integrity_check as integrity_actor

pytestmark = pytest.mark.django_db


def _post(client, url, body=None, **extra):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json", **extra)


def test_an_admin_starts_a_backup_and_downloads_it_through_the_api(built_library, admin_client, broker, admin_user):
    response = _post(admin_client, "/api/operations/backups")
    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["data"]["id"])
    assert job.kind == "operations.backup" and job.params == {"reason": "manual"}
    backup_actor.fn(job.pk)  # what a worker does with the message
    assert Job.objects.get(pk=job.pk).state == JobState.SUCCEEDED
    [row] = admin_client.get("/api/operations/backups").json()["data"]
    key = ApiKey.issue(admin_user)
    download = Client().get(f"/api/operations/backups/{row['name']}", HTTP_X_API_KEY=key)  # a script's key
    body = b"".join(download.streaming_content)
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert body == (built_library.data / "backups" / row["name"]).read_bytes()
    assert "manifest.json" in zipfile.ZipFile(io.BytesIO(body)).namelist()


@pytest.mark.parametrize("name", ["..%2Fsecret_key", "secret_key", "omnireadarr-20990101-000000-manual.zip"])
def test_a_download_names_a_backup_of_the_folder_or_gets_nothing(built_library, admin_client, name):
    (built_library.data / "secret_key").write_text("do not send")
    for url in (f"/api/operations/backups/{name}", f"/operations/backups/{name}"):
        response = admin_client.get(url)
        assert response.status_code in (404, 422), url
        assert b"do not send" not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_readers_get_no_backup_and_no_report(built_library, reader_client):
    name = make_backup("manual").name
    assert reader_client.get(f"/api/operations/backups/{name}").status_code == 403
    assert reader_client.get(f"/operations/backups/{name}").status_code == 403
    assert reader_client.get("/operations/integrity/").status_code == 403
    assert Client().get("/api/operations/integrity").status_code == 401


def test_the_backups_page_lists_and_downloads_backups(built_library, admin_client):
    name = make_backup("manual").name
    html = admin_client.get("/operations/backups/").content.decode()
    assert name in html and "Back up now" in html and "newest 3 are kept" in html
    response = admin_client.get(f"/operations/backups/{name}")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")


def test_integrity_check_runs_from_the_api_and_a_fix_applies(built_library, admin_client, broker):
    stray = built_library.root / "Lost.opf"
    stray.write_text("<package/>")
    response = _post(admin_client, "/api/operations/integrity")
    assert response.status_code == 202
    integrity_actor.fn(response.json()["data"]["id"])
    report = admin_client.get("/api/operations/integrity").json()["data"]
    counts = {c["kind"]: c["count"] for c in report["counts"]}
    assert counts[FindingKind.ORPHAN_SIDECAR] == 1 and report["total"] == 1
    [finding] = report["findings"]
    assert finding["path"] == str(stray) and finding["fixes"][0]["action"] == FixAction.RECYCLE_FILE
    assert admin_client.get(f"/api/operations/integrity/{report['id']}").json()["data"]["id"] == report["id"]

    refused = _post(admin_client, f"/api/operations/integrity/findings/{finding['id']}/fix", {"action": "scan_folder"})
    assert refused.status_code == 422 and stray.exists()
    fixed = _post(admin_client, f"/api/operations/integrity/findings/{finding['id']}/fix", {"action": "recycle_file"})
    assert fixed.status_code == 200 and fixed.json()["data"]["fixed_with"] == "recycle_file" and not stray.exists()


def test_the_integrity_page_shows_the_report_and_its_fix_buttons_work(built_library, admin_client, broker):
    Path(built_library.root / "Ghost.opf").write_text("<package/>")
    admin_client.post("/operations/integrity/start")
    integrity_actor.fn(Job.objects.get(kind="operations.integrity_check").pk)
    html = admin_client.get("/operations/integrity/").content.decode()
    assert "Sidecar without a book: 1" in html and "Ghost.opf" in html and 'value="recycle_file"' in html
    from operations.models import IntegrityFinding

    finding = IntegrityFinding.objects.get()
    page = admin_client.post(
        f"/operations/integrity/findings/{finding.pk}/fix", {"action": "recycle_file"}, follow=True
    ).content.decode()
    assert "Moved to the recycle bin" in page and not (built_library.root / "Ghost.opf").exists()


def test_backup_runs_daily_and_the_integrity_check_weekly_from_the_schedule_table(db, broker):
    table = {s.name: s for s in SCHEDULES}
    assert table["backup"].job_kind == "operations.backup" and table["backup"].every.days == 1
    assert (
        table["integrity_check"].job_kind == "operations.integrity_check" and table["integrity_check"].every.days == 7
    )
    started = run_due_schedules(schedules=(table["backup"], table["integrity_check"]))
    assert started == ["backup", "integrity_check"]
    assert Job.objects.get(kind="operations.backup").params == {"reason": "scheduled"}
