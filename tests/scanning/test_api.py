from __future__ import annotations

import time

import pytest

from core.models import Job, JobState
from media.models import FileState, LibraryFile, MediaItem
from scanning.models import RunState, ScanFolder, ScanRun
from scanning.services import jobs as scan_jobs
from scanning.services.covers import thumbnail_path
from tests.scanning import samples as s

API = "/api/scanning"


def _data(response, status=200):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is True
    return body["data"]


@pytest.mark.django_db
def test_folder_crud_validates_paths(admin_client, tmp_path):
    bad = admin_client.post(
        f"{API}/folders", {"path": str(tmp_path / "nope")}, content_type="application/json"
    )
    assert bad.status_code == 404 and "does not exist" in bad.json()["error"]  # state: nothing there
    relative = admin_client.post(f"{API}/folders", {"path": "books"}, content_type="application/json")
    assert relative.status_code == 422 and relative.json()["details"][0]["field"] == "path"  # shape
    a_file = tmp_path / "f.txt"
    a_file.write_text("x")
    assert (
        admin_client.post(
            f"{API}/folders", {"path": str(a_file)}, content_type="application/json"
        ).status_code
        == 409
    )
    created = _data(
        admin_client.post(
            f"{API}/folders",
            {"path": str(tmp_path), "content_type": "comics", "scan_interval_hours": 6},
            content_type="application/json",
        ),
        201,
    )
    # zip and rar: a renamed cbz/cbr is read when it holds page images
    assert created["formats"] == ["cbr", "cbz", "pdf", "rar", "zip"] and created["scan_interval_hours"] == 6
    overlap = admin_client.post(
        f"{API}/folders", {"path": str(tmp_path / ".")}, content_type="application/json"
    )
    assert overlap.status_code == 409
    unknown = admin_client.put(
        f"{API}/folders/{created['id']}",
        {"path": str(tmp_path), "formats": ["docx"]},
        content_type="application/json",
    )
    assert unknown.status_code == 422 and unknown.json()["details"][0]["field"] == "formats.0"
    updated = _data(
        admin_client.put(
            f"{API}/folders/{created['id']}",
            {"path": str(tmp_path), "name": "Comics", "formats": ["cbz"]},
            content_type="application/json",
        )
    )
    assert updated["name"] == "Comics" and updated["formats"] == ["cbz"]
    assert [f["id"] for f in _data(admin_client.get(f"{API}/folders"))] == [created["id"]]
    _data(admin_client.delete(f"{API}/folders/{created['id']}"))
    assert not ScanFolder.objects.exists() and tmp_path.exists()


@pytest.mark.django_db
def test_readers_can_look_but_not_configure_or_scan(reader_client, tmp_path):
    folder = ScanFolder.objects.create(path=str(tmp_path))
    assert reader_client.get(f"{API}/folders").status_code == 200
    assert (
        reader_client.post(
            f"{API}/folders", {"path": str(tmp_path)}, content_type="application/json"
        ).status_code
        == 403
    )
    assert reader_client.post(f"{API}/folders/{folder.pk}/scan").status_code == 403
    assert reader_client.delete(f"{API}/folders/{folder.pk}").status_code == 403


@pytest.mark.django_db
def test_anonymous_requests_are_refused(client):
    assert client.get(f"{API}/folders").status_code == 401


def _wait(job_id: int, timeout: float = 30) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if job.is_finished:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


@pytest.mark.django_db(transaction=True)
def test_scan_now_runs_as_a_job_and_shows_history_and_problem_files(admin_client, worker, tmp_path):
    s.make_epub(tmp_path / "A" / "Dune.epub", s.Book("Dune"))
    (tmp_path / "A" / "bad.epub").write_bytes(b"not a zip")
    folder = _data(
        admin_client.post(f"{API}/folders", {"path": str(tmp_path)}, content_type="application/json"), 201
    )
    job = _data(admin_client.post(f"{API}/folders/{folder['id']}/scan"), 202)
    assert job["kind"] == "scanning.scan_folder" and job["target"] == f"scanfolder:{folder['id']}"
    finished = _wait(job["id"])
    assert finished.state == JobState.SUCCEEDED and finished.result["added"] == 1
    assert finished.result["corrupt"] == 1
    runs = _data(admin_client.get(f"{API}/runs?folder_id={folder['id']}"))
    assert runs["items"][0]["state"] == RunState.SUCCEEDED and runs["items"][0]["job_id"] == job["id"]
    corrupt = _data(admin_client.get(f"{API}/files/corrupt"))
    assert corrupt["total"] == 1 and corrupt["items"][0]["path"].endswith("bad.epub")
    assert corrupt["items"][0]["error"]
    assert _data(admin_client.get(f"{API}/files/missing"))["total"] == 0
    assert admin_client.get(f"{API}/files/present").status_code == 422
    # the covers job was queued after the scan and the thumbnail exists (covers are content-
    # addressed in the session's data dir, so another test may have made this one already)
    thumbs = Job.objects.filter(kind="scanning.make_thumbnails").first()
    assert thumbs is not None and _wait(thumbs.pk).state == JobState.SUCCEEDED
    assert thumbnail_path(MediaItem.objects.get().cover_path).is_file()


