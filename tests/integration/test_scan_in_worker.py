"""A library scan as production runs it: a `manage.py worker` process takes the job from the
embedded queue and spawns its extraction process (OMNI_SCAN_WORKERS=1) for a folder big enough
to use it. Guards the spawn path (a worker whose extraction process cannot start, hangs or
crashes would show here as a failed or stuck job)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from core.models import Job, JobState
from media.models import MediaItem
from scanning.models import ScanFolder
from tests.integration.test_queue_processes import ROOT, _env, _kill, _start_worker, _wait_for
from tests.scanning import samples as s

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
BOOKS = 600  # more than two batches of 250: the extraction process is started and used


def test_scan_job_in_a_worker_process_imports_through_its_extraction_process(tmp_path):
    library = tmp_path / "library"
    for i in range(BOOKS):
        s.make_epub(
            library / f"Author {i % 30}" / f"Book {i:03}.epub",
            s.Book(f"Book {i}", isbn="", uuid=f"00000000-0000-4000-8000-{i:012d}"),
        )
    folder = ScanFolder.objects.create(path=str(library))
    env = _env(tmp_path / "data", OMNI_SCAN_WORKERS="1")
    submitted = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v0", "-c",
         f"from scanning.services.jobs import start_scan; print(start_scan({folder.pk}).pk)"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True,
    )
    job_id = int(submitted.stdout.strip().splitlines()[-1])
    worker = _start_worker(env)
    finished = lambda j: j.state in (JobState.SUCCEEDED, JobState.FAILED)  # noqa: E731
    try:
        job = _wait_for(job_id, finished, timeout=240)
        assert job.state == JobState.SUCCEEDED, job.last_error
        covers_job = Job.objects.get(kind="scanning.make_thumbnails")  # queued by the scan
        covers_job = _wait_for(covers_job.pk, finished, timeout=240)
    finally:
        _kill(worker)
    assert job.result["added"] == BOOKS and job.result["errors"] == 0
    assert MediaItem.objects.count() == BOOKS
    titles = set(MediaItem.objects.values_list("title", flat=True))
    assert {"Book 0", f"Book {BOOKS - 1}"} <= titles
    assert covers_job.state == JobState.SUCCEEDED and covers_job.result["covers_stored"] == BOOKS
    assert not MediaItem.objects.filter(cover_path="").exists()
