"""Works: what the ebook, audiobook and comic editions of one book share. An item is linked
to a work only when its own identifiers name the provider's work (an Open Library work key,
from the record it was wanted or identified from, or from its file): a certain link. Titles
are never compared here, so two different books are never joined."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.urls import reverse

from media.models import ContributorRole, Identifier, MediaItem, Work

_OPENLIBRARY_WORK = re.compile(r"OL\d+W")
WORK_SCHEMES = ("openlibrary", "openlibrary_work")  # an edition names its work as openlibrary_work


def work_key(scheme: str, value: str) -> tuple[str, str] | None:
    """(provider, work id) when this identifier names a work, else None."""
    value = value.strip().upper()
    if scheme.lower() in WORK_SCHEMES and _OPENLIBRARY_WORK.fullmatch(value):
        return "openlibrary", value
    return None


def link_to_work(item: MediaItem) -> Work | None:
    """Link the item to the work its identifiers name. An item whose identifiers name two
    works is unlinked (which one is right is not certain); one naming none is left alone."""
    pairs = Identifier.objects.filter(item=item, scheme__in=WORK_SCHEMES).values_list("scheme", "value")
    keys = {key for scheme, value in pairs if (key := work_key(scheme, value))}
    if not keys:
        return item.work
    work = _work(*keys.pop(), title=item.title) if len(keys) == 1 else None
    if item.work_id != (work.pk if work else None):
        item.work = work
        item.save(update_fields=["work"])
    return work


def link_items(item_ids: Iterable[int]) -> None:
    for item in MediaItem.objects.filter(pk__in=set(item_ids)):
        link_to_work(item)


def _work(provider: str, external_id: str, *, title: str) -> Work:
    work, _ = Work.objects.get_or_create(provider=provider, external_id=external_id,
                                         defaults={"title": title[:500]})
    return work


def work_summary(item: MediaItem, *, hidden: Q | None = None) -> dict[str, Any] | None:
    """The item's work with its other editions (every kind), for the item page and API; the
    `hidden` ones (core.visibility) left out."""
    if item.work_id is None:
        return None
    work = item.work
    editions = work.items.all() if hidden is None else work.items.exclude(hidden)
    items = list(editions.prefetch_related("contributions__author").order_by("kind", "title", "id"))
    authors = [c.author.name for i in items for c in i.contributions.all() if c.role == ContributorRole.AUTHOR]
    return {
        "id": work.pk,
        "title": work.title,
        "provider": work.provider,
        "external_id": work.external_id,
        "authors": list(dict.fromkeys(authors)),
        "editions": [
            {"id": i.pk, "kind": i.kind, "kind_label": i.get_kind_display(), "title": i.title,
             "status": i.status, "status_label": i.get_status_display(), "url": reverse("book-detail", args=[i.pk])}
            for i in items if i.pk != item.pk
        ],
    }
