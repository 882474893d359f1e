"""Cancel always works, with real `manage.py worker` processes on the embedded queue: a worker
is killed (SIGKILL) while a scan, an import, a rename preview or a rename is under way; its
job is redelivered to the next worker (lease of 3 s), cancelled meanwhile or not, and the
run record ends with an end time either way. A job blocked where nothing can interrupt it is
abandoned after the grace period and the worker (one thread) serves the next job.

The work is held at a known point by test hooks (the stand-in for a read blocked in the
kernel): OMNI_TEST_PAUSE_JOB_KIND (a job's first progress write) and OMNI_RENAME_PAUSE_AFTER
(after N file moves)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.jobs import cancel_job
from core.models import Job, JobState
from media.models import LibraryFile
from processing.models import ImportRun, PostProcessStatus
from processing.renaming.models import BatchState, RenameBatch
from processing.renaming.services import Selection, create_preview
from scanning.models import RunState, ScanFolder, ScanRun
from tests.integration.test_queue_processes import ROOT, _env, _kill, _start_worker, _wait_for
from tests.processing import samples as import_samples
from tests.processing.conftest import make_item as make_wanted_item
from tests.renaming.conftest import make_item as make_library_item
from tests.scanning import samples as scan_samples

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
WAIT = 90  # seconds, the bound of every wait (a worker process starts in a few seconds)


@dataclass
class Stage:
    job_id: int
    record: object  # the run record: a ScanRun, an ImportRun or a RenameBatch

    def refreshed(self):
        self.record.refresh_from_db()
        return self.record


def _shell(env: dict[str, str], code: str) -> int:
    done = subprocess.run([sys.executable, "manage.py", "shell", "-v0", "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return int(done.stdout.strip().splitlines()[-1])


def _wait_until(predicate, what: str, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what}: not within {timeout} s")


def _paused_worker(env: dict[str, str], marker: Path, **hook: str) -> subprocess.Popen:
    worker = _start_worker({**env, **hook, "OMNI_TEST_PAUSE_MARKER": str(marker),
                            "OMNI_RENAME_PAUSE_MARKER": str(marker)})
    try:
        _wait_until(marker.exists, "the worker reached the pause point")
    except AssertionError:
        _kill(worker)
        raise
    return worker


def _scan(tmp_path: Path, env: dict[str, str]) -> Stage:
    for i in range(3):
        scan_samples.make_epub(tmp_path / "lib" / f"{i}.epub",
                               scan_samples.Book(f"Book {i}", uuid=f"00000000-0000-4000-8000-{i:012d}"))
    folder = ScanFolder.objects.create(path=str(tmp_path / "lib"))
    job_id = _shell(env, f"from scanning.services.jobs import start_scan; print(start_scan({folder.pk}).pk)")
    return Stage(job_id, None)


def _import(tmp_path: Path, env: dict[str, str]) -> Stage:
    item = make_wanted_item(title="A Wizard of Earthsea", authors=("Ursula K. Le Guin",))
    download = tmp_path / "downloads" / "Earthsea"
    import_samples.make_epub(download / "A Wizard of Earthsea.epub", title="A Wizard of Earthsea",
                             authors=("Ursula K. Le Guin",))
    job_id = _shell(env, "from processing.services import start_import; "
                         f"print(start_import(storage_path={str(download)!r}, media_item_id={item.pk}).job_id)")
    return Stage(job_id, None)


def _library(tmp_path: Path, settings) -> Path:
    library = tmp_path / "library"
    settings.LIBRARY_DIR, settings.RECYCLE_DIR = library, tmp_path / "recycle"
    for n in range(6):
        make_library_item(library, f"Book {n}", files=(f"in/{n}.epub",))
    return library


def _rename_plan(tmp_path: Path, env: dict[str, str], settings) -> Stage:
    library = _library(tmp_path, settings)
    batch = RenameBatch.objects.create(root=str(library), template="${title}.${ext}", selection={"everything": True})
    job_id = _shell(env, "from core.jobs import submit_job; from processing.renaming.models import RenameBatch; "
                         f"j = submit_job('processing.rename_plan', params={{'batch_id': {batch.pk}}}); "
                         f"RenameBatch.objects.filter(pk={batch.pk}).update(job_id=j.pk); print(j.pk)")
    return Stage(job_id, batch)


def _rename_execute(tmp_path: Path, env: dict[str, str], settings) -> Stage:
    library = _library(tmp_path, settings)
    batch = create_preview(template="${title}.${ext}", selection=Selection(everything=True), policy="skip",
                           root=library)
    job_id = _shell(env, f"from processing.renaming.services import request_execute; "
                         f"print(request_execute({batch.pk}).pk)")
    return Stage(job_id, batch)


def _started(kind: str, tmp_path: Path, settings) -> tuple[Stage, dict[str, str], dict[str, str]]:
    """The stage's job submitted to a fresh queue; the environment of its workers and the hook
    that holds the first one at a known point."""
    env = _env(tmp_path / "data", OMNI_QUEUE_LEASE_SECONDS="3", OMNI_LIBRARY_DIR=str(tmp_path / "library"),
               OMNI_RECYCLE_DIR=str(tmp_path / "recycle"), OMNI_DOWNLOADS_DIR=str(tmp_path / "downloads"),
               OMNI_SCAN_WORKERS="0")
    if kind == "scan":
        stage, hook = _scan(tmp_path, env), {"OMNI_TEST_PAUSE_JOB_KIND": "scanning.scan_folder"}
    elif kind == "import":
        stage, hook = _import(tmp_path, env), {"OMNI_TEST_PAUSE_JOB_KIND": "processing.import_download"}
    elif kind == "rename_plan":
        stage, hook = _rename_plan(tmp_path, env, settings), {"OMNI_TEST_PAUSE_JOB_KIND": "processing.rename_plan"}
    else:
        stage, hook = _rename_execute(tmp_path, env, settings), {"OMNI_RENAME_PAUSE_AFTER": "2"}
    return stage, env, hook


def _record(kind: str, job_id: int):
    if kind == "scan":
        return ScanRun.objects.get(job_id=job_id)
    if kind == "import":
        return ImportRun.objects.get(job_id=job_id)
    return RenameBatch.objects.get(job_id=job_id)


def _working(record) -> bool:
    if isinstance(record, ScanRun):
        return record.state == RunState.RUNNING
    if isinstance(record, ImportRun):
        return record.post_process_status in (PostProcessStatus.PENDING, PostProcessStatus.PROCESSING)
    return record.state in (BatchState.PLANNING, BatchState.RUNNING, BatchState.REVERTING)


STAGES = ["scan", "import", "rename_plan", "rename_execute"]


@pytest.mark.parametrize("kind", STAGES)
def test_worker_killed_then_job_cancelled_ends_the_run_record(kind, tmp_path, settings):
    stage, env, hook = _started(kind, tmp_path, settings)
    first = _paused_worker(env, tmp_path / "paused", **hook)
    _kill(first)  # SIGKILL: no clean-up code runs
    record = _record(kind, stage.job_id)
    assert _working(record), record.__dict__  # as the killed worker left it
    cancel_job(stage.job_id)  # no worker runs it: the cancel waits for the redelivery
    second = _start_worker(env)
    try:
        job = _wait_for(stage.job_id, lambda j: j.state == JobState.CANCELLED, timeout=WAIT)
    finally:
        _kill(second, signal.SIGTERM)
    record.refresh_from_db()
    assert not _working(record) and record.finished_at is not None, record.__dict__
    assert f"job #{job.pk} ended (cancelled" in (getattr(record, "error", "") or record.message)
    if kind == "rename_execute":  # a cancelled rename can be reverted: every file goes back
        from processing.renaming import undo

        assert record.state == BatchState.FAILED
        assert undo.revert_batch(record.pk)["state"] == BatchState.REVERTED
        library = tmp_path / "library"
        assert sorted(p.name for p in (library / "in").iterdir()) == [f"{n}.epub" for n in range(6)]
        assert all(Path(f.path).is_file() for f in LibraryFile.objects.all())


@pytest.mark.parametrize("kind", ["scan", "import"])
def test_worker_killed_mid_job_the_redelivered_job_ends_the_run_record(kind, tmp_path, settings):
    stage, env, hook = _started(kind, tmp_path, settings)
    _kill(_paused_worker(env, tmp_path / "paused", **hook))
    second = _start_worker(env)
    try:
        job = _wait_for(stage.job_id, lambda j: j.is_finished, timeout=WAIT)
    finally:
        _kill(second, signal.SIGTERM)
    record = _record(kind, stage.job_id)
    assert not _working(record) and record.finished_at is not None, record.__dict__
    if kind == "scan":  # the scan resumes and finishes
        assert job.state == JobState.SUCCEEDED and record.state == RunState.SUCCEEDED and record.added == 3
    else:  # the run was taken by the killed attempt: it fails with the reason and can be re-run
        assert record.post_process_status == PostProcessStatus.FAILED and "Re-run it" in record.error


def test_blocked_job_in_a_worker_process_is_abandoned_and_the_worker_serves_the_next_job(tmp_path, settings):
    stage, env, hook = _started("scan", tmp_path, settings)
    env = {**env, "OMNI_JOB_CANCEL_GRACE_SECONDS": "2"}
    marker = tmp_path / "paused"
    worker = _start_worker({**env, **hook, "OMNI_TEST_PAUSE_MARKER": str(marker)}, threads=1)
    try:
        _wait_until(marker.exists, "the scan blocked")
        cancel_job(stage.job_id)
        asked = time.monotonic()
        job = _wait_for(stage.job_id, lambda j: j.state == JobState.CANCELLED, timeout=WAIT)
        waited = time.monotonic() - asked
        selftest = _shell(env, "from core.jobs import submit_job; "
                               "print(submit_job('core.selftest', params={'steps': 2, 'step_seconds': 0}).pk)")
        served = _wait_for(selftest, lambda j: j.is_finished, timeout=WAIT)
    finally:
        _kill(worker)
    assert 2 <= waited < 2 + 5, waited
    assert job.message == "Cancelled: did not stop within 2 s; its thread was abandoned"
    run = ScanRun.objects.get(job_id=stage.job_id)
    assert run.state == RunState.CANCELLED and run.finished_at is not None
    assert served.state == JobState.SUCCEEDED and served.result == {"steps": 2}
    assert Job.objects.filter(pk=stage.job_id, state=JobState.CANCELLED).exists()
    print(json.dumps({"abandoned_after_seconds": round(waited, 2)}))
