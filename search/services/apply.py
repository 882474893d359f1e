"""Writing a resolved value onto the catalogue (MediaItem columns, contributions, series,
identifiers). Fields without a column (subjects, genres, cover) live in ResolvedField."""

from __future__ import annotations

from typing import Any

from core import isbn as isbn_tools
from core.text import sort_title
from media.covers import cover_file
from media.models import Contribution, ContributorRole, Identifier, MediaItem
from media.works import link_to_work
from search.services.catalogue import get_or_create_author, get_or_create_series, to_index

TEXT_COLUMNS = {"subtitle": 500, "description": 100_000, "publisher": 255, "published": 32, "language": 8,
                "issue_number": 16, "volume": 16}
INT_COLUMNS = ("year", "page_count", "duration_seconds")


def current_value(item: MediaItem, field: str) -> Any:
    """What the catalogue holds now, in the candidate value format (for the history)."""
    if field == "title":
        return item.title
    if field in TEXT_COLUMNS or field in INT_COLUMNS or field == "isbn13":
        return getattr(item, field) or None
    if field == "series":
        if not item.series_id:
            return None
        value = {"name": item.series.title, "index": _float(item.series_index)}
        return value | ({"chrono": _float(item.series_chrono_index)} if item.series_chrono_index is not None else {})
    if field in ("authors", "narrators"):
        role = ContributorRole.AUTHOR if field == "authors" else ContributorRole.NARRATOR
        return [c.author.name for c in item.contributions.filter(role=role).select_related("author")] or None
    if field == "cover":
        return item.cover_path or None
    return None


def apply_value(item: MediaItem, field: str, value: Any) -> None:
    if field == "title" and value:
        item.title = str(value)[:500]
        item.sort_title = sort_title(item.title)[:500]
    elif field in TEXT_COLUMNS:
        setattr(item, field, str(value or "")[: TEXT_COLUMNS[field]])
    elif field in INT_COLUMNS:
        setattr(item, field, _int(value))
    elif field == "isbn13":
        item.isbn13 = isbn_tools.to_isbn13(str(value or "")) or ""
    elif field == "series":
        _apply_series(item, value)
    elif field in ("authors", "narrators"):
        _apply_people(item, value or [], ContributorRole.AUTHOR if field == "authors" else ContributorRole.NARRATOR)
        return
    elif field == "identifiers":
        for scheme, raw in (value or {}).items():
            if scheme and raw:
                Identifier.objects.get_or_create(item=item, scheme=str(scheme)[:32], value=str(raw)[:128])
        link_to_work(item)
        return
    elif field == "cover" and isinstance(value, str) and "://" not in value and cover_file(value) is not None:
        item.cover_path = value  # a stored cover file (chosen by a person); provider URLs stay candidates
    else:
        return  # subjects, genres, cover URLs: kept in ResolvedField only
    item.save()


def _int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 <= number < 2**31 else None


def _float(value: Any) -> float | None:
    return float(value) if value is not None else None


def _apply_series(item: MediaItem, value: Any) -> None:
    """A value without "chrono" (a source's) keeps the chronological position the book has
    in the same series; another series clears it."""
    if not isinstance(value, dict) or not value.get("name"):
        item.series, item.series_index, item.series_chrono_index = None, None, None
        return
    series = get_or_create_series(str(value["name"]), item.kind, item=item)
    if series.pk != item.series_id or "chrono" in value:
        item.series_chrono_index = to_index(value["chrono"]) if value.get("chrono") is not None else None
    item.series = series
    item.series_index = to_index(value.get("index")) if value.get("index") is not None else None


def _apply_people(item: MediaItem, names: list[str], role: str) -> None:
    Contribution.objects.filter(item=item, role=role).delete()
    seen = set()
    for position, name in enumerate(names):
        author = get_or_create_author(str(name))
        if author.pk in seen:
            continue
        seen.add(author.pk)
        Contribution.objects.create(item=item, author=author, role=role, position=position)
