"""`@job_actor` turns a function `fn(ctx: JobContext)` into a Dramatiq actor that takes a
job id, claims the job with a compare-and-swap, records progress, honours cancel requests
and stores the outcome. The function itself calls one service."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dramatiq
from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from dramatiq.middleware import CurrentMessage

from core.errors import PERMANENT_ERRORS, JobCancelled
from core.jobs import watchdog
from core.jobs.services import end_job, fold_idle_run
from core.logging import correlation, new_correlation_id
from core.models import FINISHED_STATES, Job, JobState

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobKind:
    kind: str
    actor: dramatiq.Actor
    title: str
    user_startable: bool
    is_idle: Callable[[Any], bool] | None = None


_KINDS: dict[str, JobKind] = {}
_discovered = False


def job_kinds() -> dict[str, JobKind]:
    """All job kinds, after importing every app's `tasks` module."""
    global _discovered
    if not _discovered:
        autodiscover_modules("tasks")
        _discovered = True
    return _KINDS


@dataclass
class JobContext:
    """What a running job sees: its parameters, a progress reporter and the cancel flag.
    Progress is written at most every `write_interval` seconds so tight loops stay cheap: call
    it often (every file, every item), a call between writes costs a clock read. Each write
    is also the cancel check: one UPDATE that only succeeds while this attempt still runs
    and no cancel was asked (a compare-and-swap), else `JobCancelled` is raised. So a job
    that reports progress at least every second of work stops within a second of a cancel."""

    job: Job
    write_interval: float = 0.5
    _last_write: float = field(default=0.0, repr=False)

    @property
    def params(self) -> dict[str, Any]:
        return self.job.params or {}

    def progress(self, done: int, total: int | None = None, message: str | None = None, *,
                 force: bool = False) -> None:
        self.job.progress_done = done
        if total is not None:
            self.job.progress_total = total
        if message is not None:
            self.job.message = message[:500]
        now = time.monotonic()
        if not force and now - self._last_write < self.write_interval:
            return
        self._last_write = now
        _pause_for_tests(self.job.kind)
        written = self._this_attempt().filter(cancel_requested=False).update(
            progress_done=self.job.progress_done, progress_total=self.job.progress_total,
            message=self.job.message, updated_at=timezone.now(),
        )
        if not written:
            raise JobCancelled(f"job {self.job.pk} cancelled (or no longer running in this thread)")

    def check_cancelled(self) -> None:
        if not self._this_attempt().filter(cancel_requested=False).exists():
            raise JobCancelled(f"job {self.job.pk} cancelled (or no longer running in this thread)")

    def _this_attempt(self):
        return Job.objects.filter(pk=self.job.pk, state=JobState.RUNNING, attempts=self.job.attempts)


_pause_release = threading.Event()


def _pause_for_tests(kind: str) -> None:
    """Test hook, the stand-in for a thread blocked in the kernel (a read from a FIFO or a
    hung disk): with OMNI_TEST_PAUSE_JOB_KIND=<kind>, a progress write of such a job touches
    OMNI_TEST_PAUSE_MARKER and blocks until `release_paused_jobs()` (or the process dies).
    Nothing can interrupt the wait, as nothing interrupts a blocked system call."""
    if os.environ.get("OMNI_TEST_PAUSE_JOB_KIND") != kind:
        return
    marker = os.environ.get("OMNI_TEST_PAUSE_MARKER")
    if marker:
        Path(marker).write_text(str(os.getpid()))
    _pause_release.wait(timeout=3600)


def release_paused_jobs() -> None:
    """Let the jobs the test hook blocks go on (in-process tests); later ones block again."""
    global _pause_release
    _pause_release.set()
    _pause_release = threading.Event()


def _retries_exhausted(max_retries: int) -> bool:
    message = CurrentMessage.get_current_message()
    retries = message.options.get("retries", 0) if message is not None else max_retries
    return retries >= max_retries


