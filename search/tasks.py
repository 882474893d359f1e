"""Background jobs of the metadata app: thin wrappers over one service call each."""

from __future__ import annotations

from django.utils.dateparse import parse_datetime

from core.jobs import JobContext, job_actor
from core.jobs.runs import register_run_settler
from search import services
from search.services import runs
from search.services.enrich import pending_item_ids
from search.services.scan_provenance import record_pending
from search.services.sources import rescore_source
from search.services.trust import scheduled_adjust

register_run_settler("enrichment runs", working_job_ids=runs.working_job_ids, settle=runs.settle_ended_runs)


@job_actor("search.enrich_items", title="Enrich metadata", max_retries=5, time_limit_seconds=6 * 3600,
           user_startable=True)
def enrich_items(ctx: JobContext) -> dict:
    ids = ctx.params.get("item_ids")
    if ctx.params.get("only_new"):
        ids = pending_item_ids()
    since = ctx.job.started_at if ctx.job.attempts > 1 else None  # a retry resumes where it stopped
    return services.enrich_items(ids, force=bool(ctx.params.get("force")), since=since or
                                 parse_datetime(ctx.params.get("since") or ""), progress=ctx.progress,
                                 job_id=ctx.job.pk)


@job_actor("search.record_scan_provenance", title="Record where scanned values came from", max_retries=3,
           time_limit_seconds=6 * 3600)
def record_scan_provenance(ctx: JobContext) -> dict:
    return record_pending(progress=ctx.progress)


@job_actor("search.rescore_source", title="Rescore books after a trust change", max_retries=3,
           time_limit_seconds=6 * 3600)
def rescore(ctx: JobContext) -> dict:
    return rescore_source(str(ctx.params["source"]), progress=ctx.progress)


@job_actor("search.adjust_trust", title="Adjust trust from measured accuracy", max_retries=2,
           time_limit_seconds=15 * 60, user_startable=True, is_idle=lambda result: not (result or {}).get("changed"))
def adjust_trust(ctx: JobContext) -> dict:
    return scheduled_adjust()
