"""JSON API of Settings > Media management (`/api/processing/settings`): the same forms as the
page, so the same rules and messages. What differs per media kind (import mode, existing files,
template, conversion target) has its own operations under `/settings/kinds/{kind}`, with a Test
of the kind's conversion tool."""

from __future__ import annotations

from dataclasses import asdict
from typing import Literal

from ninja import Router, Schema
from pydantic import Field

from core.api.envelope import Envelope, ok
from core.api.types import Flag
from processing import kinds, media_settings
from processing.models import ConversionTarget, ExistingFilePolicy, ImportMode

router = Router(tags=["media management"])

Kind = Literal["ebook", "audiobook", "comic"]


class PathMapping(Schema):
    remote: str = Field(..., min_length=1, max_length=1000, description="the download client's folder")
    local: str = Field(..., min_length=1, max_length=1000, description="the same folder on this machine")


class KindSettingsOut(Schema):
    kind: Kind
    import_mode: ImportMode
    existing_file_policy: ExistingFilePolicy
    template: str
    conversion_target: ConversionTarget
    keep_original: bool
    conversion_targets: list[ConversionTarget] = Field(..., description="the targets this kind's converter writes")


class KindSettingsIn(Schema):
    """Every field of the kind (PUT replaces them all). `conversion_target` must be one the kind's
    converter writes: ebook none/epub/azw3/mobi/pdf, comic none/cbz, audiobook none."""

    import_mode: ImportMode = Field(..., description="hardlink falls back to copy across filesystems")
    existing_file_policy: ExistingFilePolicy
    template: str = Field(..., min_length=1, max_length=500, description="the renamer's tokens, e.g. ${title}.${ext}")
    conversion_target: ConversionTarget
    keep_original: Flag


class ConversionTestOut(Schema):
    kind: Kind
    target: str = Field(..., description="the format the test converted into ('' when nothing ran)")
    ok: bool
    tool: str
    version: str
    seconds: float
    message: str
    hint: str


class MediaSettingsOut(Schema):
    write_epub_metadata: bool
    path_mappings: list[PathMapping]
    kinds: list[KindSettingsOut] = Field(..., description="read only here: change them per kind")


class MediaSettingsIn(Schema):
    """Every field optional: what is left out keeps its value; `path_mappings` replaces the list."""

    write_epub_metadata: Flag | None = None
    path_mappings: list[PathMapping] | None = Field(None, max_length=50)


@router.get("/settings", response=Envelope[MediaSettingsOut], summary="Media management settings")
def get_settings(request):
    return ok(media_settings.current())


@router.patch("/settings", response=Envelope[MediaSettingsOut], summary="Change media management settings (admin)")
def change_settings(request, payload: MediaSettingsIn):
    values = {**media_settings.current(), **payload.dict(exclude_none=True)}
    return ok(media_settings.save(media_settings.bind(values)))


@router.get("/settings/kinds", response=Envelope[list[KindSettingsOut]], summary="Processing settings of every kind")
def list_kind_settings(request):
    return ok([kinds.public(row) for row in kinds.all_rows()])


@router.get("/settings/kinds/{kind}", response=Envelope[KindSettingsOut], summary="Processing settings of one kind")
def get_kind_settings(request, kind: Kind):
    return ok(kinds.public(media_settings.kind_rows()[kind]))


@router.put(
    "/settings/kinds/{kind}",
    response=Envelope[KindSettingsOut],
    summary="Replace one kind's processing settings (admin)",
)
def put_kind_settings(request, kind: Kind, payload: KindSettingsIn):
    return ok(media_settings.save_kind(kind, payload.dict()))


@router.post(
    "/settings/kinds/{kind}/test-conversion",
    response=Envelope[ConversionTestOut],
    summary="Run the kind's converter on a tiny generated sample (admin)",
)
def test_kind_conversion(request, kind: Kind):
    return ok(asdict(kinds.check_conversion(kind)))
