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
    is_idle=automation.monitor_was_idle,  # a streak of idle minutes is one row in Activity
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


@job_actor(
    "downloaders.check_downloads",
    title="Check a download client now (it notified a finished job)",
    max_retries=0,
    time_limit_seconds=120,
)
def check_downloads(ctx: JobContext) -> dict:
    config_id = ctx.params.get("config_id")
    return automation.check_downloads(
        int(config_id) if config_id else None,
        [int(i) for i in ctx.params.get("attempt_ids") or []],
        int(ctx.params.get("round") or 0),
    )


@job_actor(
    "downloaders.clean_up_client",
    title="Remove a finished job from the download client's history",
    max_retries=5,
    time_limit_seconds=120,
    min_backoff_ms=60_000,
)
def clean_up_client(ctx: JobContext) -> dict:
    return automation.clean_up_client(int(ctx.params["attempt_id"]), str(ctx.params.get("outcome") or "imported"))
