"""JSON API of cover management: an item's cover candidates, and setting the cover from a
candidate, a URL or an uploaded image (admin); a series' uploaded cover (admin). Errors (bad
URL, unreachable, not an image, too small) come back in the envelope."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile

from core.api.envelope import Envelope, ok
from core.api.types import Id
from core.errors import InvalidInput
from core.visibility import without_hidden
from media.models import MediaItem, Series
from search.services import covers
from search.services import series as series_services

covers_router = Router(tags=["covers"])
series_covers_router = Router(tags=["authors and series"])


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


def _uploaded_bytes(file: UploadedFile) -> bytes:
    """At most one byte more than a cover may have (the service then says it is too big); the
    file name and content type the client sent are never used."""
    if file.size and file.size > covers.MAX_COVER_BYTES:
        raise InvalidInput(f"The uploaded file is larger than {covers.MAX_COVER_BYTES // (1024 * 1024)} MB")
    return file.read(covers.MAX_COVER_BYTES + 1)


@covers_router.post("/{int:item_id}/cover/upload", response=Envelope[CoversOut],
                    summary="Upload an image as the cover (admin; multipart field 'file')")
def upload_cover(request, item_id: Id, file: File[UploadedFile]):
    item = get_object_or_404(MediaItem, pk=item_id)
    return ok(_covers(covers.set_cover_from_upload(item, _uploaded_bytes(file), user=request.auth)))


class SeriesCoverOut(Schema):
    series_id: int
    cover: str = Field(description="uploaded, book (one of its books' covers) or mosaic (the default)")
    cover_item_id: int | None
    cover_url: str


@series_covers_router.post(
    "/{int:series_id}/cover/upload", response=Envelope[SeriesCoverOut],
    summary="Upload an image as the series' cover (admin; multipart field 'file'): validated, re-encoded as "
            "JPEG, in the series' history (revert it there); choose a book's cover or the mosaic with PATCH "
            "/api/series/{id}")
def upload_series_cover(request, series_id: Id, file: File[UploadedFile]):
    get_object_or_404(Series, pk=series_id)
    series = series_services.upload_cover(series_id, _uploaded_bytes(file), user=request.auth)
    return ok({"series_id": series.pk, "cover": series_services.cover_source(series),
               "cover_item_id": series.cover_item_id, "cover_url": reverse("series-cover", args=[series.pk])})
