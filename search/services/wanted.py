"""The wanted list: add a book/audiobook/comic found in a provider, refusing duplicates
by provider + external id and by ISBN-13."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q

from core import isbn as isbn_tools
from core.errors import Conflict, InvalidInput
from core.text import sort_title
from media.models import Identifier, MediaItem, MediaKind, MediaStatus
from search.providers.base import AuthorRef, BookRecord
from search.providers.registry import PROVIDERS
from search.services.candidates import record_candidates
from search.services.lookup import lookup_record


@dataclass(frozen=True)
class WantedRequest:
    provider: str
    external_id: str
    kind: str = MediaKind.EBOOK
    title: str = ""  # used only when the provider cannot be asked right now
    authors: tuple[str, ...] = ()
    isbn13: str = ""
    year: int | None = None
    cover_url: str = ""


def find_existing(*, provider: str = "", external_id: str = "", isbn: str = "") -> tuple[MediaItem | None, str]:
    if provider and external_id:
        ident = Identifier.objects.select_related("item").filter(scheme=provider, value=external_id).first()
        if ident is not None:
            return ident.item, "provider_id"
    isbn13 = isbn_tools.to_isbn13(isbn) if isbn else None
    if isbn13:
        item = MediaItem.objects.filter(Q(isbn13=isbn13) | Q(identifiers__scheme="isbn13",
                                                             identifiers__value=isbn13)).first()
        if item is not None:
            return item, "isbn"
    return None, ""


def media_status(*, provider: str = "", external_id: str = "", isbn: str = "") -> dict[str, Any]:
    if not (provider and external_id) and not isbn:
        raise InvalidInput("Give provider and external_id, or an ISBN")
    item, matched_by = find_existing(provider=provider, external_id=external_id, isbn=isbn)
    if item is None:
        return {"exists": False, "item_id": None, "status": None, "title": None, "matched_by": None}
    return {"exists": True, "item_id": item.pk, "status": item.status, "title": item.title, "matched_by": matched_by}


def _fallback_record(request: WantedRequest) -> BookRecord:
    if not request.title.strip():
        raise InvalidInput("The provider could not be asked; give at least the title to add it anyway")
    isbn13 = isbn_tools.to_isbn13(request.isbn13) or "" if request.isbn13 else ""
    return BookRecord(provider=request.provider, external_id=request.external_id, title=request.title.strip(),
                      kind=request.kind, authors=tuple(AuthorRef(a) for a in request.authors if a.strip()),
                      isbn13=isbn13, year=request.year, cover_url=request.cover_url, confidence=0.6)


def add_wanted(request: WantedRequest, *, user=None) -> MediaItem:
    if request.provider not in PROVIDERS:
        raise InvalidInput(f"Unknown provider {request.provider!r}")
    if request.kind not in MediaKind.values:
        raise InvalidInput(f"Unknown media kind {request.kind!r}")
    _refuse_duplicate(request.provider, request.external_id, request.isbn13)
    record, _ = lookup_record(request.provider, request.external_id)
    record = record or _fallback_record(request)
    return _create(request, record, user)


def _refuse_duplicate(provider: str, external_id: str, isbn: str) -> None:
    item, matched_by = find_existing(provider=provider, external_id=external_id, isbn=isbn)
    if item is not None:
        how = "this provider record" if matched_by == "provider_id" else "this ISBN"
        raise Conflict(f"'{item.title}' (#{item.pk}, {item.get_status_display()}) already has {how}",
                       details={"item_id": item.pk, "matched_by": matched_by})


@transaction.atomic
def _create(request: WantedRequest, record: BookRecord, user) -> MediaItem:
    _refuse_duplicate(request.provider, request.external_id, record.isbn13)
    item = MediaItem.objects.create(kind=request.kind, status=MediaStatus.WANTED, title=record.title[:500],
                                    sort_title=sort_title(record.title)[:500])
    Identifier.objects.create(item=item, scheme=request.provider, value=request.external_id[:128])
    values = record.as_values()
    values.setdefault("identifiers", {})[request.provider] = request.external_id
    record_candidates(item, request.provider, values, record.confidence, external_id=request.external_id, user=user)
    return item
