"""What the book page shows (templates/search/book_detail.html): the book as a reader sees it
(cover, title, authors, series with its neighbours, description, details, formats,
identifiers, where each value came from) and, for admins, the provenance form of Edit mode.

Only values that exist are listed: an empty field is left out, never shown as a dash, and no
internal value (a stored cover's path, a raw number of seconds) is printed."""

from __future__ import annotations

from typing import Any

from django.conf.locale import LANG_INFO
from django.db.models import F

from core.visibility import hidden_items, without_hidden
from media.detail import detail_of, load_item
from media.identifiers import shown_identifier
from media.models import ContributorRole, FileState, MediaItem
from search.models import ReviewItem, ReviewStatus
from search.selectors import detail_fields, display_value, item_metadata
from search.services.series import inherited_genres

OTHER_CANDIDATES_SHOWN = 4


def book_page(item: MediaItem, user, *, can_edit: bool, editing: bool) -> dict[str, Any]:
    """The template's context: the reading view for everyone, the edit form's rows for admins."""
    item = load_item(item.pk)  # authors, identifiers, tags and files in one query each
    detail = detail_of(item, hidden=hidden_items(user))  # other editions: only those the user may see
    meta = item_metadata(item)
    for change in meta["history"]:
        change["when"] = change["created_at"][:16].replace("T", " ")
        change["old_display"] = display_value(change["field"], change["old_value"])
        change["new_display"] = display_value(change["field"], change["new_value"])
    rows = detail_fields(item, meta)
    files = item.files.all()
    return {
        "item": item,
        "detail": detail,
        "fields": [row for row in rows if row["field"] != "cover"],  # the cover panel shows it as images
        "history": meta["history"],
        "review": ReviewItem.objects.filter(item=item, status=ReviewStatus.PENDING).first(),
        "can_edit": can_edit,
        "editing": editing and can_edit,
        "can_read": any(f.state == FileState.PRESENT for f in files),
        "formats": sorted({f.format.upper() for f in files if f.state == FileState.PRESENT and f.format}),
        "provenance": {row["field"]: provenance(row) for row in rows if row["source"]},
        "authors": [c for c in item.contributions.all() if c.role == ContributorRole.AUTHOR],
        "facts": facts(item, {row["field"]: row for row in rows}),
        "neighbours": series_neighbours(item, user),
        "identifiers": identifiers(item),
    }


def provenance(row: dict[str, Any]) -> dict[str, Any]:
    """Where a field's value came from: the winning source, its confidence, whether it is locked,
    and a few of the other sources' values."""
    others = [
        {"source": c["source_label"], "value": c["display"]}
        for c in row["candidates"]
        if c["source"] != row["source"] and c["display"]
    ]
    return {
        "source": row["source_label"],
        "confidence": row["confidence"],
        "locked": row["locked"],
        "manual": row["source"] == "manual",
        "others": others[:OTHER_CANDIDATES_SHOWN],
        "more": max(0, len(others) - OTHER_CANDIDATES_SHOWN),
    }


def duration_text(seconds: float | None) -> str:
    """'10 h 5 min', '45 min', '30 s'."""
    if not seconds:
        return ""
    total = round(seconds)
    hours, minutes = divmod(total // 60, 60)
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else f"{total} s"


def language_name(code: str) -> str:
    info = LANG_INFO.get((code or "").lower()) or LANG_INFO.get((code or "").split("-")[0].lower())
    return info["name"] if info and "name" in info else code


def _names(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value if v)
    return str(value or "")


def facts(item: MediaItem, rows: dict[str, dict]) -> list[dict[str, Any]]:
    """The Details list: label, text and the field whose provenance explains it; empty ones left out."""
    narrators = [c.author.name for c in item.contributions.all() if c.role == ContributorRole.NARRATOR]
    published = item.published or (str(item.year) if item.year else "")
    shown = [
        ("publisher", "Publisher", item.publisher),
        ("published" if item.published else "year", "Published", published),
        ("language", "Language", language_name(item.language) if item.language else ""),
        ("page_count", "Pages", f"{item.page_count:,}" if item.page_count else ""),
        ("duration_seconds", "Length", duration_text(item.duration_seconds)),
        ("narrators", "Narrated by", ", ".join(narrators)),
        ("issue_number", "Issue", item.issue_number),
        ("volume", "Volume", item.volume),
        ("subjects", "Subjects", _names((rows.get("subjects") or {}).get("value"))),
        ("genres", "Genres", _names((rows.get("genres") or {}).get("value"))),
        ("", "Genres (from the series)", "" if _names((rows.get("genres") or {}).get("value"))
         else ", ".join(inherited_genres(item))),  # shown, never written into the book
        ("", "Tags", ", ".join(t.name for t in item.tags.all())),
        ("", "Rating", f"{item.rating / 2:g} of 5" if item.rating else ""),
    ]
    return [
        {
            "field": field,
            "label": label,
            "text": text,
            "prov": provenance(rows[field]) if field in rows and rows[field]["source"] else None,
        }
        for field, label, text in shown
        if text
    ]


def _series_books(item: MediaItem, user):
    books = without_hidden(MediaItem.objects.filter(series_id=item.series_id), user)  # no hidden title
    return books.order_by(F("series_index").asc(nulls_last=True), "sort_title", "pk")


def series_neighbours(item: MediaItem, user) -> dict[str, Any] | None:
    """The books before and after this one in its series (by number, then title)."""
    if not item.series_id:
        return None
    order = list(_series_books(item, user).values_list("pk", flat=True))
    at = order.index(item.pk)
    around = {pk: None for pk in (order[at - 1] if at else None, order[at + 1] if at + 1 < len(order) else None) if pk}
    for book in MediaItem.objects.filter(pk__in=list(around)):
        around[book.pk] = book
    return {
        "series": item.series,
        "index": None if item.series_index is None else f"{item.series_index.normalize():f}",
        "count": len(order),
        "previous": around.get(order[at - 1]) if at else None,
        "next": around.get(order[at + 1]) if at + 1 < len(order) else None,
    }


def identifiers(item: MediaItem) -> list[Any]:
    pairs = [(i.scheme, i.value) for i in item.identifiers.all()]
    if item.isbn13 and ("isbn13", item.isbn13) not in pairs:
        pairs.insert(0, ("isbn13", item.isbn13))
    seen, shown = set(), []
    for scheme, value in pairs:
        ident = shown_identifier(scheme, value)
        if ident.value and (ident.scheme, ident.value) not in seen:
            seen.add((ident.scheme, ident.value))
            shown.append(ident)
    return shown
