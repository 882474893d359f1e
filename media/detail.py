"""What `GET /api/library/items/<id>` shows about one item: the catalogue's current values,
files, contributors and identifiers. (Where each value came from, locks and the history
of changes are the metadata app's: `GET /api/media/<id>/metadata`.)"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q

from core.errors import NotFound
from media.models import Contribution, ContributorRole, MediaItem
from media.search.results import cover_url
from media.works import work_summary

FIELD_LABELS = {
    "title": "Title",
    "subtitle": "Subtitle",
    "authors": "Authors",
    "series": "Series",
    "series_index": "Number in series",
    "year": "Year",
    "published": "Published",
    "publisher": "Publisher",
    "language": "Language",
    "isbn13": "ISBN-13",
    "tags": "Tags",
    "rating": "Rating (of 10)",
    "issue_number": "Issue",
    "volume": "Volume",
    "description": "Description",
}


def load_item(item_id: int, *, hidden: Q | None = None) -> MediaItem:
    """The item with what its page shows; NotFound when it does not exist or is `hidden` (a
    core.visibility rule: a book in a library the viewer may not see does not exist for them)."""
    items = MediaItem.objects.all() if hidden is None else MediaItem.objects.exclude(hidden)
    item = (
        items.select_related("series", "work")
        .prefetch_related(
            Prefetch("contributions", queryset=Contribution.objects.select_related("author")),
            "identifiers",
            "tags",
            "files",
        )
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise NotFound(f"Item {item_id} does not exist")
    return item


def current_value(item: MediaItem, field: str) -> Any:
    if field == "authors":
        return [c.author.name for c in item.contributions.all() if c.role == ContributorRole.AUTHOR]
    if field == "tags":
        return [t.name for t in item.tags.all()]
    if field == "series":
        return item.series.title if item.series_id else ""
    if field == "series_index":
        return None if item.series_index is None else str(item.series_index)
    return getattr(item, field)


def item_files(item: MediaItem) -> list[dict[str, Any]]:
    return [
        {
            "id": f.pk,
            "path": f.path,
            "folder": f.path.rsplit("/", 1)[0],
            "format": f.format,
            "size": f.size,
            "state": f.state,
            "error": f.error,
        }
        for f in item.files.all()
    ]


def item_detail(item_id: int, *, hidden: Q | None = None) -> dict[str, Any]:
    return detail_of(load_item(item_id, hidden=hidden), hidden=hidden)


def detail_of(item: MediaItem, *, hidden: Q | None = None) -> dict[str, Any]:
    """`item_detail` of an item loaded by `load_item` (its relations prefetched); `hidden`: the
    viewer's hidden items (core.visibility), left out of the other editions."""
    return {
        "id": item.pk,
        "kind": item.kind,
        "status": item.status,
        "status_label": item.get_status_display(),
        "title": item.title,
        "cover_url": cover_url(item),
        "fields": [
            {"name": name, "label": label, "value": current_value(item, name)} for name, label in FIELD_LABELS.items()
        ],
        "contributors": [{"name": c.author.name, "role": c.role} for c in item.contributions.all()],
        "identifiers": [{"scheme": i.scheme, "value": i.value} for i in item.identifiers.all()],
        "files": item_files(item),
        "work": work_summary(item, hidden=hidden),
        "metadata_url": f"/api/media/{item.pk}/metadata",
        "added_at": item.added_at,
        "updated_at": item.updated_at,
    }
