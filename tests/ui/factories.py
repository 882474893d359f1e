"""Catalogue rows for UI and search tests, written through the ORM so the search index
signals run exactly as they do in the app."""

from __future__ import annotations

from decimal import Decimal
from itertools import count

from core.text import author_sort_name, fold, sort_title
from media.models import Author, Contribution, Identifier, ItemTag, LibraryFile, MediaItem, Series

_paths = count(1)


def author(name: str) -> Author:
    return Author.objects.filter(normalized=fold(name)).first() or Author.objects.create(
        name=name, sort_name=author_sort_name(name), normalized=fold(name)
    )


def make_item(
    title: str,
    *,
    authors=(),
    series: str | None = None,
    index=None,
    files=(),
    tags=(),
    identifiers=(),
    **fields,
) -> MediaItem:
    kind = fields.get("kind", "ebook")
    series_row = None
    if series:
        series_row = Series.objects.filter(normalized=fold(series)).first() or Series.objects.create(
            title=series, normalized=fold(series), kind=kind
        )
    item = MediaItem.objects.create(
        title=title,
        sort_title=sort_title(title),
        series=series_row,
        series_index=Decimal(str(index)) if index is not None else None,
        **fields,
    )
    for position, name in enumerate(authors):
        Contribution.objects.create(item=item, author=author(name), position=position)
    for fmt, size, *state in files:
        LibraryFile.objects.create(
            item=item,
            path=f"/library/{next(_paths)}/{title[:20]}.{fmt}",
            size=size,
            mtime_ns=1,
            format=fmt,
            state=state[0] if state else "present",
        )
    for name in tags:
        ItemTag.objects.create(item=item, name=name, normalized=fold(name))
    for scheme, value in identifiers:
        Identifier.objects.create(item=item, scheme=scheme, value=value)
    return item
