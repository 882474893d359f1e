"""Background enrichment: identify new or changed items, resumable and rate limited
(each provider call goes through the provider's limiter, cache and breaker)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from django.db.models import Q

from core.errors import OmniError, ServiceUnavailable
from media.models import MediaItem
from search.services.identify import identify_item
from search.services.runs import finish_run, start_run

logger = logging.getLogger(__name__)
Progress = Callable[..., None]


def items_to_enrich(item_ids: list[int] | None, *, force: bool, since: datetime | None):
    items = MediaItem.objects.all() if item_ids is None else MediaItem.objects.filter(pk__in=item_ids)
    if not force:
        items = items.exclude(enrichment__outcome__in=("applied", "accepted", "kept"))
    if since is not None:  # resume: skip what this job already did before a retry
        items = items.exclude(Q(enrichment__last_run_at__gte=since) & ~Q(enrichment__outcome="provider_error"))
    return items.order_by("pk")


def enrich_items(item_ids: list[int] | None = None, *, force: bool = False, since: datetime | None = None,
                 progress: Progress | None = None, job_id: int | None = None) -> dict:
    """Identify the items; what is applied automatically belongs to one enrichment run (undoable)."""
    ids = list(items_to_enrich(item_ids, force=force, since=since).values_list("pk", flat=True))
    counts = {"applied": 0, "review": 0, "failed": 0, "total": len(ids)}
    run = start_run(job_id=job_id)
    transient = 0
    for done, item_id in enumerate(ids):
        if progress:
            progress(done, len(ids), f"Identifying item #{item_id}")
        try:
            outcome = identify_item(item_id, run=run)
        except ServiceUnavailable as exc:
            transient += 1
            counts["failed"] += 1
            logger.warning("Enrichment of item #%s postponed: %s", item_id, exc)
            continue
        except OmniError as exc:
            counts["failed"] += 1
            logger.warning("Enrichment of item #%s failed: %s", item_id, exc)
            continue
        counts["applied" if outcome.applied else "review"] += 1
    finish_run(run, counts)
    if progress:
        progress(len(ids), len(ids), f"{counts['applied']} applied, {counts['review']} to review, "
                                     f"{counts['failed']} failed", force=True)
    if transient and transient == len(ids):
        raise ServiceUnavailable(f"No provider answered for {transient} item(s); will retry")
    return counts


def pending_item_ids(limit: int = 500) -> list[int]:
    """New items never enriched, and items whose last attempt hit a provider error."""
    query = Q(enrichment__isnull=True) | Q(enrichment__outcome="provider_error")
    return list(MediaItem.objects.filter(query).order_by("pk").values_list("pk", flat=True)[:limit])


def queue_enrichment(item_ids: list[int], *, force: bool = False, user=None):
    """Start a background job identifying these items (used after scans and imports)."""
    from core.jobs import submit_job

    ids = sorted({int(i) for i in item_ids})
    target = f"item:{ids[0]}" if len(ids) == 1 else f"items:{len(ids)}"
    return submit_job("search.enrich_items", target=target, params={"item_ids": ids, "force": force}, user=user)
