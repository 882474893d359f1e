from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import metrics
from core.errors import Conflict, InvalidInput, ServiceUnavailable
from core.logging import current_correlation_id, new_correlation_id
from core.models import FINISHED_STATES, Job, JobState

logger = logging.getLogger(__name__)


def submit_job(kind: str, *, target: str = "", params: dict[str, Any] | None = None, user=None,
               delay_seconds: float | None = None) -> Job:
    """Record a job and put it on the queue. The row is committed before the message is
    sent; if the broker is unreachable the job is marked failed with a clear reason and
    `ServiceUnavailable` is raised, so the caller can tell the user. Nothing is lost."""
    from core.jobs.actors import job_kinds

    job_kind = job_kinds().get(kind)
    if job_kind is None:
        raise InvalidInput(f"Unknown job kind {kind!r}")
    correlation = current_correlation_id()
    job = Job.objects.create(
        kind=kind, target=target[:255], params=params or {}, created_by=user if getattr(user, "pk", None) else None,
        correlation_id=new_correlation_id() if correlation == "-" else correlation,
    )

    def send() -> None:
        _send(job, job_kind.actor, delay_seconds)

    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(send)
    else:
        send()
    return job


def _send(job: Job, actor, delay_seconds: float | None) -> None:
    delay = int(delay_seconds * 1000) if delay_seconds else None
    try:
        message = actor.send_with_options(args=(job.pk,), delay=delay)
    except Exception as exc:
        reason = f"The task queue is unreachable ({type(exc).__name__}: {exc})"
        end_job(job.pk, JobState.FAILED, last_error=reason, message="Not queued")
        logger.error("Job %s could not be queued: %s", job.pk, reason)
        raise ServiceUnavailable(
            f"Job #{job.pk} could not be queued: the task queue is unreachable.",
            hint="Check that RabbitMQ (OMNI_BROKER_URL) is running, then retry the job.",
            details={"job_id": job.pk},
        ) from exc
    Job.objects.filter(pk=job.pk).update(message_id=message.message_id)
    job.message_id = message.message_id


def end_job(job_id: int, state: str, *, expect: dict[str, Any] | None = None, **fields: Any) -> bool:
    """The one way a job ends: a compare-and-swap from an unfinished state (and `expect`,
    e.g. the running attempt, so a thread that was abandoned cannot end its job again),
    then its run records that are still working are ended with it. True if this call
    ended the job."""
    from core.jobs.runs import settle_runs

    now = timezone.now()
    with transaction.atomic():  # nobody sees the job ended and its runs still working
        ended = (
            Job.objects.filter(pk=job_id, **(expect or {}))
            .exclude(state__in=FINISHED_STATES)
            .update(state=state, finished_at=now, updated_at=now, **fields)
        )
        if ended:
            _observe_duration(job_id, state, now)
            try:
                with transaction.atomic():
                    settle_runs([job_id])
            except Exception:  # the job ends anyway; its runs are settled again at the next worker start
                logger.exception("Run records of job %s could not be settled", job_id)
    return bool(ended)


IDLE_RUNS = "idle_runs"  # in a folded job's result: how many idle runs the row stands for


def fold_idle_run(job_id: int) -> None:
    """A routine job that found nothing to do (the download monitor every minute) takes the
    place of the idle run of the same kind and target just before it: a streak of idle runs is
    one row in Activity, "Nothing to do · 58 runs since 10:02", and the table does not grow by
    1,440 rows a day. A run that did something breaks the streak and stays a row of its own."""
    job = Job.objects.filter(pk=job_id, state=JobState.SUCCEEDED).first()
    if job is None:
        return
    before = (
        Job.objects.filter(kind=job.kind, target=job.target, created_at__lte=job.created_at)
        .exclude(pk=job.pk).order_by("-created_at", "-id").first()
    )
    runs, since = 1, job.started_at or job.created_at
    with transaction.atomic():
        if before is not None and before.state == JobState.SUCCEEDED and _idle_runs(before):
            runs += _idle_runs(before)
            since = _since(before) or since
            before.delete()
        result = {**(job.result if isinstance(job.result, dict) else {}), IDLE_RUNS: runs,
                  "idle_since": since.isoformat()}
        local = timezone.localtime(since)
        message = f"Nothing to do · {runs} runs since {local:%H:%M}" if runs > 1 else "Nothing to do"
        Job.objects.filter(pk=job.pk).update(result=result, message=message)


def _idle_runs(job: Job) -> int:
    return int(job.result.get(IDLE_RUNS, 0)) if isinstance(job.result, dict) else 0


def _since(job: Job) -> datetime | None:
    try:
        return datetime.fromisoformat(job.result["idle_since"])
    except (KeyError, TypeError, ValueError):
        return None


def _observe_duration(job_id: int, state: str, ended_at) -> None:
    job = Job.objects.filter(pk=job_id).values("kind", "started_at", "created_at").first()
    if job is not None:
        metrics.job_ended(job["kind"], state, (ended_at - (job["started_at"] or job["created_at"])).total_seconds())


def cancel_job(job_id: int) -> Job:
    """Ask a job to stop. A queued job is cancelled at once; a running one stops at its
    next progress report (within a second of work), or is abandoned by its worker's
    watchdog after JOB_CANCEL_GRACE_SECONDS (see core.jobs.watchdog)."""
    job = Job.objects.get(pk=job_id)
    if job.state in FINISHED_STATES:
        raise Conflict(f"Job #{job.pk} already {job.state}")
    Job.objects.filter(pk=job.pk).update(cancel_requested=True, updated_at=timezone.now())
    end_job(job.pk, JobState.CANCELLED, expect={"state": JobState.QUEUED}, message="Cancelled")
    job.refresh_from_db()
    return job


def retry_job(job_id: int, *, user=None) -> Job:
    """Start a failed or cancelled job again as a new job with the same parameters."""
    job = Job.objects.get(pk=job_id)
    if job.state not in (JobState.FAILED, JobState.CANCELLED):
        raise Conflict(f"Only failed or cancelled jobs can be retried; #{job.pk} is {job.state}")
    return submit_job(job.kind, target=job.target, params=job.params, user=user)


def prune_finished_jobs(*, older_than_days: int | None = None) -> int:
    days = older_than_days if older_than_days is not None else settings.JOB_RETENTION_DAYS
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = Job.objects.filter(state__in=FINISHED_STATES, finished_at__lt=cutoff).delete()
    return deleted
