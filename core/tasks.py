from __future__ import annotations

import time

from core.jobs import JobContext, job_actor, prune_finished_jobs
from core.models import Heartbeat


@job_actor("core.prune_jobs", title="Prune old jobs", max_retries=1, time_limit_seconds=600)
def prune_jobs(ctx: JobContext) -> dict:
    """Delete finished jobs older than the retention period and stale heartbeats."""
    from datetime import timedelta

    from django.utils import timezone

    deleted = prune_finished_jobs()
    Heartbeat.objects.filter(seen_at__lt=timezone.now() - timedelta(days=1)).delete()
    return {"deleted_jobs": deleted}


@job_actor("core.selftest", title="Self-test", max_retries=0, time_limit_seconds=600, user_startable=True)
def selftest(ctx: JobContext) -> dict:
    """A diagnostic job: counts to `steps`, sleeping `step_seconds` each, reporting progress.
    Proves that the queue, a worker and the progress display work end to end."""
    steps = max(1, min(int(ctx.params.get("steps", 5)), 10_000))
    pause = max(0.0, min(float(ctx.params.get("step_seconds", 0.2)), 10.0))
    for done in range(1, steps + 1):
        time.sleep(pause)
        ctx.progress(done, steps, f"Step {done} of {steps}", force=True)
    return {"steps": steps}
