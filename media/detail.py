"""Everything the book detail page and `GET /api/library/items/<id>` show about one item."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from core.errors import NotFound
from media.models import Contribution, MediaItem
from media.search.results import cover_url
from media.services import EDITABLE_FIELDS, current_value

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
    "issue_number": "Issue",
    "volume": "Volume",
    "description": "Description",
}


def load_item(item_id: int) -> MediaItem:
    item = (
        MediaItem.objects.select_related("series")
        .prefetch_related(
            Prefetch("contributions", queryset=Contribution.objects.select_related("author")),
            "identifiers",
            "tags",
            "files",
            "edits__user",
        )
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise NotFound(f"Item {item_id} does not exist")
    return item


def item_detail(item_id: int) -> dict[str, Any]:
    item = load_item(item_id)
    fields = []
    for name in FIELD_LABELS:
        value = current_value(item, name)
        fields.append(
            {
                "name": name,
                "label": FIELD_LABELS[name],
                "value": value,
                "locked": name in item.locked_fields,
                "editable": name in EDITABLE_FIELDS,
                "multiline": name == "description",
                "list": isinstance(value, list),
            }
        )
    return {
        "id": item.pk,
        "kind": item.kind,
        "status": item.status,
        "status_label": item.get_status_display(),
        "title": item.title,
        "cover_url": cover_url(item),
        "fields": fields,
        "locked_fields": list(item.locked_fields),
        "contributors": [{"name": c.author.name, "role": c.role} for c in item.contributions.all()],
        "identifiers": [{"scheme": i.scheme, "value": i.value} for i in item.identifiers.all()],
        "files": [
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
        ],
        "history": [
            {
                "id": e.id,
                "field": e.field,
                "old": e.old_value,
                "new": e.new_value,
                "locked": e.locked,
                "user": e.user.get_username() if e.user else None,
                "at": e.created_at,
                "reverted": e.reverted_at is not None,
            }
            for e in item.edits.all()[:50]
        ],
        "added_at": item.added_at,
        "updated_at": item.updated_at,
    }
