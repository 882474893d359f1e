"""The wanted list: add a book/audiobook/comic found in a provider. Each kind is its own
item (the ebook of an owned audiobook can be wanted); duplicates are refused per kind, by
provider + external id and by ISBN-13. An ISBN or ASIN sent with the request is validated
and kept even when the provider's record has none, so the indexers are asked for it.

A reader never learns from here that a library hidden from them holds a book: the status and
the duplicate check look only at the books they may see. A reader's request for a book that
exists only in a hidden library becomes an ordinary request (the answer is the same as for a
book nobody has); approving it is refused with the owned book named, so no second copy is
wanted: the admin gives the reader that library or denies the request."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from django.db import transaction
from django.db.models import Q

from core import events
from core import isbn as isbn_tools
from core.errors import Conflict, InvalidInput, NotFound
from core.events import EventType
from core.text import sort_title
from core.visibility import without_hidden
from media.models import Identifier, MediaItem, MediaKind, MediaStatus
from media.works import link_to_work
from search.providers.base import AuthorRef, BookRecord
from search.providers.registry import PROVIDERS
from search.services.candidates import record_candidates
from search.services.lookup import lookup_record

WANTED_SOURCE = "wanted_request"  # the data source of identifiers given with a wanted item
_ASIN = re.compile(r"[A-Z0-9]{10}")


@dataclass(frozen=True)
class WantedRequest:
    provider: str
    external_id: str
    kind: str = MediaKind.EBOOK
    title: str = ""  # used only when the provider cannot be asked right now
    authors: tuple[str, ...] = ()
    isbn13: str = ""  # ISBN-10 or -13, any spelling
    asin: str = ""
    year: int | None = None
    cover_url: str = ""


def given_identifiers(request: WantedRequest) -> dict[str, str]:
    """The request's ISBN (as ISBN-13) and ASIN, validated: {"isbn13": ..., "asin": ...}."""
    given = {}
    if request.isbn13.strip():
        isbn13 = isbn_tools.to_isbn13(request.isbn13)
        if isbn13 is None:
            raise InvalidInput(f"{request.isbn13!r} is not a valid ISBN-10 or ISBN-13",
                               hint="Check the digits: the last one is a check digit.")
        given["isbn13"] = isbn13
    if request.asin.strip():
        asin = request.asin.strip().upper()
        if not _ASIN.fullmatch(asin):
            raise InvalidInput(f"{request.asin!r} is not a valid ASIN", hint="An ASIN is 10 letters and digits.")
        given["asin"] = asin
    return given


_EVERYONE = object()  # `viewer` default: every item counts, whoever asks


def find_existing(*, kind: str = "", provider: str = "", external_id: str = "", isbn: str = "",
                  viewer=_EVERYONE, exclude_pk: int | None = None) -> tuple[MediaItem | None, str]:
    """The item of this kind (any kind when empty) with this provider record, else with this ISBN;
    only among the items `viewer` may see when a viewer is given."""
    items = (MediaItem.objects.filter(kind=kind) if kind else MediaItem.objects.all()).order_by("pk")
    if viewer is not _EVERYONE:
        items = without_hidden(items, viewer)
    if exclude_pk is not None:
        items = items.exclude(pk=exclude_pk)
    if provider and external_id:
        item = items.filter(identifiers__scheme=provider, identifiers__value=external_id).first()
        if item is not None:
            return item, "provider_id"
    isbn13 = isbn_tools.to_isbn13(isbn) if isbn else None
    if isbn13:
        item = items.filter(Q(isbn13=isbn13) | Q(identifiers__scheme="isbn13", identifiers__value=isbn13)).first()
        if item is not None:
            return item, "isbn"
    return None, ""


def media_status(*, kind: str = "", provider: str = "", external_id: str = "", isbn: str = "",
                 viewer) -> dict[str, Any]:
    """Whether a provider's record (provider and external_id) or an ISBN is wanted or owned, as
    `viewer` sees the library (a hidden library's book is not there); with neither, nothing matches."""
    item, matched_by = find_existing(kind=kind, provider=provider, external_id=external_id, isbn=isbn,
                                     viewer=viewer)
    if item is None:
        return {"exists": False, "item_id": None, "kind": None, "status": None, "title": None, "matched_by": None}
    return {"exists": True, "item_id": item.pk, "kind": item.kind, "status": item.status, "title": item.title,
            "matched_by": matched_by}


