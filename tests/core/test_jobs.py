"""Jobs on the stub broker with a real Dramatiq worker: lifecycle, retries, cancel, prune."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import ConfigurationError, Conflict, ServiceUnavailable
from core.jobs import JobContext, cancel_job, job_actor, prune_finished_jobs, retry_job, submit_job
from core.logging import correlation
from core.models import Job, JobState
from tests.conftest import run_queued_jobs

pytestmark = pytest.mark.django_db(transaction=True)

_gate = threading.Event()
_calls: list[int] = []


@job_actor("tests.flaky", max_retries=2, min_backoff_ms=10, max_backoff_ms=20)
def flaky(ctx: JobContext) -> dict:
    _calls.append(ctx.job.attempts)
    if ctx.job.attempts < 2:
        raise ServiceUnavailable("indexer down")
    return {"attempt": ctx.job.attempts}


@job_actor("tests.always_fails", max_retries=1, min_backoff_ms=10, max_backoff_ms=20)
def always_fails(ctx: JobContext) -> None:
    raise ServiceUnavailable("still down")


@job_actor("tests.misconfigured", max_retries=5, min_backoff_ms=10)
def misconfigured(ctx: JobContext) -> None:
    raise ConfigurationError("no API key")


@job_actor("tests.waits", max_retries=0)
def waits(ctx: JobContext) -> None:
    for step in range(1, 1000):
        ctx.progress(step, 1000, force=True)
        _gate.wait(0.02)


@job_actor("tests.sends_follow_up", queue_name="tests-first", max_retries=0)
def sends_follow_up(ctx: JobContext) -> None:
    submit_job("tests.follow_up")


@job_actor("tests.follow_up", queue_name="tests-second", max_retries=0)
def follow_up(ctx: JobContext) -> None:
    return None


def _run(broker, worker, kind, **params) -> Job:
    job = submit_job(kind, params=params)
    run_queued_jobs(broker, worker, fail_fast=False)
    job.refresh_from_db()
    return job


def test_waiting_for_jobs_covers_messages_still_on_the_broker_and_their_follow_ups(broker, worker):
    """A paused worker stands in for a consumer thread that has not yet taken the message off
    the broker's queue: the wait once joined one queue (not always the job's) and then the
    worker, which had nothing yet, and a rename job was still queued after it (1 run in 60)."""
    worker.pause()
    job = submit_job("tests.sends_follow_up")
    threading.Timer(0.3, worker.resume).start()
    run_queued_jobs(broker, worker)
    assert Job.objects.get(pk=job.pk).state == JobState.SUCCEEDED
    assert Job.objects.get(kind="tests.follow_up").state == JobState.SUCCEEDED


def test_selftest_job_runs_and_records_progress_and_result(broker, worker):
    job = _run(broker, worker, "core.selftest", steps=3, step_seconds=0)
    assert job.state == JobState.SUCCEEDED
    assert (job.progress_done, job.progress_total) == (3, 3)
    assert job.result == {"steps": 3}
    assert job.attempts == 1
    assert job.started_at <= job.finished_at


def test_transient_failure_is_retried_until_success(broker, worker):
    _calls.clear()
    job = _run(broker, worker, "tests.flaky")
    assert job.state == JobState.SUCCEEDED
    assert _calls == [1, 2]
    assert job.last_error.startswith("ServiceUnavailable: indexer down")


def test_exhausted_retries_leave_job_failed_with_last_error(broker, worker):
    job = _run(broker, worker, "tests.always_fails")
    assert job.state == JobState.FAILED
    assert job.attempts == 2
    assert "still down" in job.last_error


def test_permanent_error_is_not_retried(broker, worker):
    job = _run(broker, worker, "tests.misconfigured")
    assert job.state == JobState.FAILED
    assert job.attempts == 1
    assert "no API key" in job.last_error


def test_queued_job_cancelled_before_start_never_runs(broker):
    job = submit_job("core.selftest", params={"steps": 2})
    cancel_job(job.pk)
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED
    from core.jobs.actors import execute_job

    execute_job(job.pk, lambda ctx: pytest.fail("must not run"), max_retries=0)


def test_running_job_stops_at_next_progress_after_cancel(broker, worker):
    job = submit_job("tests.waits")
    deadline = timezone.now() + timedelta(seconds=10)
    while Job.objects.get(pk=job.pk).progress_done < 3:
        assert timezone.now() < deadline, "job never started"
    cancel_job(job.pk)
    run_queued_jobs(broker, worker, fail_fast=False)
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED
    assert 3 <= job.progress_done < 1000


def test_cancel_of_finished_job_is_a_conflict(broker, worker):
    job = _run(broker, worker, "core.selftest", steps=1, step_seconds=0)
    with pytest.raises(Conflict):
        cancel_job(job.pk)


def test_retry_creates_a_new_job_with_same_parameters(broker, worker):
    failed = _run(broker, worker, "tests.misconfigured")
    again = retry_job(failed.pk)
    assert again.pk != failed.pk and again.kind == failed.kind and again.params == failed.params


def test_job_inherits_the_request_correlation_id(broker):
    with correlation("req-123"):
        job = submit_job("core.selftest")
    assert job.correlation_id == "req-123"


def test_eta_is_estimated_from_progress_rate(db):
    job = Job.objects.create(kind="x", state=JobState.RUNNING, progress_done=25, progress_total=100,
                             started_at=timezone.now() - timedelta(seconds=10))
    assert job.percent == 25.0
    assert 29 <= job.eta_seconds <= 31


def test_prune_deletes_only_old_finished_jobs(db):
    old = timezone.now() - timedelta(days=30)
    Job.objects.create(kind="x", state=JobState.SUCCEEDED, finished_at=old)
    Job.objects.create(kind="x", state=JobState.FAILED, finished_at=timezone.now())
    Job.objects.create(kind="x", state=JobState.RUNNING)
    assert prune_finished_jobs(older_than_days=14) == 1
    assert Job.objects.count() == 2


def test_broker_failure_marks_job_failed_and_tells_the_user(broker, monkeypatch):
    from core.jobs import job_kinds

    actor = job_kinds()["core.selftest"].actor

    def refuse(*args, **kwargs):
        raise ConnectionError("connection refused")

    monkeypatch.setattr(actor, "send_with_options", refuse)
    existing = Job.objects.create(kind="core.selftest", state=JobState.SUCCEEDED)
    with pytest.raises(ServiceUnavailable, match="could not be queued") as info:
        submit_job("core.selftest")
    job = Job.objects.exclude(pk=existing.pk).get()
    assert job.state == JobState.FAILED and "unreachable" in job.last_error
    assert info.value.details == {"job_id": job.pk}
    assert Job.objects.filter(pk=existing.pk, state=JobState.SUCCEEDED).exists()
