from __future__ import annotations

from core.jobs import JobContext, job_actor


@job_actor(
    "media.rebuild_search_index",
    title="Rebuild library search index",
    max_retries=1,
    time_limit_seconds=3 * 3600,
    user_startable=True,
)
def rebuild_search_index(ctx: JobContext) -> dict:
    """Rebuild the search rows, sort keys and vocabulary of every item (same as the
    `rebuild_search_index` management command)."""
    from media import search_index

    return {"indexed": search_index.rebuild_all(progress=ctx.progress)}