def _claim(job_id: int) -> Job | None:
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.state in FINISHED_STATES:
        return None
    if job.cancel_requested:  # e.g. cancelled while its killed worker's message waited for redelivery
        end_job(job_id, JobState.CANCELLED, message="Cancelled before it started")
        return None
    claimed = (
        Job.objects.filter(pk=job_id, attempts=job.attempts)
        .exclude(state__in=FINISHED_STATES)
        .update(state=JobState.RUNNING, attempts=F("attempts") + 1, started_at=job.started_at or timezone.now(),
                progress_total=None, updated_at=timezone.now())  # each attempt reports its own total
    )
    if claimed != 1:
        return None
    job.refresh_from_db()
    return job


def _end_attempt(job: Job, state: str, **fields: Any) -> bool:
    """End the job this thread runs, unless it was ended meanwhile (abandoned by the watchdog)."""
    ended = end_job(job.pk, state, expect={"state": JobState.RUNNING, "attempts": job.attempts}, **fields)
    if not ended:
        logger.warning("Job %s had already ended (its thread was abandoned); its %s outcome is not recorded",
                       job.pk, state)
    return ended


def execute_job(job_id: int, fn: Callable[[JobContext], Any], *, max_retries: int,
                is_idle: Callable[[Any], bool] | None = None) -> None:
    job = _claim(job_id)
    if job is None:
        return
    with correlation(job.correlation_id or new_correlation_id()), watchdog.tracking(job):
        logger.info("Job %s (%s) started, attempt %s", job.pk, job.kind, job.attempts)
        ctx = JobContext(job)
        try:
            result = fn(ctx)
        except JobCancelled:
            if _end_attempt(job, JobState.CANCELLED, message="Cancelled", progress_done=ctx.job.progress_done):
                logger.info("Job %s cancelled", job.pk)
            return
        except BaseException as exc:  # a time limit (dramatiq's Interrupt) ends the attempt too
            _record_failure(job, exc, max_retries=max_retries)
            raise
        if _end_attempt(job, JobState.SUCCEEDED, result=result if result is not None else None,
                        progress_done=ctx.job.progress_total or ctx.job.progress_done,
                        message=ctx.job.message or "Done"):
            logger.info("Job %s succeeded", job.pk)
            if is_idle is not None and is_idle(result):
                fold_idle_run(job.pk)


def _record_failure(job: Job, exc: BaseException, *, max_retries: int) -> None:
    error = f"{type(exc).__name__}: {exc}"[:4000]
    if isinstance(exc, PERMANENT_ERRORS) or _retries_exhausted(max_retries):
        if _end_attempt(job, JobState.FAILED, last_error=error, message="Failed"):
            logger.error("Job %s failed: %s", job.pk, error)
    elif Job.objects.filter(pk=job.pk, state=JobState.RUNNING, attempts=job.attempts).update(
        state=JobState.QUEUED, last_error=error, message="Failed, will retry", updated_at=timezone.now()
    ):
        logger.warning("Job %s failed, will retry: %s", job.pk, error)


def job_actor(
    kind: str,
    *,
    title: str = "",
    queue_name: str = "default",
    max_retries: int = 3,
    time_limit_seconds: int = 3600,
    min_backoff_ms: int = 5_000,
    max_backoff_ms: int = 600_000,
    user_startable: bool = False,
    throws: tuple[type[Exception], ...] = (),
    is_idle: Callable[[Any], bool] | None = None,
) -> Callable[[Callable[[JobContext], Any]], dramatiq.Actor]:
    """Declare a job kind. The actor's only argument is the job's primary key. `is_idle(result)`
    marks a routine run that found nothing to do: a streak of them is one row (see
    `fold_idle_run`)."""

    def decorate(fn: Callable[[JobContext], Any]) -> dramatiq.Actor:
        def run(job_id: int) -> None:
            execute_job(job_id, fn, max_retries=max_retries, is_idle=is_idle)

        run.__name__ = fn.__name__
        run.__doc__ = fn.__doc__
        actor = dramatiq.actor(
            run,
            actor_name=kind,
            queue_name=f"{settings.QUEUE_PREFIX}{queue_name}",
            max_retries=max_retries,
            time_limit=time_limit_seconds * 1000,
            min_backoff=min_backoff_ms,
            max_backoff=max_backoff_ms,
            throws=(*PERMANENT_ERRORS, JobCancelled, *throws),
        )
        _KINDS[kind] = JobKind(kind, actor, title or kind, user_startable, is_idle)
        return actor

    return decorate
