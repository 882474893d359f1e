"""SQLite under concurrent writers: no "database is locked", no batch or run left half done.

On a WAL database a connection that keeps a read cursor open (a snapshot) and then writes
fails at once with SQLITE_BUSY_SNAPSHOT when another connection committed in between: the
busy timeout does not help. These tests run the real jobs on worker threads (stub broker)
against a file database while other threads write through the API."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.test import Client

from core.models import FINISHED_STATES, Job, JobState
from media.models import Author, Contribution, ContributorRole, LibraryFile, MediaItem
from processing.renaming.models import BatchState, RenameBatch
from processing.renaming.services import PLAN_CHUNK

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite locking (PostgreSQL has row locks)"),
]
LOCKED = "database is locked"


@pytest.fixture
def library(tmp_path, settings):
    root = tmp_path / "library"
    root.mkdir()
    settings.LIBRARY_DIR = root
    settings.RECYCLE_DIR = tmp_path / "recycle"
    return root


def make_books(library, count: int) -> list[int]:
    """`count` catalogued books, each with one real file on disk (rows in bulk: fast)."""
    author = Author.objects.create(name="Ann Leckie", sort_name="Leckie, Ann", normalized="ann leckie")
    items = MediaItem.objects.bulk_create(
        MediaItem(title=f"Book {n:04d}", sort_title=f"book {n:04d}") for n in range(count)
    )
    Contribution.objects.bulk_create(
        Contribution(item=item, author=author, role=ContributorRole.AUTHOR) for item in items
    )
    files = []
    for item in items:
        path = library / "in" / f"{item.title}.epub"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f"{item.title}\n".encode())
        stat = path.stat()
        files.append(LibraryFile(item=item, path=str(path), size=stat.st_size, mtime_ns=stat.st_mtime_ns,
                                 format="epub"))
    LibraryFile.objects.bulk_create(files)
    return [item.pk for item in items]


class MetadataEditor(threading.Thread):
    """Edits books' publishers through the API in a loop, recording every failed answer."""

    def __init__(self, user, item_ids: list[int]) -> None:
        super().__init__(daemon=True)
        self.client = Client()
        self.client.force_login(user)
        self.item_ids, self.failures, self.edits = item_ids, [], 0
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                item_id = self.item_ids[self.edits % len(self.item_ids)]
                response = self.client.post(f"/api/media/{item_id}/fields/publisher",
                                            {"value": f"Orbit {self.edits}"}, content_type="application/json")
                if response.status_code != 200:
                    self.failures.append(f"{response.status_code}: {response.content[:300]!r}")
                self.edits += 1
        except Exception as exc:  # an unhandled error in the view is re-raised by the test client
            self.failures.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=30)


def wait_until_finished(job_id: int, timeout: float) -> Job:
    """Poll (not broker.join: a failed job is retried after a backoff of several seconds)."""
    deadline = time.monotonic() + timeout
    job = Job.objects.get(pk=job_id)
    while job.state not in FINISHED_STATES and not job.last_error and time.monotonic() < deadline:
        time.sleep(0.1)
        job.refresh_from_db()
    return job


def test_rename_preview_is_planned_while_metadata_edits_write(admin_client, admin_user, library, worker):
    ids = make_books(library, 2 * PLAN_CHUNK + 100)  # several chunks: the plan writes between reads
    editor = MetadataEditor(admin_user, ids)
    editor.start()
    try:
        while editor.edits < 3:  # the writer is going
            time.sleep(0.01)
        response = admin_client.post("/api/rename/preview", {"template": "${author}/${title}.${ext}",
                                                             "selection": {"everything": True}},
                                     content_type="application/json")
        assert response.status_code == 202, response.content
        batch = response.json()["data"]
        job = wait_until_finished(batch["job_id"], timeout=120)
    finally:
        editor.stop()
    assert job.state == JobState.SUCCEEDED and not job.last_error, job.last_error
    planned = RenameBatch.objects.get(pk=batch["id"])
    assert planned.state == BatchState.PLANNED and planned.totals["planned"] == len(ids)
    assert editor.edits > 10 and not editor.failures, editor.failures[:3]
