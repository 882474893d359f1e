"""Background jobs of reading (thin: one service call each)."""

from __future__ import annotations

from core.jobs import JobContext, job_actor
from reading import conversions
from reading.conversions import JOB_KIND


@job_actor(JOB_KIND, title="Convert for download", queue_name="default", max_retries=1, time_limit_seconds=1800)
def convert_for_download(ctx: JobContext) -> dict:
    """params: {"file_id", "target"}."""

    def report(percent: int, message: str) -> None:
        ctx.progress(percent, 100, f"Converting: {message}"[:200])

    return conversions.convert_into_cache(ctx.params["file_id"], ctx.params["target"], progress=report)