def _fallback_record(request: WantedRequest, given: dict[str, str]) -> BookRecord:
    if not request.title.strip():
        # State, not shape: the provider did not give the record (down, or no such id) right now.
        raise Conflict("The provider could not be asked for this record; give at least the title to add it anyway")
    return BookRecord(provider=request.provider, external_id=request.external_id, title=request.title.strip(),
                      kind=request.kind, authors=tuple(AuthorRef(a) for a in request.authors if a.strip()),
                      isbn13=given.get("isbn13", ""), year=request.year, cover_url=request.cover_url,
                      confidence=0.6)


def add_wanted(request: WantedRequest, *, user=None, as_request: bool = False) -> MediaItem:
    """A wanted item; `as_request` (a reader's) makes it a request that stays out of the automatic
    search until an admin approves it, and never credits the requester's words to the provider."""
    if request.provider not in PROVIDERS:
        raise InvalidInput(f"Unknown provider {request.provider!r}")
    if request.kind not in MediaKind.values:
        raise InvalidInput(f"Unknown media kind {request.kind!r}")
    given = given_identifiers(request)
    _refuse_duplicate(request, given.get("isbn13", ""), user=user, as_request=as_request)
    record, _ = lookup_record(request.provider, request.external_id)
    source = request.provider
    if record is None:
        record = _fallback_record(request, given)
        source = WANTED_SOURCE if as_request else request.provider
    return _create(request, record, given, user, source=source, as_request=as_request)


def add_wanted_record(record: BookRecord, kind: str) -> MediaItem:
    """A wanted item straight from a record a provider listed (a monitored author's new book): the
    same duplicate checks and the same item as `add_wanted`, without asking the provider again."""
    if record.provider not in PROVIDERS:
        raise InvalidInput(f"Unknown provider {record.provider!r}")
    if kind not in MediaKind.values:
        raise InvalidInput(f"Unknown media kind {kind!r}")
    request = WantedRequest(provider=record.provider, external_id=record.external_id, kind=kind, title=record.title)
    _refuse_duplicate(request, record.isbn13)
    return _create(request, replace(record, kind=kind), {}, None, source=record.provider, as_request=False)


def add_wanted_by_hand(request: WantedRequest, *, user=None, as_request: bool = False) -> MediaItem:
    """A wanted item typed in by hand (title, authors, optional ISBN), for when no metadata
    provider can be asked: the same checks and the same item as a provider's record, its
    words credited to the 'wanted_request' source (a provider can improve them later)."""
    if request.provider or request.external_id:
        raise InvalidInput("A wanted item added by hand has no provider record")
    if request.kind not in MediaKind.values:
        raise InvalidInput(f"Unknown media kind {request.kind!r}")
    if not request.title.strip():
        raise InvalidInput("Enter the title of the book", details={"field": "title"})
    given = given_identifiers(request)
    _refuse_duplicate(request, given.get("isbn13", ""), user=user, as_request=as_request)
    return _create(request, _fallback_record(request, given), given, user, source=WANTED_SOURCE,
                   as_request=as_request)


def _refuse_duplicate(request: WantedRequest, isbn: str, *, user=None, as_request: bool = False) -> None:
    """Conflict when the asker may see an item with this record or ISBN. A requester's duplicate
    that lies only in libraries hidden from them is let through as a request (approving it is
    refused, see approve_request): refusing would tell them the hidden library holds it."""
    viewer = user if as_request else _EVERYONE
    item, matched_by = find_existing(kind=request.kind, provider=request.provider,
                                     external_id=request.external_id, isbn=isbn, viewer=viewer)
    if item is not None:
        _conflict(item, matched_by)


def _conflict(item: MediaItem, matched_by: str) -> None:
    how = "this provider record" if matched_by == "provider_id" else "this ISBN"
    raise Conflict(f"The {item.get_kind_display().lower()} '{item.title}' (#{item.pk}, "
                   f"{item.get_status_display()}) already has {how}",
                   details={"item_id": item.pk, "kind": item.kind, "matched_by": matched_by})


