"""JSON API of reading: a user's place in a book (progress), for the web readers, the player and
other devices. Books of libraries the user may not see answer 404 (reading.visibility).

(R4 wrote the two progress operations to the issue-19 contract; R3 owns this module.)"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404
from ninja import Router, Schema
from pydantic import Field

from core.api.envelope import Envelope, ok
from reading import progress as progress_service
from reading.models import ReadingStatus
from reading.visibility import visible_file, visible_item

router = Router(tags=["reading"])


class ProgressOut(Schema):
    item_id: int
    file_id: int | None
    status: str
    locator: dict[str, Any]
    percent: float
    device: str
    updated_at: datetime | None


class ProgressIn(Schema):
    file_id: int | None = None
    locator: dict[str, Any] = Field(description='Where to resume: {"cfi": ...}, {"page": 12}, {"seconds": 812.5}')
    percent: float = Field(ge=0, le=100)
    device: str = Field("", max_length=100)
    status: ReadingStatus | None = None


def _item_or_404(request, item_id: int):
    item = visible_item(request.user, item_id)
    if item is None:
        raise Http404("No such book")
    return item


@router.get("/progress/{item_id}", response=Envelope[ProgressOut])
def get_progress(request, item_id: int):
    item = _item_or_404(request, item_id)
    return ok(progress_service.as_dict(item, progress_service.progress_for(request.user, item)))


@router.put("/progress/{item_id}", response=Envelope[ProgressOut])
def put_progress(request, item_id: int, body: ProgressIn):
    item = _item_or_404(request, item_id)
    library_file = None
    if body.file_id is not None:
        library_file = visible_file(request.user, body.file_id)
        if library_file is None:
            raise Http404("No such file")
    saved = progress_service.save_progress(
        request.user,
        item,
        locator=body.locator,
        percent=body.percent,
        file=library_file,
        device=body.device,
        status=body.status.value if body.status else None,
    )
    return ok(progress_service.as_dict(item, saved))
