"""Turn a page of ids into display rows (one query per relation, order kept) for the JSON
API, the library page and exports."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Prefetch
from django.urls import reverse

from media.models import Contribution, MediaItem
from media.search.engine import SearchOutcome
from media.search.highlight import highlight

EXPORT_FIELDS = (
    "id",
    "kind",
    "status",
    "title",
    "subtitle",
    "authors",
    "series",
    "series_index",
    "year",
    "language",
    "publisher",
    "isbn13",
    "formats",
    "size",
    "added_at",
)


def hydrate(ids: Sequence[int]) -> list[MediaItem]:
    items = (
        MediaItem.objects.filter(pk__in=list(ids))
        .select_related("series", "search_doc")
        .prefetch_related(
            Prefetch(
                "contributions", queryset=Contribution.objects.select_related("author").order_by("position")
            )
        )
    )
    by_id = {item.pk: item for item in items}
    return [by_id[i] for i in ids if i in by_id]


def _series_index(item: MediaItem) -> str:
    if item.series_index is None:
        return ""
    return f"{item.series_index:f}".rstrip("0").rstrip(".")


def cover_url(item: MediaItem) -> str | None:
    return f"{reverse('cover-thumb', args=[item.pk])}?v={item.cover_version}" if item.cover_path else None


def row(item: MediaItem, words: Sequence[tuple[str, bool]] = ()) -> dict[str, Any]:
    authors = [c.author.name for c in item.contributions.all()]
    doc = getattr(item, "search_doc", None)
    series = item.series.title if item.series_id else ""
    result = {
        "id": item.pk,
        "kind": item.kind,
        "status": item.status,
        "title": item.title,
        "subtitle": item.subtitle,
        "authors": authors,
        "series": series or None,
        "series_index": _series_index(item) or None,
        "year": item.year,
        "language": item.language,
        "publisher": item.publisher,
        "isbn13": item.isbn13,
        "formats": doc.formats.split() if doc and doc.formats else [],
        "size": doc.total_size if doc else 0,
        "completeness": doc.completeness if doc else 0,
        "cover_url": cover_url(item),
        "url": reverse("book-detail", args=[item.pk]),
        "added_at": item.added_at,
    }
    if words:
        result["highlights"] = {
            "title": highlight(item.title, words),
            "authors": highlight(", ".join(authors), words),
            "series": highlight(series, words) if series else "",
        }
    return result


def rows(outcome: SearchOutcome) -> list[dict[str, Any]]:
    words = outcome.highlight_words
    return [row(item, words) for item in hydrate(outcome.ids)]


def export_row(data: dict[str, Any]) -> dict[str, Any]:
    flat = {key: data.get(key) for key in EXPORT_FIELDS}
    flat["authors"] = "; ".join(data["authors"])
    flat["formats"] = " ".join(data["formats"])
    flat["added_at"] = data["added_at"].isoformat()
    return flat
