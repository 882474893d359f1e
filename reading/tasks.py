"""Background jobs of reading (thin: one service call each)."""

from __future__ import annotations

from core.jobs import JobContext, job_actor
from reading import conversions, sending
from reading.conversions import JOB_KIND


@job_actor(JOB_KIND, title="Convert for download", queue_name="default", max_retries=1, time_limit_seconds=1800)
def convert_for_download(ctx: JobContext) -> dict:
    """params: {"file_id", "target"}."""

    def report(percent: int, message: str) -> None:
        ctx.progress(percent, 100, f"Converting: {message}"[:200])

    return conversions.convert_into_cache(ctx.params["file_id"], ctx.params["target"], progress=report)


@job_actor(sending.JOB_KIND, title="Send to e-reader", queue_name="default", max_retries=3, time_limit_seconds=1800,
           min_backoff_ms=30_000)
def send_to_device(ctx: JobContext) -> dict:
    """params: {"file_id", "device_id"}. An unreachable mail server is retried; the rest is not."""

    def report(percent: int, message: str) -> None:
        ctx.progress(min(percent, 99), 100, message[:200])

    result = sending.send_book(ctx.params["file_id"], ctx.params["device_id"], progress=report)
    ctx.progress(100, 100, f"Sent to {result['device']}" if "device" in result else result["skipped"], force=True)
    return result
