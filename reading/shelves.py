"""Each user's shelves (collections). A smart shelf keeps a library search instead of entries
(the library page's query string, e.g. `q=author:herbert&kind=ebook`) and its books are computed
when it is read, by the library's own search service. Every listing goes through visibility:
a shelf never shows a book its owner may not see, and a hidden book cannot be added."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.http import QueryDict

from core.errors import Conflict, InvalidInput, NotFound
from media.models import MediaItem
from media.search.engine import MAX_PAGE_SIZE, run
from media.views import library_query
from reading.models import Shelf, ShelfEntry
from reading.visibility import visible_items

SMART_SHELF_LIMIT = 1000  # a smart shelf lists at most the first 1,000 matches of its search


@dataclass(frozen=True)
class ShelfPage:
    items: list[MediaItem]
    page: int
    page_size: int
    has_next: bool


def user_shelves(user):
    return Shelf.objects.filter(user=user)


def user_shelf(user, shelf_id: int) -> Shelf:
    """The user's own shelf, else NotFound (another user's shelf does not exist for them)."""
    shelf = Shelf.objects.filter(user=user, pk=shelf_id).first()
    if shelf is None:
        raise NotFound("No such shelf.")
    return shelf


def clean_query(query: str) -> str:
    """A smart shelf's search as the library page would run it; refused when it has no usable part."""
    query = query.strip().lstrip("?")
    if not query:
        return ""
    if "=" not in query:  # plain search words
        params = QueryDict(mutable=True)
        params["q"] = query
        query = params.urlencode()
    _, errors = library_query(QueryDict(query))
    if errors:
        raise InvalidInput(" ".join(errors), hint="Copy the query from the library page's address.")
    return query[:500]


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("A shelf needs a name.")
    return name[:200]


def create_shelf(user, name: str, query: str = "") -> Shelf:
    try:
        with transaction.atomic():
            return Shelf.objects.create(user=user, name=_clean_name(name), query=clean_query(query))
    except IntegrityError as exc:
        raise Conflict(f"You already have a shelf named {name!r}.") from exc


def update_shelf(shelf: Shelf, *, name: str | None = None, query: str | None = None) -> Shelf:
    if name is not None:
        shelf.name = _clean_name(name)
    if query is not None:
        if shelf.entries.exists() and query.strip():
            raise Conflict(
                "This shelf has books; a smart shelf lists a search instead.", hint="Create a new smart shelf."
            )
        shelf.query = clean_query(query)
    try:
        with transaction.atomic():
            shelf.save()
    except IntegrityError as exc:
        raise Conflict(f"You already have a shelf named {shelf.name!r}.") from exc
    return shelf


def add_item(shelf: Shelf, item: MediaItem) -> bool:
    """True when added, False when it was already there."""
    if shelf.is_smart:
        raise Conflict("A smart shelf's books come from its search.", hint="Change the search instead.")
    _, created = ShelfEntry.objects.get_or_create(shelf=shelf, item=item)
    return created


@dataclass(frozen=True)
class ItemsAdded:
    added: int  # put on the shelf now
    already: int  # were on it
    not_added: int  # not books the user may see (unknown, or in a library hidden from them)


def add_items(user, shelf: Shelf, item_ids: list[int]) -> ItemsAdded:
    """Many books at once (the library's bulk action); only those `user` may see are added, the
    others are counted without saying why (a hidden library's book does not exist for them)."""
    if shelf.is_smart:
        raise Conflict("A smart shelf's books come from its search.", hint="Choose a plain shelf or make one.")
    asked = list(dict.fromkeys(item_ids))
    visible = set(visible_items(user).filter(pk__in=asked).values_list("pk", flat=True))
    there = set(ShelfEntry.objects.filter(shelf=shelf, item_id__in=visible).values_list("item_id", flat=True))
    new = [pk for pk in asked if pk in visible and pk not in there]
    ShelfEntry.objects.bulk_create([ShelfEntry(shelf=shelf, item_id=pk) for pk in new], ignore_conflicts=True)
    return ItemsAdded(added=len(new), already=len(there), not_added=len(asked) - len(visible))


def remove_item(shelf: Shelf, item_id: int) -> None:
    if not ShelfEntry.objects.filter(shelf=shelf, item_id=item_id).delete()[0]:
        raise NotFound("That book is not on this shelf.")


def shelves_holding(user, item: MediaItem) -> set[int]:
    return set(ShelfEntry.objects.filter(shelf__user=user, item=item).values_list("shelf_id", flat=True))


def shelf_items(user, shelf: Shelf, *, page: int = 1, page_size: int = 50) -> ShelfPage:
    start = (page - 1) * page_size
    if shelf.is_smart:
        ids = _smart_ids(user, shelf.query)[start : start + page_size + 1]
        by_id = MediaItem.objects.in_bulk(ids)
        rows = [by_id[i] for i in ids if i in by_id]
    else:
        entries = (
            ShelfEntry.objects.filter(shelf=shelf, item__in=visible_items(user).values("pk"))
            .select_related("item")
            .order_by("added_at", "pk")
        )
        rows = [entry.item for entry in entries[start : start + page_size + 1]]
    return ShelfPage(rows[:page_size], page, page_size, len(rows) > page_size)


def _smart_ids(user, query: str) -> list[int]:
    """The search's matches in its order (first SMART_SHELF_LIMIT), the ones the user may see."""
    parsed, _ = library_query(QueryDict(query))
    if not parsed.q and parsed.sort == "relevance":
        parsed.sort = "title"
    found: list[int] = []
    for number in range(1, SMART_SHELF_LIMIT // MAX_PAGE_SIZE + 1):
        parsed.page, parsed.page_size = number, MAX_PAGE_SIZE
        outcome = run(parsed.to_request())
        found += outcome.ids
        if not outcome.has_next:
            break
    visible = set(visible_items(user).filter(pk__in=found).values_list("pk", flat=True))
    return [pk for pk in found if pk in visible]