@transaction.atomic
def _create(request: WantedRequest, record: BookRecord, given: dict[str, str], user, *, source: str,
            as_request: bool) -> MediaItem:
    for isbn in dict.fromkeys((given.get("isbn13", ""), record.isbn13)):
        _refuse_duplicate(request, isbn, user=user, as_request=as_request)
    item = MediaItem.objects.create(kind=request.kind, title=record.title[:500],
                                    status=MediaStatus.REQUESTED if as_request else MediaStatus.WANTED,
                                    requested_by=user if as_request else None,
                                    sort_title=sort_title(record.title)[:500])
    record_id = ((request.provider, request.external_id[:128]),) if request.provider else ()  # none by hand
    for scheme, value in (*record_id, *given.items()):
        Identifier.objects.get_or_create(item=item, scheme=scheme, value=value)
    values = record.as_values()
    if request.provider:
        values.setdefault("identifiers", {})[request.provider] = request.external_id
    record_candidates(item, source, values, record.confidence, external_id=request.external_id, user=user)
    if "isbn13" in given:
        record_candidates(item, WANTED_SOURCE, {"isbn13": given["isbn13"]}, 1.0, user=user)
    link_to_work(item)
    if not as_request:
        announce_wanted(item)
    return item


def announce_wanted(item: MediaItem) -> None:
    authors = ", ".join(item.contributions.values_list("author__name", flat=True)[:5])
    events.emit(EventType.BOOK_WANTED, title=f"Wanted: {item.title}", message=f"by {authors}" if authors else "",
                url=f"/library/{item.pk}/", data={"item_id": item.pk, "media_kind": item.kind, "authors": authors})


def requested_items():
    """Readers' requests waiting for an admin, oldest first."""
    return (MediaItem.objects.filter(status=MediaStatus.REQUESTED).select_related("requested_by")
            .prefetch_related("contributions__author").order_by("added_at", "pk"))


def approve_request(item_id: int) -> MediaItem:
    """A request becomes a wanted item: the schedule searches and grabs it from now on. Refused
    while another item has its provider record or ISBN (a book in a library the requester may
    not see): wanting it again would fetch a second copy."""
    _refuse_owned_copy(item_id)
    _claim_request(item_id, MediaStatus.WANTED)
    item = MediaItem.objects.get(pk=item_id)
    announce_wanted(item)
    return item


def _refuse_owned_copy(item_id: int) -> None:
    request = MediaItem.objects.filter(pk=item_id, status=MediaStatus.REQUESTED).first()
    if request is None:
        return  # _claim_request says why
    records = request.identifiers.filter(scheme__in=list(PROVIDERS)).values_list("scheme", "value")
    isbns = {request.isbn13, *request.identifiers.filter(scheme="isbn13").values_list("value", flat=True)} - {""}
    for provider, external_id, isbn in [*((p, e, "") for p, e in records), *(("", "", i) for i in isbns)]:
        item, matched_by = find_existing(kind=request.kind, provider=provider, external_id=external_id,
                                         isbn=isbn, exclude_pk=request.pk)
        if item is not None:
            raise Conflict(f"'{item.title}' (#{item.pk}) is already in the library with this "
                           f"{'provider record' if matched_by == 'provider_id' else 'ISBN'}",
                           hint="Give the reader access to its library (Users) or deny the request.",
                           details={"item_id": item.pk, "kind": item.kind, "matched_by": matched_by})


def deny_request(item_id: int) -> None:
    """A denied request is forgotten (it has no files)."""
    with transaction.atomic():
        _claim_request(item_id, MediaStatus.REQUESTED)
        MediaItem.objects.filter(pk=item_id, status=MediaStatus.REQUESTED).delete()


def _claim_request(item_id: int, new_status: str) -> None:
    if MediaItem.objects.filter(pk=item_id, status=MediaStatus.REQUESTED).update(status=new_status) == 1:
        return
    item = MediaItem.objects.filter(pk=item_id).first()
    if item is None:
        raise NotFound(f"No item #{item_id}")
    raise Conflict(f"'{item.title}' (#{item.pk}) is not a request waiting for approval "
                   f"(it is {item.get_status_display().lower()})")
