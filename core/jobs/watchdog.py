"""The watchdog of a worker process: a job whose cancel was asked and that has not stopped
within JOB_CANCEL_GRACE_SECONDS (a thread blocked in the kernel never reaches its next
progress report) is abandoned. Python cannot kill a thread, so abandoning means:

- the job row is ended at once (state cancelled, with a message saying its thread was
  abandoned) and its run records are ended with it (`end_job`);
- every later write of that thread to the job or its runs is refused: they are
  compare-and-swaps on the running state (and the job's attempt);
- the thread is given an exception to raise as soon as it runs Python again, so it stops
  at once if the kernel ever lets it go;
- the worker keeps serving other jobs: the thread is taken out of the worker's pool and a
  new worker thread is started in its place (`on_abandon`).

Only threads that run a job are watched; the watchdog reads the database only then."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from dramatiq.threading import raise_thread_exception

from core.errors import JobAbandoned
from core.models import Job, JobState

logger = logging.getLogger(__name__)
POLL_SECONDS = 0.5


@dataclass
class Tracked:
    job_id: int
    attempt: int
    thread: threading.Thread
    cancel_seen_at: float | None = None


class Watchdog:
    def __init__(self) -> None:
        self._tracked: dict[int, Tracked] = {}  # by thread ident
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.on_abandon: Callable[[threading.Thread], None] = lambda thread: None

    @contextlib.contextmanager
    def tracking(self, job: Job) -> Iterator[None]:
        """Watch the current thread while it runs `job`."""
        thread = threading.current_thread()
        with self._lock:
            self._tracked[thread.ident] = Tracked(job.pk, job.attempts, thread)
        try:
            yield
        finally:
            with self._lock:
                self._tracked.pop(thread.ident, None)

    def start(self, on_abandon: Callable[[threading.Thread], None]) -> None:
        self.on_abandon = on_abandon
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="omni-job-watchdog", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            try:
                self.check()
            except Exception:
                logger.warning("Job watchdog check failed", exc_info=True)
            finally:
                connection.close()

    def check(self, now: float | None = None) -> list[int]:
        """Abandon the watched jobs cancelled longer than the grace period ago; returns their ids."""
        with self._lock:
            tracked = list(self._tracked.values())
        if not tracked:
            return []
        now = time.monotonic() if now is None else now
        cancelled = set(
            Job.objects.filter(pk__in=[t.job_id for t in tracked], cancel_requested=True).values_list("pk", flat=True)
        )
        abandoned = []
        for entry in tracked:
            if entry.job_id not in cancelled:
                continue
            if entry.cancel_seen_at is None:
                entry.cancel_seen_at = now
            if now - entry.cancel_seen_at >= settings.JOB_CANCEL_GRACE_SECONDS:
                self._abandon(entry)
                abandoned.append(entry.job_id)
        return abandoned

    def _abandon(self, entry: Tracked) -> None:
        from core.jobs.services import end_job

        with self._lock:
            self._tracked.pop(entry.thread.ident, None)
        grace = settings.JOB_CANCEL_GRACE_SECONDS
        message = f"Cancelled: did not stop within {grace} s; its thread was abandoned"
        ended = end_job(
            entry.job_id,
            JobState.CANCELLED,
            expect={"state": JobState.RUNNING, "attempts": entry.attempt},
            message=message,
            last_error=f"{message} (blocked in {entry.thread.name})",
        )
        if not ended:  # it stopped by itself meanwhile
            return
        logger.error("Job %s %s", entry.job_id, message[len("Cancelled: "):])
        raise_thread_exception(entry.thread.ident, JobAbandoned)
        self.on_abandon(entry.thread)


WATCHDOG = Watchdog()
tracking = WATCHDOG.tracking
