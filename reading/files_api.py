"""JSON API of files: what a book's files are, where to download them, their comic pages and
conversions. Only files the caller may see exist here (reading.visibility; others are 404)."""

from __future__ import annotations

from typing import Literal

from django.urls import reverse
from ninja import Router, Schema, Status

from core.api.envelope import Envelope, ok
from core.api.types import Id
from core.errors import InvalidInput, NotFound
from media.models import LibraryFile
from reading import conversions, pages
from reading.files import real_path
from reading.names import download_name
from reading.serving import content_type_for
from reading.visibility import visible_file, visible_files, visible_item
from scanning.extractors.base import ExtractionError

router = Router(tags=["reading"])


class ConversionOut(Schema):
    target: str
    ready: bool
    url: str


class FileOut(Schema):
    id: int
    item_id: int | None
    format: str
    size: int
    file_name: str
    content_type: str
    download_url: str
    pages_url: str | None
    conversions: list[ConversionOut]


class ItemFilesOut(Schema):
    item_id: int
    files: list[FileOut]
    zip_url: str


class PagesOut(Schema):
    file_id: int
    count: int
    url_template: str
    urls: list[str]


class ConversionJobOut(Schema):
    ready: bool
    url: str
    job_id: int | None = None
    state: str | None = None
    percent: int | None = None
    message: str = ""
    error: str = ""


def _file_out(library_file: LibraryFile) -> dict:
    name = download_name(library_file)
    paged = library_file.format in pages.PAGED_FORMATS
    return {
        "id": library_file.pk,
        "item_id": library_file.item_id,
        "format": library_file.format,
        "size": library_file.size,
        "file_name": name,
        "content_type": content_type_for(name),
        "download_url": reverse("file-download", args=[library_file.pk]),
        "pages_url": reverse("api:reading_file_pages", args=[library_file.pk]) if paged else None,
        "conversions": [
            {
                "target": target,
                "ready": conversions.converted_file(library_file, target) is not None,
                "url": reverse("file-convert", args=[library_file.pk, target]),
            }
            for target in conversions.targets_for(library_file)
        ],
    }


def _visible_file(request, file_id: int) -> LibraryFile:
    library_file = visible_file(request.user, file_id)
    if library_file is None:
        raise NotFound(f"No file {file_id}")
    return library_file


@router.get("/files/{int:file_id}", response=Envelope[FileOut], summary="One file: its name, type and download URL")
def get_file(request, file_id: Id):
    return ok(_file_out(_visible_file(request, file_id)))


@router.get(
    "/items/{int:item_id}/files",
    response=Envelope[ItemFilesOut],
    summary="A book's files the caller may see, and one zip of them all",
)
def item_files(request, item_id: Id):
    item = visible_item(request.user, item_id)
    if item is None:
        raise NotFound(f"No book {item_id}")
    files = visible_files(request.user).filter(item=item).order_by("path")
    return ok(
        {"item_id": item.pk, "files": [_file_out(f) for f in files], "zip_url": reverse("item-zip", args=[item.pk])}
    )


@router.get(
    "/files/{int:file_id}/pages",
    response=Envelope[PagesOut],
    url_name="reading_file_pages",
    summary="A comic's page count and page URLs (1-based)",
)
def file_pages(request, file_id: Id):
    library_file = _visible_file(request, file_id)
    if library_file.format not in pages.PAGED_FORMATS:
        raise InvalidInput(f"A {library_file.format.upper()} file has no pages to stream")
    try:
        count = pages.page_index(real_path(library_file)).count
    except (ExtractionError, OSError) as exc:
        raise NotFound("The comic cannot be read") from exc
    template = reverse("comic-page", args=[library_file.pk, 999999]).replace("999999", "{page}")
    urls = [template.replace("{page}", str(n)) for n in range(1, count + 1)]
    return ok({"file_id": library_file.pk, "count": count, "url_template": template, "urls": urls})


@router.post(
    "/files/{int:file_id}/conversions/{target}",
    response={200: Envelope[ConversionJobOut], 202: Envelope[ConversionJobOut]},
    summary="Convert a file for download (EPUB, KEPUB, AZW3, PDF); poll /api/jobs/{job_id}, then GET url",
)
def start_conversion(request, file_id: Id, target: Literal["epub", "kepub", "azw3", "pdf"]):
    library_file = _visible_file(request, file_id)
    target = conversions.check_target(library_file, target)
    url = reverse("file-convert", args=[library_file.pk, target])
    if conversions.converted_file(library_file, target) is not None:
        return ok({"ready": True, "url": url})
    job = conversions.request_conversion(request.user, library_file, target)
    return Status(202, ok({"ready": False, "url": url, **conversions.job_state(job)}))
