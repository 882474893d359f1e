"""Scanning jobs: thin wrappers, one service call each."""

from __future__ import annotations

from core.jobs import JobContext, job_actor
from core.jobs.runs import register_run_settler
from media import scanned_values
from scanning.services import jobs as scan_jobs
from scanning.services import scan
from scanning.services.scan import scan_folder as run_scan

register_run_settler("scan runs", working_job_ids=scan.working_job_ids, settle=scan.settle_ended_runs)


@job_actor("scanning.scan_folder", title="Scan library folder", max_retries=5, time_limit_seconds=24 * 3600)
def scan_folder(ctx: JobContext) -> dict:
    """Import new files, skip unchanged ones, follow moves, mark missing ones. A retry resumes."""
    result = run_scan(int(ctx.params["folder_id"]), progress=ctx.progress, job_id=ctx.job.pk)
    if result.get("covers_queued"):
        scan_jobs.queue_covers()
    scanned_values.scan_finished()  # e.g. the job that records where each scanned value came from
    return result


@job_actor("scanning.rescan_due", title="Start due library rescans", max_retries=1, time_limit_seconds=600)
def rescan_due(ctx: JobContext) -> dict:
    return scan_jobs.start_due_scans()


@job_actor(
    "scanning.make_thumbnails", title="Store covers and thumbnails", max_retries=3, time_limit_seconds=6 * 3600
)
def make_thumbnails(ctx: JobContext) -> dict:
    return scan_jobs.make_thumbnails(progress=ctx.progress)
