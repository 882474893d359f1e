from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from media.models import Contribution, MediaItem, MediaStatus


def items_for_listing(*, kind: str | None = None, statuses: tuple[str, ...] | None = None) -> QuerySet[MediaItem]:
    items = MediaItem.objects.select_related("series").prefetch_related(
        Prefetch("contributions", queryset=Contribution.objects.select_related("author"))
    )
    if kind:
        items = items.filter(kind=kind)
    if statuses:
        items = items.filter(status__in=statuses)
    return items


ACQUISITION_STATUSES = (
    MediaStatus.WANTED, MediaStatus.SEARCHING, MediaStatus.DOWNLOADING, MediaStatus.DOWNLOADED,
    MediaStatus.POST_PROCESSED_FAILED,
)
