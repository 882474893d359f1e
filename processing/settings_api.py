"""JSON API of Settings > Media management (`/api/processing/settings`): the same forms as the
page, so the same rules and messages."""

from __future__ import annotations

from ninja import Router, Schema
from pydantic import Field

from core.api.envelope import Envelope, ok
from core.api.types import Flag
from processing import media_settings
from processing.models import ExistingFilePolicy, ImportMode

router = Router(tags=["media management"])


class PathMapping(Schema):
    remote: str = Field(..., min_length=1, max_length=1000, description="the download client's folder")
    local: str = Field(..., min_length=1, max_length=1000, description="the same folder on this machine")


class MediaSettingsOut(Schema):
    import_mode: ImportMode
    existing_file_policy: ExistingFilePolicy
    ebook_format: str
    convert_ebooks: bool
    keep_original_format: bool
    repack_cbr: bool
    write_epub_metadata: bool
    ebook_template: str
    audiobook_template: str
    comic_template: str
    path_mappings: list[PathMapping]


class MediaSettingsIn(Schema):
    """Every field optional: what is left out keeps its value; `path_mappings` replaces the list."""

    import_mode: ImportMode | None = None
    existing_file_policy: ExistingFilePolicy | None = None
    ebook_format: str | None = Field(None, max_length=8, description="epub, azw3, mobi or pdf")
    convert_ebooks: Flag | None = None
    keep_original_format: Flag | None = None
    repack_cbr: Flag | None = None
    write_epub_metadata: Flag | None = None
    ebook_template: str | None = Field(None, min_length=1, max_length=500)
    audiobook_template: str | None = Field(None, min_length=1, max_length=500)
    comic_template: str | None = Field(None, min_length=1, max_length=500)
    path_mappings: list[PathMapping] | None = Field(None, max_length=50)


@router.get("/settings", response=Envelope[MediaSettingsOut], summary="Media management settings")
def get_settings(request):
    return ok(media_settings.current())


@router.patch("/settings", response=Envelope[MediaSettingsOut], summary="Change media management settings (admin)")
def change_settings(request, payload: MediaSettingsIn):
    values = {**media_settings.current(), **payload.dict(exclude_none=True)}
    return ok(media_settings.save(*media_settings.bind(values)))
