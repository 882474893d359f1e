"""The monitors' job: a thin wrapper over the check service."""

from __future__ import annotations

from core.jobs import JobContext, job_actor
from monitoring import check
from monitoring.models import MonitoredAuthor, MonitoredSeries


@job_actor("monitoring.check", title="Check followed authors and series", max_retries=2,
           time_limit_seconds=3 * 3600, user_startable=True)
def check_monitors(ctx: JobContext) -> dict:
    author_id, series_id = ctx.params.get("author_id"), ctx.params.get("series_id")
    if author_id or series_id:
        model, pk = (MonitoredAuthor, author_id) if author_id else (MonitoredSeries, series_id)
        monitor = model.objects.filter(pk=int(pk)).first()
        return check.check_monitor(monitor) if monitor is not None else {"skipped": "no longer followed"}
    return check.check_all(progress=ctx.progress)
