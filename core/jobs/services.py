from __future__ import annotations

import logging
from datetime import timedelta
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
