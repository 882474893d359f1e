"""What the library remembers per user: recent searches (offered under the search box), books
opened lately (a small boost in their search ranking), the library page's sort, order, view,
filters and page size, and the interface theme, kept across sessions and devices. Saved
searches are smart shelves (reading.shelves)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone

from media.models import LibraryPreference, RecentlyOpened, SearchHistory

HISTORY_KEPT = 20
RECENT_KEPT = 50
# the library page's filter fields, kept as the user's preference (the search words are not)
FILTER_PARAMS = ("kind", "format", "language", "genre", "year_min", "year_max", "size_min_mb", "size_max_mb",
                 "has_cover", "has_series", "has_isbn", "has_description", "complete", "status", "missing_files")
VIEWS = ("grid", "table")
THEMES = ("auto", "light", "dark")
PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.pk)


def remember_search(user, params: QueryDict) -> None:
    """Keep this search (words and filters) as the user's newest; the oldest past HISTORY_KEPT go."""
    q = " ".join(params.get("q", "").split())[:500]
    kept = QueryDict(mutable=True)
    for key in ("q", *FILTER_PARAMS, "regex", "case_sensitive"):
        values = [v for v in params.getlist(key) if v]
        if values:
            kept.setlist(key, values)
    query = kept.urlencode()[:500]
    if not _signed_in(user) or not q:
        return
    now = timezone.now()
    if not SearchHistory.objects.filter(user=user, query=query).update(searched_at=now, q=q):
        try:
            with transaction.atomic():
                SearchHistory.objects.create(user=user, query=query, q=q, searched_at=now)
        except IntegrityError:  # the same search saved at the same moment by another request
            pass
    old = SearchHistory.objects.filter(user=user).order_by("-searched_at", "-pk").values_list("pk", flat=True)
    stale = list(old[HISTORY_KEPT:])
    if stale:
        SearchHistory.objects.filter(pk__in=stale).delete()


def history(user, limit: int = HISTORY_KEPT) -> list[SearchHistory]:
    if not _signed_in(user):
        return []
    return list(SearchHistory.objects.filter(user=user).order_by("-searched_at", "-pk")[:limit])


def clear_history(user) -> int:
    return SearchHistory.objects.filter(user=user).delete()[0] if _signed_in(user) else 0


def note_opened(user, item_id: int) -> None:
    """The user opened this book (its page or the reader)."""
    if not _signed_in(user):
        return
    now = timezone.now()
    if not RecentlyOpened.objects.filter(user=user, item_id=item_id).update(opened_at=now):
        try:
            with transaction.atomic():
                RecentlyOpened.objects.create(user=user, item_id=item_id, opened_at=now)
        except IntegrityError:
            pass
        old = RecentlyOpened.objects.filter(user=user).order_by("-opened_at", "-pk").values_list("pk", flat=True)
        stale = list(old[RECENT_KEPT:])
        if stale:
            RecentlyOpened.objects.filter(pk__in=stale).delete()


def recent_ids(user, limit: int = 20) -> tuple[int, ...]:
    if not _signed_in(user):
        return ()
    rows = RecentlyOpened.objects.filter(user=user).order_by("-opened_at", "-pk").values_list("item_id", flat=True)
    return tuple(rows[:limit])


@dataclass(frozen=True)
class Preferences:
    sort: str = ""
    order: str = ""
    view: str = ""
    filters: str = ""  # query string of the filter fields
    theme: str = ""  # "": never chosen (the browser's own choice stands)
    page_size: int = DEFAULT_PAGE_SIZE


def preferences(user) -> Preferences:
    if not _signed_in(user):
        return Preferences()
    row = LibraryPreference.objects.filter(user=user).first()
    if row is None:
        return Preferences()
    return Preferences(row.sort, row.order, row.view, row.filters, row.theme, row.page_size)


def for_request(request) -> Preferences:
    """The signed-in user's preferences, read once per request (the layout and the page both ask)."""
    cached = getattr(request, "_omni_preferences", None)
    if cached is None:
        cached = preferences(getattr(request, "user", None))
        request._omni_preferences = cached
    return cached


def save_preferences(user, *, sort: str | None = None, order: str | None = None, view: str | None = None,
                     filters: QueryDict | None = None, theme: str | None = None,
                     page_size: int | None = None) -> Preferences:
    """Change what is given (None: keep); values are checked by the caller (API schema or page)."""
    if not _signed_in(user):
        return Preferences()
    current = preferences(user)
    kept = current.filters
    if filters is not None:
        chosen = QueryDict(mutable=True)
        for key in FILTER_PARAMS:
            values = [v for v in filters.getlist(key) if v]
            if values:
                chosen.setlist(key, values)
        kept = chosen.urlencode()[:500]
    values = {
        "sort": current.sort if sort is None else sort,
        "order": current.order if order is None else order,
        "view": current.view if view is None else view,
        "filters": kept,
        "theme": current.theme if theme is None else theme,
        "page_size": current.page_size if page_size is None else page_size,
    }
    if values != current.__dict__:
        LibraryPreference.objects.update_or_create(user=user, defaults=values)
    return Preferences(**values)
