"""Background jobs of the import pipeline (thin: one service call each)."""

from __future__ import annotations

from core.jobs import JobContext, job_actor
from core.jobs.runs import register_run_settler
from processing import services
from processing.renaming import journal, undo
from processing.renaming import services as rename_services

register_run_settler("import runs", working_job_ids=services.working_job_ids, settle=services.settle_ended_runs)
register_run_settler(
    "rename batches", working_job_ids=journal.working_job_ids, settle=journal.settle_ended_batches
)


@job_actor(
    "processing.import_download",
    title="Import download",
    queue_name="processing",
    max_retries=3,
    time_limit_seconds=3 * 3600,
    min_backoff_ms=30_000,
    max_backoff_ms=30 * 60_000,
    user_startable=True,
)
def import_download(ctx: JobContext) -> dict:
    """params: {"run_id"} | {"attempt_id"} | {"storage_path", "media_item_id"}."""
    return services.import_from_params(ctx.params, progress=ctx.progress, job_id=ctx.job.pk)



@job_actor("processing.rename_plan", title="Rename preview", max_retries=2, time_limit_seconds=3600)
def rename_plan(ctx: JobContext) -> dict:
    return rename_services.plan_batch(ctx.params["batch_id"], progress=ctx.progress)


@job_actor("processing.rename_execute", title="Rename files", max_retries=3, time_limit_seconds=6 * 3600)
def rename_execute(ctx: JobContext) -> dict:
    return journal.execute_batch(ctx.params["batch_id"], owner=f"job:{ctx.job.pk}", progress=ctx.progress)


@job_actor("processing.rename_revert", title="Revert renames", max_retries=3, time_limit_seconds=6 * 3600)
def rename_revert(ctx: JobContext) -> dict:
    return undo.revert_batch(
        ctx.params["batch_id"],
        item_id=ctx.params.get("item_id"),
        owner=f"job:{ctx.job.pk}",
        progress=ctx.progress,
    )


@job_actor(
    "processing.rename_recover",
    title="Recover interrupted renames",
    max_retries=1,
    time_limit_seconds=6 * 3600,
    user_startable=True,
)
def rename_recover(ctx: JobContext) -> dict:
    return {"batches": undo.recover_interrupted(rollback=bool(ctx.params.get("rollback")))}
