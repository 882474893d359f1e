"""SQLite under concurrent writers: no "database is locked", no batch or run left half done.

On a WAL database a connection that keeps a read cursor open (a snapshot) and then writes
fails at once with SQLITE_BUSY_SNAPSHOT when another connection committed in between: the
busy timeout does not help. These tests run the real jobs on worker threads (stub broker)
against a file database while other threads write through the API."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from dramatiq import Worker

from core.jobs import submit_job
from core.models import FINISHED_STATES, Job, JobState
from media.models import Author, Contribution, ContributorRole, FileState, LibraryFile, MediaItem
from processing.renaming.journal import move_file
from processing.renaming.models import BatchState, RenameBatch
from processing.renaming.services import PLAN_CHUNK
from scanning.models import RunState, ScanFolder, ScanRun
from scanning.services.jobs import start_scan
from scanning.services.scan import ScanOptions, scan_folder
from search.models import EnrichmentRun, EnrichmentRunItem
from tests.scanning import samples
from tests.search.conftest import fakes, live_providers  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's locking (PostgreSQL locks rows)")
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


class Activity(threading.Thread):
    """Repeats `step(activity)` until stopped, then lets the round it is in finish."""

    def __init__(self, name: str, step) -> None:
        super().__init__(name=name, daemon=True)
        self.step, self.rounds, self.failures = step, 0, []
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                self.step(self)
                self.rounds += 1
        except Exception as exc:
            self.failures.append(f"{self.name}: {type(exc).__name__}: {exc}")
        finally:
            connection.close()

    def finish(self) -> None:
        """Stop after the current round."""
        self.stopping.set()
        self.join(timeout=180)

    def run_job(self, job: Job | int, timeout: float = 120) -> Job:
        job = wait_for_job(job if isinstance(job, int) else job.pk, timeout)
        if job.state != JobState.SUCCEEDED or job.last_error:
            self.failures.append(f"{self.name}: job #{job.pk} {job.kind} {job.state}: {job.last_error}")
        return job

    def api(self, client: Client, url: str, body: dict, expected: int = 200) -> dict:
        response = client.post(url, body, content_type="application/json")
        if response.status_code != expected:
            self.failures.append(f"{self.name}: {url} {response.status_code}: {response.content[:300]!r}")
            return {}
        return response.json()["data"]


def wait_for_job(job_id: int, timeout: float) -> Job:
    """Until the job has finished or failed once (not broker.join: a failed job is retried
    after a backoff of several seconds), or `timeout` seconds."""
    deadline = time.monotonic() + timeout
    job = Job.objects.get(pk=job_id)
    while job.state not in FINISHED_STATES and not job.last_error and time.monotonic() < deadline:
        time.sleep(0.1)
        job.refresh_from_db()
    return job


def editing(user):
    """Metadata edits through the API: five books' publisher per round."""
    client = Client()
    client.force_login(user)

    def step(activity: Activity) -> None:
        for item_id in MediaItem.objects.order_by("?").values_list("pk", flat=True)[:5]:
            activity.api(client, f"/api/media/{item_id}/fields/publisher", {"value": f"Orbit {activity.rounds}"})
        time.sleep(0.02)

    return step


@sqlite_only
def test_rename_preview_is_planned_while_metadata_edits_write(admin_client, admin_user, library, worker):
    ids = make_books(library, 2 * PLAN_CHUNK + 100)  # several chunks: the plan writes between reads
    editor = Activity("edit", editing(admin_user))
    editor.start()
    try:
        while editor.rounds < 2:  # the writer is going
            time.sleep(0.01)
        response = admin_client.post("/api/rename/preview", {"template": "${author}/${title}.${ext}",
                                                             "selection": {"everything": True}},
                                     content_type="application/json")
        assert response.status_code == 202, response.content
        batch = response.json()["data"]
        job = wait_for_job(batch["job_id"], timeout=120)
    finally:
        editor.finish()
    assert job.state == JobState.SUCCEEDED and not job.last_error, job.last_error
    planned = RenameBatch.objects.get(pk=batch["id"])
    assert planned.state == BatchState.PLANNED and planned.totals["planned"] == len(ids)
    assert editor.rounds > 2 and not editor.failures, editor.failures[:3]


# --- everything at once ---------------------------------------------------------------------------------------

SECONDS = float(os.environ.get("OMNI_CONCURRENCY_SECONDS", "20"))  # how long the activities overlap
ENRICHED = [  # recorded by the fake providers: strong matches, applied (the rest go to review)
    ("use of weapons", (("Iain Banks", "Banks, Iain"),), "9780316030571"),
    ("Les Ombres Errantes", (("Pascal Quignard", "Quignard, Pascal"),), "207042779X"),
]


@pytest.fixture
def busy_worker(broker):
    """A worker with enough threads for scans, reindexing, renames and enrichment at once."""
    w = Worker(broker, worker_timeout=100, worker_threads=6)
    w.start()
    yield w
    w.stop(timeout=30_000)
    broker.middleware[:] = [m for m in broker.middleware if getattr(m, "worker", None) is not w]


def scanning(folder: ScanFolder):
    def step(activity: Activity) -> None:
        for n in range(activity.rounds * 10, activity.rounds * 10 + 10):  # new books: every scan writes
            samples.make_epub(Path(folder.path) / f"New {n:03d}.epub",
                              samples.Book(f"New book {n}", uuid=f"00000000-0000-4000-8001-{n:012d}"))
        activity.run_job(start_scan(folder.pk))

    return step


