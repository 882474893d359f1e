"""Thin job actors over `downloaders.automation`; each is idempotent."""

from __future__ import annotations

from core.jobs import JobContext, job_actor
from downloaders import automation


@job_actor(
    "downloaders.search_wanted",
    title="Search wanted items",
    max_retries=1,
    time_limit_seconds=600,
    user_startable=True,
)
def search_wanted(ctx: JobContext) -> dict:
    return automation.search_wanted(progress=ctx.progress)


@job_actor(
    "downloaders.search_item",
    title="Search and grab",
    max_retries=3,
    time_limit_seconds=900,
    queue_name="default",
    min_backoff_ms=60_000,
)
def search_item(ctx: JobContext) -> dict:
    return automation.search_and_grab(
        int(ctx.params["item_id"]), automatic=bool(ctx.params.get("automatic", True))
    )


@job_actor(
    "downloaders.monitor_downloads",
    title="Monitor downloads",
    max_retries=0,
    time_limit_seconds=300,
    user_startable=True,
)
def monitor_downloads(ctx: JobContext) -> dict:
    return automation.monitor_downloads(progress=ctx.progress)


@job_actor(
    "downloaders.retry_item",
    title="Retry download with the next release",
    max_retries=3,
    time_limit_seconds=900,
    min_backoff_ms=60_000,
)
def retry_item(ctx: JobContext) -> dict:
    return automation.retry_item(int(ctx.params["item_id"]))