@pytest.mark.django_db
def test_second_scan_of_the_same_folder_is_refused_while_one_is_queued(admin_client, broker, tmp_path):
    folder = ScanFolder.objects.create(path=str(tmp_path))
    _data(admin_client.post(f"{API}/folders/{folder.pk}/scan"), 202)
    again = admin_client.post(f"{API}/folders/{folder.pk}/scan")
    assert again.status_code == 409
    cancelled = _data(admin_client.post(f"{API}/folders/{folder.pk}/cancel"))
    assert cancelled["state"] == "cancelled"
    assert admin_client.post(f"{API}/folders/{folder.pk}/cancel").status_code == 409


@pytest.mark.django_db
def test_periodic_rescan_starts_only_due_enabled_folders(broker, tmp_path):
    from datetime import timedelta

    from django.utils import timezone

    due = ScanFolder.objects.create(
        path=str(tmp_path / "a"), scan_interval_hours=1, last_scan_at=timezone.now() - timedelta(hours=2)
    )
    ScanFolder.objects.create(path=str(tmp_path / "b"), scan_interval_hours=1, last_scan_at=timezone.now())
    ScanFolder.objects.create(path=str(tmp_path / "c"), scan_interval_hours=0)
    ScanFolder.objects.create(path=str(tmp_path / "d"), enabled=False)
    started = scan_jobs.start_due_scans()["started_jobs"]
    assert [Job.objects.get(pk=j).target for j in started] == [f"scanfolder:{due.pk}"]
    assert scan_jobs.start_due_scans()["started_jobs"] == []  # already queued


@pytest.mark.django_db(transaction=True)
def test_cancelled_scan_keeps_committed_batches_and_is_recorded(tmp_path):
    from core.errors import JobCancelled
    from scanning.services import scan_folder
    from scanning.services.scan import ScanOptions

    for i in range(6):
        s.make_epub(
            tmp_path / f"{i}" / "b.epub", s.Book(f"Book {i}", uuid=f"00000000-0000-4000-8000-{i:012d}")
        )
    folder = ScanFolder.objects.create(path=str(tmp_path))
    seen = []

    def progress(done, total=None, message=None, **kwargs):
        seen.append(done)
        if done >= 3:
            raise JobCancelled("user asked")

    import scanning.services.scan as scan_module

    original = scan_module.Scanner._visit

    def visit(self, directory, entry):
        original(self, directory, entry)
        self.progress(self.counts["seen"])

    scan_module.Scanner._visit = visit
    try:
        with pytest.raises(JobCancelled):
            scan_folder(folder.pk, progress=progress, options=ScanOptions(batch_size=1))
    finally:
        scan_module.Scanner._visit = original
    run = ScanRun.objects.get()
    assert run.state == RunState.CANCELLED and run.added >= 1
    assert LibraryFile.objects.filter(state=FileState.PRESENT).count() == run.added


def test_scanning_page_renders_for_admins(admin_client, db):
    page = admin_client.get("/library/scanning/")
    assert page.status_code == 200 and b"Scan folders" in page.content and b"folder-form" in page.content


def test_scanning_page_hides_the_form_from_readers(reader_client, db):
    page = reader_client.get("/library/scanning/")
    assert page.status_code == 200 and b"folder-form" not in page.content


def test_periodic_rescan_is_in_the_schedule_table(broker):
    from core.jobs import job_kinds
    from omnireadarr.schedules import SCHEDULES

    rows = [s for s in SCHEDULES if s.job_kind == "scanning.rescan_due"]
    assert len(rows) == 1 and rows[0].job_kind in job_kinds()
