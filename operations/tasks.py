"""Background jobs of the operations app (thin: one service call each)."""

from __future__ import annotations

from dataclasses import asdict

from core.jobs import JobContext, job_actor
from operations.backups.service import make_backup
from operations.integrity.services import run_check


@job_actor(
    "operations.backup",
    title="Back up the database",
    queue_name="default",
    max_retries=2,
    time_limit_seconds=6 * 3600,
    user_startable=True,
)
def backup(ctx: JobContext) -> dict:
    """params: {"reason": "scheduled" | "manual"} (default manual)."""
    info = make_backup(ctx.params.get("reason", "manual"), progress=ctx.progress)
    return {**asdict(info), "created_at": info.created_at.isoformat()}


@job_actor(
    "operations.integrity_check",
    title="Integrity check",
    queue_name="default",
    max_retries=1,
    time_limit_seconds=6 * 3600,
    user_startable=True,
)
def integrity_check(ctx: JobContext) -> dict:
    report = run_check(job_id=ctx.job.pk, progress=ctx.progress)
    return {"report_id": report.pk, "counts": report.counts}
