"""Thin job actors: send one delivery, evaluate the health checks, sweep lost deliveries."""

from __future__ import annotations

from core.jobs import JobContext, job_actor
from notifications import services
from notifications.health import service as health


@job_actor("notifications.deliver", title="Send a notification", max_retries=0, time_limit_seconds=120)
def deliver(ctx: JobContext) -> dict:
    """One try; a failure worth retrying queues the next try itself, after the backoff."""
    outcome = services.deliver(int(ctx.params["delivery_id"]))
    if outcome is None:
        return {"skipped": "already sent, being sent, or gone"}
    return {"delivery_id": outcome.delivery_id, "state": outcome.state, "status": outcome.status,
            "retry_in": outcome.retry_in}


@job_actor("notifications.check_health", title="Check health", max_retries=0, time_limit_seconds=120,
           user_startable=True)
def check_health(ctx: JobContext) -> dict:
    return health.evaluate()


@job_actor("notifications.sweep", title="Queue notifications whose job was lost", max_retries=0,
           time_limit_seconds=120)
def sweep(ctx: JobContext) -> dict:
    return services.sweep()
