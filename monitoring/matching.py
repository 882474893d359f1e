"""Is a listed record a book the library already has? The identification rules, in their order:
the provider's id (or its Open Library work), then the ISBN-13; then independent facts agreeing
(`search.matching.recommend.agreement`: title AND authors AND series position or year); for a
followed series, the same position in that series with nothing against it. A title that merely
looks alike is never taken for the book: it goes to review with the candidates."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from core.text import comparison_key
from media.models import MediaItem, Work
from search.matching.distance import distance
from search.matching.recommend import AGREEING_TITLE, agreement
from search.providers.base import BookRecord
from search.services.identify import facts_for
from search.services.wanted import find_existing

MAX_CANDIDATES = 200  # library items of the author or series compared by their facts


@dataclass(frozen=True)
class LibraryMatch:
    item: MediaItem | None = None
    how: str = ""  # why it is the same book
    candidates: tuple[dict, ...] = ()  # ambiguous: items it may be, for the review queue

    @property
    def ambiguous(self) -> bool:
        return self.item is None and bool(self.candidates)


def match_record(record: BookRecord, kind: str, *, author_id: int | None = None,
                 series_id: int | None = None) -> LibraryMatch:
    item, how = find_existing(kind=kind, provider=record.provider, external_id=record.external_id,
                              isbn=record.isbn13)
    if item is not None:
        return LibraryMatch(item, "same provider record" if how == "provider_id" else "same ISBN-13")
    if record.provider == "openlibrary" and record.external_id.endswith("W"):
        work = Work.objects.filter(provider="openlibrary", external_id=record.external_id).first()
        owned = work.items.filter(kind=kind).order_by("pk").first() if work else None
        if owned is not None:
            return LibraryMatch(owned, "same Open Library work")
    return _by_facts(record, kind, author_id=author_id, series_id=series_id)


def _neighbours(kind: str, author_id: int | None, series_id: int | None):
    scope = Q()
    if author_id:
        scope |= Q(contributions__author_id=author_id)
    if series_id:
        scope |= Q(series_id=series_id)
    if not scope:
        return MediaItem.objects.none()
    return (MediaItem.objects.filter(scope, kind=kind).distinct().select_related("series")
            .prefetch_related("contributions__author").order_by("pk")[:MAX_CANDIDATES])


def _by_facts(record: BookRecord, kind: str, *, author_id: int | None, series_id: int | None) -> LibraryMatch:
    candidates = []
    for item in _neighbours(kind, author_id, series_id):
        d = distance(facts_for(item), record)
        agreed = agreement(d)
        if agreed:
            return LibraryMatch(item, agreed)
        same_position = series_id and item.series_id == series_id and _same_position(item, record)
        if same_position and not d.conflicts:
            return LibraryMatch(item, "same position in the followed series")
        title = d.penalty("title")
        if same_position or (title is not None and title <= AGREEING_TITLE) or _same_title(item, record):
            candidates.append({"item_id": item.pk, "title": item.title, "distance": d.total,
                               "why": "; ".join(d.explain())[:300] or "the titles agree; nothing else does"})
    return LibraryMatch(candidates=tuple(sorted(candidates, key=lambda c: c["distance"])[:5]))


def _same_position(item: MediaItem, record: BookRecord) -> bool:
    if record.issue_number and item.issue_number:
        return comparison_key(record.issue_number).lstrip("0") == comparison_key(item.issue_number).lstrip("0")
    if record.series_index is not None and item.series_index is not None:
        return float(item.series_index) == record.series_index
    return False


def _same_title(item: MediaItem, record: BookRecord) -> bool:
    return bool(record.title) and comparison_key(item.title) == comparison_key(record.title)
