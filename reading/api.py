"""JSON API of a user's own reading: progress, statuses, shelves (smart shelves from a saved
library search), "continue reading" and the KOReader sync key. Everything is the caller's own
and goes through reading.visibility: a book the caller may not see answers 404 like a missing one.

Progress from several devices: the last write wins by server time (`updated_at` is set by the
server; a client's clock is never used)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Query, Router, Schema, Status
from pydantic import Field, Strict

from core.api.envelope import Envelope, Page, PageParams, ok
from core.api.types import Id
from core.errors import NotFound
from media.models import MediaItem
from reading import kosync, progress, shelves
from reading.visibility import visible_file, visible_item

router = Router(tags=["reading"])
StatusName = Literal["want", "reading", "read"]


def _item(request, item_id: int) -> MediaItem:
    item = visible_item(request.auth, item_id)
    if item is None:
        raise NotFound("No such book.")
    return item


class ProgressOut(Schema):
    item_id: int
    file_id: int | None = None
    status: str = ""
    locator: dict[str, Any] = Field(default_factory=dict)
    percent: float = 0
    device: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None
    updated_at: datetime | None = None


class ProgressIn(Schema):
    file_id: Id | None = Field(None, description="The file being read (one of this book's)")
    locator: dict[str, Any] = Field(
        ..., description='Where: {"cfi": ...}, {"page": 12}, {"seconds": 812.5}, {"xpointer": ...}'
    )
    percent: Annotated[float, Strict()] = Field(..., ge=0, le=100)
    device: str = Field("", max_length=100)
    status: StatusName | None = Field(None, description='Set it too ("read" = finished)')


class StatusIn(Schema):
    status: StatusName


@router.get("/progress/{int:item_id}", response=Envelope[ProgressOut], summary="Your position and status in a book")
def get_progress(request, item_id: Id):
    item = _item(request, item_id)
    return ok(progress.as_dict(item, progress.progress_for(request.auth, item)))


@router.put(
    "/progress/{int:item_id}",
    response=Envelope[ProgressOut],
    summary="Save your position (last write wins by server time; 100 % marks it read)",
)
def put_progress(request, item_id: Id, payload: ProgressIn):
    item = _item(request, item_id)
    library_file = None
    if payload.file_id is not None:
        library_file = visible_file(request.auth, payload.file_id)
        if library_file is None or library_file.item_id != item.pk:
            raise NotFound("No such file in this book.", hint="Send a file_id of this book or none.")
    row = progress.save_progress(
        request.auth,
        item,
        locator=payload.locator,
        percent=payload.percent,
        file=library_file,
        device=payload.device,
        status=payload.status,
    )
    return ok(progress.as_dict(item, row))


@router.put("/status/{int:item_id}", response=Envelope[ProgressOut], summary="Set want to read / reading / read")
def put_status(request, item_id: Id, payload: StatusIn):
    item = _item(request, item_id)
    return ok(progress.as_dict(item, progress.set_status(request.auth, item, payload.status)))


@router.delete("/status/{int:item_id}", response=Envelope[ProgressOut], summary="Clear your status for a book")
def delete_status(request, item_id: Id):
    item = _item(request, item_id)
    progress.clear_status(request.auth, item)
    return ok(progress.as_dict(item, progress.progress_for(request.auth, item)))


class ContinueOut(Schema):
    item_id: int
    title: str
    kind: str
    percent: float
    locator: dict[str, Any]
    file_id: int | None
    updated_at: datetime


@router.get("/continue", response=Envelope[list[ContinueOut]], summary="Books in progress, latest first")
def continue_reading(request, limit: int = Query(12, ge=1, le=100)):
    rows = progress.continue_reading(request.auth, limit)
    return ok(
        [
            {
                "item_id": r.item_id,
                "title": r.item.title,
                "kind": r.item.kind,
                "percent": r.percent,
                "locator": r.locator,
                "file_id": r.file_id,
                "updated_at": r.updated_at,
            }
            for r in rows
        ]
    )


# --- shelves ------------------------------------------------------------------------------------


class ShelfOut(Schema):
    id: int
    name: str
    query: str
    smart: bool
    count: int | None = Field(None, description="Books on a plain shelf; none for a smart shelf")
    created_at: datetime


class ShelfIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    query: str = Field(
        "",
        max_length=500,
        description="Smart shelf: a library search (the library page's "
        "query string, e.g. q=author:herbert&kind=ebook, or plain search words)",
    )


class ShelfPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    query: str | None = Field(None, max_length=500)


class ShelfItemIn(Schema):
    item_id: Id


class ShelfItemsIn(Schema):
    item_ids: list[Id] = Field(..., min_length=1, max_length=1_000)


class ShelfItemsOut(Schema):
    added: int = Field(description="Books put on the shelf now")
    already: int = Field(description="Books that were on it already")
    not_added: int = Field(description="Ids that are not books you may see")


class ShelfItemOut(Schema):
    id: int
    title: str
    kind: str
    year: int | None = None


def _shelf_out(shelf) -> dict:
    count = None if shelf.is_smart else shelf.entries.count()
    return {
        "id": shelf.pk,
        "name": shelf.name,
        "query": shelf.query,
        "smart": shelf.is_smart,
        "count": count,
        "created_at": shelf.created_at,
    }


@router.get("/shelves", response=Envelope[list[ShelfOut]], summary="Your shelves")
def list_shelves(request):
    return ok([_shelf_out(shelf) for shelf in shelves.user_shelves(request.auth)])


@router.post("/shelves", response={201: Envelope[ShelfOut]}, summary="Create a shelf (with a query: a smart shelf)")
def create_shelf(request, payload: ShelfIn):
    return Status(201, ok(_shelf_out(shelves.create_shelf(request.auth, payload.name, payload.query))))


@router.get("/shelves/{int:shelf_id}", response=Envelope[ShelfOut], summary="One of your shelves")
def get_shelf(request, shelf_id: Id):
    return ok(_shelf_out(shelves.user_shelf(request.auth, shelf_id)))


@router.patch("/shelves/{int:shelf_id}", response=Envelope[ShelfOut], summary="Rename a shelf or change its search")
def patch_shelf(request, shelf_id: Id, payload: ShelfPatch):
    shelf = shelves.user_shelf(request.auth, shelf_id)
    return ok(_shelf_out(shelves.update_shelf(shelf, name=payload.name, query=payload.query)))


@router.delete("/shelves/{int:shelf_id}", response=Envelope[None], summary="Delete a shelf (the books stay)")
def delete_shelf(request, shelf_id: Id):
    shelves.user_shelf(request.auth, shelf_id).delete()
    return ok(None)


@router.get(
    "/shelves/{int:shelf_id}/items",
    response=Envelope[Page[ShelfItemOut]],
    summary="A shelf's books (a smart shelf's are searched now)",
)
def shelf_items(request, shelf_id: Id, params: Query[PageParams]):
    shelf = shelves.user_shelf(request.auth, shelf_id)
    page = shelves.shelf_items(request.auth, shelf, page=params.page, page_size=params.page_size)
    return ok(
        {
            "items": [{"id": i.pk, "title": i.title, "kind": i.kind, "year": i.year} for i in page.items],
            "page": page.page,
            "page_size": page.page_size,
            "has_next": page.has_next,
        }
    )


@router.post(
    "/shelves/{int:shelf_id}/items",
    response={201: Envelope[ShelfItemOut], 200: Envelope[ShelfItemOut]},
    summary="Put a book on a shelf (200 when it was already there)",
)
def add_shelf_item(request, shelf_id: Id, payload: ShelfItemIn):
    shelf = shelves.user_shelf(request.auth, shelf_id)
    item = _item(request, payload.item_id)
    created = shelves.add_item(shelf, item)
    return Status(
        201 if created else 200, ok({"id": item.pk, "title": item.title, "kind": item.kind, "year": item.year})
    )


@router.post(
    "/shelves/{int:shelf_id}/items/bulk",
    response=Envelope[ShelfItemsOut],
    summary="Put many books on a shelf (the library's bulk action): only books you may see are added",
)
def add_shelf_items(request, shelf_id: Id, payload: ShelfItemsIn):
    shelf = shelves.user_shelf(request.auth, shelf_id)
    return ok(shelves.add_items(request.auth, shelf, payload.item_ids).__dict__)


@router.delete(
    "/shelves/{int:shelf_id}/items/{int:item_id}", response=Envelope[None], summary="Take a book off a shelf"
)
def remove_shelf_item(request, shelf_id: Id, item_id: Id):
    shelf = shelves.user_shelf(request.auth, shelf_id)
    _item(request, item_id)
    shelves.remove_item(shelf, item_id)
    return ok(None)


# --- KOReader sync key --------------------------------------------------------------------------


class KosyncKeyIn(Schema):
    key: str | None = Field(
        None,
        min_length=kosync.MIN_KEY_LENGTH,
        max_length=200,
        description="Your own key; leave out for a new random one",
    )


class KosyncKeyOut(Schema):
    username: str
    key: str = Field(..., description="Shown once: type it as the password in KOReader's Progress sync")


@router.post("/koreader-key", response=Envelope[KosyncKeyOut], summary="Set or regenerate your KOReader sync key")
def set_koreader_key(request, payload: KosyncKeyIn):
    return ok({"username": request.auth.get_username(), "key": kosync.set_key(request.auth, payload.key)})


@router.delete("/koreader-key", response=Envelope[None], summary="Remove your KOReader sync key (sync stops)")
def delete_koreader_key(request):
    kosync.remove_key(request.auth)
    return ok(None)
