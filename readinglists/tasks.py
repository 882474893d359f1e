"""Background job of reading lists (thin: one service call)."""

from __future__ import annotations

from core.errors import InvalidInput, NotFound
from core.jobs import JobContext, job_actor
from readinglists import services
from readinglists.services import JOB_KIND


@job_actor(JOB_KIND, title="Import a reading list", queue_name="default", max_retries=2,
           time_limit_seconds=6 * 3600, throws=(InvalidInput, NotFound))
def import_reading_list(ctx: JobContext) -> dict:
    """params: {"import_id"}. A retry goes on where the rows already have entries (no duplicates)."""
    return services.run_import(int(ctx.params["import_id"]), progress=lambda done, total, text: ctx.progress(
        done, total, text))