def reindexing(activity: Activity) -> None:
    activity.run_job(submit_job("media.rebuild_search_index"))


def enriching(known: list[int]):
    def step(activity: Activity) -> None:
        ids = known + list(MediaItem.objects.order_by("?").values_list("pk", flat=True)[:6])
        activity.run_job(submit_job("search.enrich_items", params={"item_ids": ids, "force": True}))

    return step


def renaming(user):
    client = Client()
    client.force_login(user)

    def step(activity: Activity) -> None:
        batch = activity.api(client, "/api/rename/preview", {"template": "${author}/${title}.${ext}",
                                                             "selection": {"everything": True}}, expected=202)
        if batch.get("job_id"):
            activity.run_job(batch["job_id"])
        if RenameBatch.objects.get(pk=batch["id"]).state != BatchState.PLANNED:
            activity.failures.append(f"rename: batch #{batch['id']} was not planned")
            return
        for action in ("execute", "revert"):
            job = activity.api(client, f"/api/rename/{action}", {"batch_id": batch["id"]}, expected=202)
            if job:
                activity.run_job(job["id"])

    return step


def unfinished_records() -> list[str]:
    found = [f"job #{j.pk} {j.kind} {j.state}" for j in Job.objects.exclude(state__in=FINISHED_STATES)]
    found += [f"rename batch #{b.pk} {b.state}" for b in RenameBatch.objects.filter(state__in=(
        BatchState.PLANNING, BatchState.RUNNING, BatchState.REVERTING))]
    found += [f"scan run #{r.pk} running" for r in ScanRun.objects.filter(state=RunState.RUNNING)]
    found += [f"enrichment run #{r.pk} unfinished" for r in EnrichmentRun.objects.filter(finished_at__isnull=True)]
    return found


@sqlite_only
@pytest.mark.usefixtures("live_providers", "busy_worker", "no_rate_limits")
def test_scans_reindexing_renames_enrichment_and_api_edits_together_never_hit_a_lock(
    admin_user, library, caplog, monkeypatch
):
    monkeypatch.setenv("OMNI_SCAN_WORKERS", "0")  # extraction in the scanning thread: no process start-up
    make_books(library, PLAN_CHUNK + 100)  # catalogued outside the scan folder: previews plan in chunks
    scanned = library / "scanned"
    for n in range(120):
        samples.make_epub(scanned / f"Author {n % 12}" / f"Book {n:03d}.epub",
                          samples.Book(f"Book {n}", uuid=f"00000000-0000-4000-8000-{n:012d}"))
    for n, (title, authors, isbn) in enumerate(ENRICHED):
        samples.make_epub(scanned / "Known" / f"{n}.epub",
                          samples.Book(title, authors=authors, isbn=isbn, uuid=f"00000000-0000-4000-8002-{n:012d}"))
    folder = ScanFolder.objects.create(path=str(scanned))
    assert wait_for_job(start_scan(folder.pk).pk, 120).state == JobState.SUCCEEDED
    known = list(MediaItem.objects.filter(files__path__contains="/Known/").values_list("pk", flat=True))
    assert len(known) == len(ENRICHED)
    activities = [
        Activity("scan", scanning(folder)),
        Activity("reindex", reindexing),
        Activity("enrich", enriching(known)),
        Activity("rename", renaming(admin_user)),
        Activity("edit", editing(admin_user)),
    ]
    for activity in activities:
        activity.start()
    time.sleep(SECONDS)
    for activity in activities:
        activity.stopping.set()
    for activity in activities:
        activity.finish()
    failures = [f for a in activities for f in a.failures]
    failures += [f"job #{j.pk} {j.kind}: {j.last_error}" for j in Job.objects.filter(last_error__contains="locked")]
    failures += [r.getMessage()[:300] for r in caplog.records if LOCKED in r.getMessage()]
    assert not failures, "\n".join(failures[:10])
    assert not unfinished_records(), unfinished_records()
    rounds = {a.name: a.rounds for a in activities}
    assert all(rounds.values()), rounds  # each activity overlapped the others at least once
    assert EnrichmentRunItem.objects.filter(item_id__in=known).exists()  # strong matches were applied


def test_a_rescan_keeps_a_file_renamed_while_it_walks(library):
    """A rename between the scan's read of the catalogue and its walk reaching the new path:
    the file is neither inserted twice (unique path) nor marked missing at its old path."""
    for n in range(300):  # 'a' is walked first: the progress report after 256 files
        book = samples.Book(f"A{n}", uuid=f"00000000-0000-4000-8003-{n:012d}")
        samples.make_epub(library / "a" / f"{n:03d}.epub", book)
    samples.make_epub(library / "m" / "moved.epub", samples.Book("Moved", uuid="00000000-0000-4000-8004-000000000000"))
    folder = ScanFolder.objects.create(path=str(library))
    options = ScanOptions(workers=0)
    scan_folder(folder.pk, options=options)
    moved = LibraryFile.objects.get(path=str(library / "m" / "moved.epub"))
    target = library / "z" / "moved.epub"

    def rename_once(*args, **kwargs) -> None:
        if not target.exists():
            move_file(Path(moved.path), target, root=library, library_file_id=moved.pk)

    result = scan_folder(folder.pk, options=options, progress=rename_once)
    assert target.is_file() and result["errors"] == 0 and result["missing"] == 0
    moved.refresh_from_db()
    assert (moved.path, moved.state) == (str(target), FileState.PRESENT)
    assert LibraryFile.objects.count() == 301
