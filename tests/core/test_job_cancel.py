"""Cancel always works: a job stops within a second of work, one blocked where nothing can
interrupt it is abandoned after the grace period (and its worker serves the next job), and
no scan run, import run or rename batch stays working once its job has ended. In-process:
Dramatiq's stub broker and real worker threads; real files, real services."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from dramatiq import Worker

from core.errors import JobCancelled
from core.jobs import JobContext, cancel_job, job_actor, job_kinds, submit_job
from core.jobs.actors import release_paused_jobs
from core.jobs.services import end_job
from core.models import Job, JobState
from processing import services as import_services
from processing.models import ImportRun, PostProcessStatus
from processing.renaming import journal, undo
from processing.renaming.models import BatchState, OpState, RenameBatch, RenameOperation
from processing.renaming.services import Selection, create_preview, request_execute, request_revert
from scanning.models import RunState, ScanFolder, ScanRun
from scanning.services.jobs import start_scan
from search.models import EnrichmentRun
from tests.processing.conftest import make_item as make_wanted_item
from tests.renaming.conftest import make_item as make_library_item
from tests.scanning import samples as s

pytestmark = pytest.mark.django_db(transaction=True)
GRACE = 1  # seconds (JOB_CANCEL_GRACE_SECONDS, 30 in production)

_entered = threading.Event()
_release = threading.Event()


@job_actor("tests.blocked", max_retries=0)
def blocked(ctx: JobContext) -> dict:
    """Waits where nothing can interrupt it (as a read from a FIFO waits in the kernel)."""
    ctx.progress(0, 1, "waiting", force=True)
    _entered.set()
    _release.wait(60)
    ctx.progress(1, 1, "woke up", force=True)
    return {"woke": True}


@job_actor("tests.busy", max_retries=0)
def busy(ctx: JobContext) -> dict:
    """Works in small steps and reports progress at each (not forced: the writes are throttled)."""
    for step in range(100_000):
        time.sleep(0.01)
        ctx.progress(step, 100_000)
    return {}


@pytest.fixture
def one_thread_worker(broker, settings):
    """A worker with a single thread: if a blocked job kept it, nothing else would run."""
    settings.JOB_CANCEL_GRACE_SECONDS = GRACE
    _entered.clear()
    _release.clear()
    w = Worker(broker, worker_timeout=100, worker_threads=1)
    w.start()
    yield w
    _release.set()
    release_paused_jobs()
    w.stop(timeout=10_000)
    broker.middleware[:] = [m for m in broker.middleware if getattr(m, "worker", None) is not w]


def _wait(predicate, timeout: float = 20, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"{what} not reached within {timeout} s")


def _job_in(job_id: int, *states: str) -> Job | None:
    job = Job.objects.get(pk=job_id)
    return job if job.state in states else None


def test_blocked_job_is_abandoned_after_the_grace_period_and_the_worker_serves_the_next_job(one_thread_worker):
    job = submit_job("tests.blocked")
    assert _entered.wait(10), "the job never started"
    cancel_job(job.pk)
    asked = time.monotonic()
    ended = _wait(lambda: _job_in(job.pk, JobState.CANCELLED), what="the blocked job cancelled")
    waited = time.monotonic() - asked
    assert GRACE <= waited < GRACE + 3, waited
    assert "did not stop within 1 s; its thread was abandoned" in ended.message and ended.finished_at
    nxt = submit_job("core.selftest", params={"steps": 2, "step_seconds": 0})
    assert _wait(lambda: _job_in(nxt.pk, JobState.SUCCEEDED), what="the next job served").result == {"steps": 2}
    _release.set()  # the kernel lets the abandoned thread go: it stops, writing nothing
    time.sleep(0.5)
    ended.refresh_from_db()
    assert (ended.state, ended.progress_done, ended.result) == (JobState.CANCELLED, 0, None)
    assert "abandoned" in ended.message


def test_a_job_that_reports_progress_stops_within_a_second_of_a_cancel(one_thread_worker):
    job = submit_job("tests.busy")
    _wait(lambda: Job.objects.get(pk=job.pk).progress_done > 0, what="the job running")
    cancel_job(job.pk)
    asked = time.monotonic()
    ended = _wait(lambda: _job_in(job.pk, JobState.CANCELLED), what="the job cancelled")
    assert time.monotonic() - asked < 1.0
    assert ended.message == "Cancelled"  # it stopped by itself: not abandoned


def test_a_scan_blocked_in_a_read_is_cancelled_and_its_run_ends(one_thread_worker, tmp_path, monkeypatch):
    for i in range(3):
        s.make_epub(tmp_path / "lib" / f"{i}.epub", s.Book(f"Book {i}", uuid=f"00000000-0000-4000-8000-{i:012d}"))
    folder = ScanFolder.objects.create(path=str(tmp_path / "lib"))
    marker = tmp_path / "paused"
    monkeypatch.setenv("OMNI_TEST_PAUSE_JOB_KIND", "scanning.scan_folder")
    monkeypatch.setenv("OMNI_TEST_PAUSE_MARKER", str(marker))
    job = start_scan(folder.pk)
    _wait(marker.exists, what="the scan blocked")
    cancel_job(job.pk)
    _wait(lambda: _job_in(job.pk, JobState.CANCELLED), what="the blocked scan cancelled")
    run = ScanRun.objects.get(job_id=job.pk)
    assert run.state == RunState.CANCELLED and run.finished_at is not None
    assert f"job #{job.pk} ended (cancelled: Cancelled: did not stop within 1 s" in run.message
    monkeypatch.delenv("OMNI_TEST_PAUSE_JOB_KIND")
    release_paused_jobs()  # the blocked scan goes on: its writes are refused, it stops
    again = start_scan(folder.pk)  # the folder is not held by the abandoned scan
    done = _wait(lambda: _job_in(again.pk, JobState.SUCCEEDED, JobState.FAILED), what="the next scan")
    assert done.state == JobState.SUCCEEDED and done.result["added"] == 3
    run.refresh_from_db()
    assert run.state == RunState.CANCELLED and run.added == 0


# --- a killed worker's job, redelivered: the run records follow the job --------------------------------


def _left_by_a_killed_worker(kind: str, **params) -> Job:
    """A job as a worker killed mid-job leaves it: running, its message back in the queue."""
    return Job.objects.create(kind=kind, params=params, state=JobState.RUNNING, attempts=1)


def _redeliver(job: Job) -> Job:
    job_kinds()[job.kind].actor.fn(job.pk)  # what the next worker does with the message
    job.refresh_from_db()
    return job


def test_redelivered_scan_job_cancelled_meanwhile_ends_its_scan_run(broker, tmp_path):
    folder = ScanFolder.objects.create(path=str(tmp_path))
    job = _left_by_a_killed_worker("scanning.scan_folder", folder_id=folder.pk)
    run = ScanRun.objects.create(folder=folder, job=job, seen=40)
    cancel_job(job.pk)  # nothing runs it: the cancel waits for the redelivery
    assert _redeliver(job).state == JobState.CANCELLED
    run.refresh_from_db()
    assert run.state == RunState.CANCELLED and run.finished_at is not None and run.duration_seconds >= 0
    assert f"job #{job.pk} ended (cancelled: Cancelled before it started)" in run.message


def test_redelivered_import_job_finds_its_run_taken_and_the_run_fails_so_it_can_be_rerun(broker, tmp_path):
    item = make_wanted_item(title="Dune", authors=("Frank Herbert",))
    job = _left_by_a_killed_worker("processing.import_download")
    run = ImportRun.objects.create(storage_path=str(tmp_path), media_item=item, job_id=job.pk,
                                   post_process_status=PostProcessStatus.PROCESSING, attempts=1)
    job.params = {"run_id": run.pk}
    job.save(update_fields=["params"])
    _redeliver(job)
    run.refresh_from_db()
    assert run.post_process_status == PostProcessStatus.FAILED and run.finished_at is not None
    assert f"job #{job.pk} ended (succeeded" in run.error
    assert import_services.rerun(run.pk).rerun_of_id == run.pk


def test_import_run_of_a_job_cancelled_before_it_started_fails(broker, tmp_path):
    item = make_wanted_item(title="Dune", authors=("Frank Herbert",))
    run = import_services.start_import(storage_path=str(tmp_path), media_item_id=item.pk)
    cancel_job(run.job_id)
    run.refresh_from_db()
    assert run.post_process_status == PostProcessStatus.FAILED and run.finished_at is not None
    assert "ended (cancelled" in run.error


def test_rename_preview_whose_job_ended_is_failed_not_left_planning(broker, library):
    make_library_item(library, "Dune", files=("in/dune.epub",))
    batch = RenameBatch.objects.create(root=str(library), template="${title}.${ext}",
                                       selection={"everything": True})
    job = _left_by_a_killed_worker("processing.rename_plan", batch_id=batch.pk)
    RenameBatch.objects.filter(pk=batch.pk).update(job_id=job.pk)
    cancel_job(job.pk)
    _redeliver(job)
    batch.refresh_from_db()
    assert batch.state == BatchState.FAILED and batch.finished_at is not None
    assert "The preview did not finish" in batch.message and "make a new preview" in batch.message


def test_rename_cancelled_between_two_files_ends_failed_and_can_be_reverted(broker, library):
    for n in range(5):
        make_library_item(library, f"Book {n}", files=(f"in/{n}.epub",))
    batch = create_preview(template="${title}.${ext}", selection=Selection.parse({"everything": True}),
                           policy="skip", root=library)
    job = request_execute(batch.pk)
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, attempts=1)
    reports = []

    def progress(done, total=None, message=None, **kwargs):  # the job's reporter: cancelled after two files
        reports.append(done)
        if done >= 2:
            raise JobCancelled("cancelled")

    with pytest.raises(JobCancelled):
        journal.execute_batch(batch.pk, owner=f"job:{job.pk}", progress=progress)
    assert end_job(job.pk, JobState.CANCELLED, message="Cancelled")
    batch.refresh_from_db()
    states = list(RenameOperation.objects.filter(batch=batch).order_by("seq").values_list("state", flat=True))
    assert states == [OpState.DONE, OpState.DONE, OpState.PLANNED, OpState.PLANNED, OpState.PLANNED]
    assert batch.state == BatchState.FAILED and batch.finished_at is not None
    assert batch.message.startswith("Stopped after 2 of 5 moves")
    request_revert(batch.pk)  # allowed: not left running
    result = undo.revert_batch(batch.pk)
    assert result["state"] == BatchState.REVERTED
    assert sorted(p.name for p in (library / "in").iterdir()) == [f"{n}.epub" for n in range(5)]


def test_worker_start_ends_runs_of_finished_or_gone_jobs_and_leaves_the_others(broker, tmp_path):
    folder = ScanFolder.objects.create(path=str(tmp_path))
    cancelled = Job.objects.create(kind="scanning.scan_folder", state=JobState.CANCELLED, message="Cancelled")
    running = Job.objects.create(kind="scanning.scan_folder", state=JobState.RUNNING)
    stale = ScanRun.objects.create(folder=folder, job=cancelled)
    live = ScanRun.objects.create(folder=folder, job=running)
    jobless = ScanRun.objects.create(folder=folder)  # a scan run outside a job (a command): left alone
    planning_of_gone_job = RenameBatch.objects.create(root=str(tmp_path), job_id=987654)
    inline_planning = RenameBatch.objects.create(root=str(tmp_path))
    enrichment = EnrichmentRun.objects.create(job_id=cancelled.pk)
    w = Worker(broker, worker_timeout=100, worker_threads=1)
    w.start()  # the start-up check runs at boot
    w.stop(timeout=10_000)
    broker.middleware[:] = [m for m in broker.middleware if getattr(m, "worker", None) is not w]
    states = {run.pk: run.state for run in ScanRun.objects.all()}
    assert states == {stale.pk: RunState.CANCELLED, live.pk: RunState.RUNNING, jobless.pk: RunState.RUNNING}
    assert ScanRun.objects.get(pk=stale.pk).finished_at is not None
    batches = dict(RenameBatch.objects.values_list("pk", "state"))
    assert batches == {planning_of_gone_job.pk: BatchState.FAILED, inline_planning.pk: BatchState.PLANNING}
    assert "no longer exists" in RenameBatch.objects.get(pk=planning_of_gone_job.pk).message
    enrichment.refresh_from_db()
    assert enrichment.finished_at is not None and "ended (cancelled" in enrichment.counts["stopped"]


@pytest.fixture
def library(tmp_path, settings) -> Path:
    root = tmp_path / "library"
    root.mkdir()
    settings.LIBRARY_DIR = root
    settings.RECYCLE_DIR = tmp_path / "recycle"
    return root
