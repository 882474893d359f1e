"""JSON API of the format profiles (`/api/profiles/`) and of a book's profile and upgrade state
(`/api/profiles/items/{item_id}`). Admins only: readers never reach configuration."""

from __future__ import annotations

from enum import StrEnum

from ninja import Router, Schema, Status
from pydantic import Field

from core.api.envelope import Envelope, ok
from core.api.types import Id
from indexers import profiles, qualities
from media.models import MediaKind

router = Router(tags=["format profiles"])

QualityKey = StrEnum("QualityKey", {key: key for key in qualities.ALL_KEYS})  # type: ignore[misc]


class ProfileIn(Schema):
    """A profile's values. The formats must be the kind's (ebook: epub_retail, epub, azw3, azw,
    mobi, pdf; audiobook: m4b, mp3_320, mp3, flac, m4a, ogg, opus; comic: cbz, cbr, pdf), each once,
    and the cutoff one of them."""

    name: str = Field(..., min_length=1, max_length=100, pattern=r"\S")
    qualities: list[QualityKey] = Field(..., min_length=1, max_length=10, description="best first")  # type: ignore[valid-type]
    cutoff: QualityKey = Field(..., description="one of `qualities`")  # type: ignore[valid-type]
    min_score: float = Field(0.0, ge=0, le=100, description="releases scoring less are rejected")


class ProfileCreateIn(ProfileIn):
    kind: MediaKind


class ProfileOut(Schema):
    id: int
    name: str
    kind: MediaKind
    qualities: list[str]
    labels: list[str]
    cutoff: str
    cutoff_label: str
    min_score: float
    is_default: bool
    items: int = Field(..., description="books that chose this profile")


class QualityOut(Schema):
    key: str
    label: str
    format: str


class KindQualitiesOut(Schema):
    kind: MediaKind
    qualities: list[QualityOut]
    suggested: list[str]


class ItemProfileIn(Schema):
    profile_id: Id | None = Field(..., description="a profile of the item's kind; null: the kind's default")


class ItemProfileOut(Schema):
    item_id: int
    profile_id: int
    profile_name: str
    chosen: bool = Field(..., description="false: the kind's default applies")
    current: str = Field(..., description="quality of the best present file; empty: no file")
    cutoff: str
    upgrade_wanted: bool
    message: str


def _values(payload: ProfileIn, kind: str) -> dict:
    data = payload.dict()
    return {**data, "kind": kind, "qualities": [str(q.value) for q in payload.qualities],
            "cutoff": str(payload.cutoff.value)}


def _item_out(item_id: int, state: profiles.UpgradeState) -> dict:
    return {"item_id": item_id, **state.__dict__}


@router.get("/", response=Envelope[list[ProfileOut]], summary="Format profiles (admin)")
def list_profiles(request):
    return ok([profiles.public(p) for p in profiles.all_profiles()])


@router.get(
    "/qualities", response=Envelope[list[KindQualitiesOut]], summary="Formats a profile may rank, per kind (admin)"
)
def list_qualities(request):
    return ok([
        {"kind": kind, "suggested": list(qualities.SUGGESTED[kind]),
         "qualities": [{"key": q.key, "label": q.label, "format": q.format} for q in qualities.QUALITIES[kind]]}
        for kind in qualities.KINDS
    ])


@router.post("/", response={201: Envelope[ProfileOut]}, summary="Add a format profile (admin)")
def add_profile(request, payload: ProfileCreateIn):
    profile = profiles.save_profile(_values(payload, payload.kind.value))
    return Status(201, ok(profiles.public(profile)))


@router.get("/{int:profile_id}", response=Envelope[ProfileOut], summary="One format profile (admin)")
def get_profile(request, profile_id: Id):
    return ok(profiles.public(profiles.get_profile(profile_id)))


@router.put(
    "/{int:profile_id}", response=Envelope[ProfileOut], summary="Change a format profile (admin; its kind stays)"
)
def change_profile(request, profile_id: Id, payload: ProfileIn):
    profile = profiles.get_profile(profile_id)
    return ok(profiles.public(profiles.save_profile(_values(payload, profile.kind), profile)))


@router.post(
    "/{int:profile_id}/default", response=Envelope[ProfileOut], summary="Make a profile its kind's default (admin)"
)
def make_default(request, profile_id: Id):
    return ok(profiles.public(profiles.make_default(profile_id)))


@router.delete("/{int:profile_id}", response=Envelope[None], summary="Delete a format profile (admin; not a default)")
def delete_profile(request, profile_id: Id):
    profiles.delete_profile(profile_id)
    return ok(None)


@router.get(
    "/items/{int:item_id}", response=Envelope[ItemProfileOut], summary="A book's profile and upgrade state (admin)"
)
def item_profile(request, item_id: Id):
    return ok(_item_out(item_id, profiles.item_state(item_id)))


@router.put("/items/{int:item_id}", response=Envelope[ItemProfileOut], summary="Choose a book's profile (admin)")
def set_item_profile(request, item_id: Id, payload: ItemProfileIn):
    return ok(_item_out(item_id, profiles.set_item_profile(item_id, payload.profile_id)))
