"""JSON API of cover management: an item's cover candidates, and setting the cover from a
candidate, a URL or an uploaded image (admin). Errors (bad URL, unreachable, not an image,
too small) come back in the envelope."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from core.api.envelope import Envelope, ok
from core.api.types import Id
from core.errors import InvalidInput
from core.visibility import without_hidden
from media.models import MediaItem
from search.services import covers

covers_router = Router(tags=["covers"])


class CoverCandidateOut(Schema):
    id: str
    kind: str
    source: str
    url: str
    current: bool


class CoversOut(Schema):
    item_id: int
    cover_path: str
    locked: bool
    candidates: list[CoverCandidateOut]


class CoverIn(Schema):
    candidate_id: str = ""
    url: str = ""


def _covers(item: MediaItem) -> dict:
    locked = item.resolved_fields.filter(field="cover", locked=True).exists()
    return {"item_id": item.pk, "cover_path": item.cover_path, "locked": locked,
            "candidates": [c.__dict__ for c in covers.list_candidates(item)]}


@covers_router.get("/{int:item_id}/covers", response=Envelope[CoversOut], summary="An item's cover candidates")
def list_covers(request, item_id: Id):
    return ok(_covers(get_object_or_404(without_hidden(MediaItem.objects.all(), request.auth), pk=item_id)))


@covers_router.post("/{int:item_id}/cover", response=Envelope[CoversOut],
                    summary="Use a candidate or an image URL as the cover (admin)")
def set_cover(request, item_id: Id, payload: CoverIn):
    item = get_object_or_404(MediaItem, pk=item_id)
    if bool(payload.candidate_id) == bool(payload.url.strip()):
        raise InvalidInput("Give either candidate_id or url", hint='e.g. {"url": "https://.../cover.jpg"}')
    if payload.candidate_id:
        item = covers.set_cover_from_candidate(item, payload.candidate_id, user=request.auth)
    else:
        item = covers.set_cover_from_url(item, payload.url, user=request.auth)
    return ok(_covers(item))


@covers_router.post("/{int:item_id}/cover/upload", response=Envelope[CoversOut],
                    summary="Upload an image as the cover (admin; multipart field 'file')")
def upload_cover(request, item_id: Id, file: File[UploadedFile]):
    item = get_object_or_404(MediaItem, pk=item_id)
    if file.size and file.size > covers.MAX_COVER_BYTES:
        raise InvalidInput(f"The uploaded file is larger than {covers.MAX_COVER_BYTES // (1024 * 1024)} MB")
    data = file.read(covers.MAX_COVER_BYTES + 1)
    return ok(_covers(covers.set_cover_from_upload(item, data, user=request.auth)))
