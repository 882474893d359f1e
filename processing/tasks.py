"""Background jobs of the import pipeline (thin: one service call each)."""

from __future__ import annotations

from core.jobs import JobContext, job_actor
from processing import services


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
    return services.import_from_params(ctx.params, progress=ctx.progress)
