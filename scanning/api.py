"""JSON endpoints: scan folders (CRUD), start/cancel a scan, scan history, problem files,
shared sidecars a scan ignored."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Annotated, Literal

from django.db.models import Q
from ninja import Query, Router, Schema, Status
from pydantic import Field, Strict

from core.api.auth import is_admin
from core.api.envelope import Envelope, Page, PageParams, ok, paginate
from core.api.jobs import JobOut
from core.api.types import Flag, Id
from core.errors import NotFound
from core.visibility import in_visible_folders, without_hidden
from scanning import selectors, services
from scanning.models import ALL_FORMATS, ContentType
from scanning.services import jobs as scan_jobs

router = Router(tags=["scanning"])
ProblemState = Literal["corrupt", "duplicate", "missing"]


ABSOLUTE_PATH = r"^/[^\x00]*$"
FormatName = Literal[tuple(ALL_FORMATS)]


class FolderIn(Schema):
    path: str = Field(..., max_length=4096, pattern=ABSOLUTE_PATH,
                      description="Absolute path of an existing readable folder (404 when absent)")
    name: str = Field("", max_length=255)
    content_type: ContentType = ContentType.MIXED
    formats: list[FormatName] | None = Field(None, min_length=1, max_length=len(ALL_FORMATS),
                                             description="Leave out for every format of the content type")
    enabled: Flag = True
    scan_interval_hours: Annotated[int, Strict()] = Field(24, ge=0, le=8760)
    naming_template: str = Field("", max_length=1000, description="Rename template; blank = the one chosen")
    target_root: str = Field("", max_length=4096, pattern=r"^\s*$|^\s*/",
                             description="Where renames move its books: an absolute path; blank = here")


class FolderOut(Schema):
    id: int
    path: str
    name: str
    content_type: ContentType
    formats: list[str]
    enabled: bool
    scan_interval_hours: int
    naming_template: str
    target_root: str
    last_scan_at: datetime | None
    active_job_id: int | None = None

    @staticmethod
    def resolve_active_job_id(obj) -> int | None:
        job = scan_jobs.active_scan(obj.pk)
        return job.pk if job else None


class ScanRunOut(Schema):
    id: int
    folder_id: int
    folder_path: str
    job_id: int | None
    state: str
    seen: int
    unchanged: int
    added: int
    updated: int
    moved: int
    missing: int
    duplicates: int
    corrupt: int
    errors: int
    attempts: int
    message: str
    error_log: list[dict]
    started_at: datetime
    finished_at: datetime | None
    duration_seconds: float | None

    @staticmethod
    def resolve_folder_path(obj) -> str:
        return obj.folder.path


class ProblemFileOut(Schema):
    id: int
    path: str
    format: str
    size: int
    state: str
    error: str
    item_id: int | None
    item_title: str | None = None
    updated_at: datetime

    @staticmethod
    def resolve_item_title(obj) -> str | None:
        return obj.item.title if obj.item_id else None


class SidecarProblemOut(Schema):
    id: int
    folder_id: int
    path: str
    sidecars: list[str]
    books: int
    reason: str
    seen_at: datetime


class ScanRunFilter(PageParams):
    folder_id: Id | None = None


class ProblemFilter(PageParams):
    folder_id: Id | None = None


def _input(payload: FolderIn) -> services.FolderInput:
    return services.FolderInput(
        path=payload.path,
        name=payload.name,
        content_type=payload.content_type,
        formats=tuple(payload.formats) if payload.formats is not None else None,
        enabled=payload.enabled,
        scan_interval_hours=payload.scan_interval_hours,
        naming_template=payload.naming_template,
        target_root=payload.target_root,
    )


def folder_list(viewer) -> list:
    """The scan folders `viewer` may see (a library hidden from a reader is not there): the API's
    list and the scanning page's first screen."""
    from scanning.models import ScanFolder

    return list(in_visible_folders(ScanFolder.objects.all(), viewer))


def _visible_folder(folder_id: int, viewer):
    """The scan folder if `viewer` may see it, else NotFound (as if it did not exist)."""
    from scanning.models import ScanFolder

    if not in_visible_folders(ScanFolder.objects.filter(pk=folder_id), viewer).exists():
        raise NotFound(f"Scan folder #{folder_id} does not exist")
    return services.get_folder(folder_id)


def run_page(filters: ScanRunFilter, viewer) -> dict:
    if filters.folder_id:
        _visible_folder(filters.folder_id, viewer)
    return paginate(in_visible_folders(selectors.runs(filters.folder_id), viewer, "folder_id"), filters)


def problem_page(state: ProblemState, filters: ProblemFilter, viewer) -> dict:
    """Problem files under the folders `viewer` may see; none of a book hidden from them."""
    from scanning.models import ScanFolder

    folder = _visible_folder(filters.folder_id, viewer) if filters.folder_id else None
    files = selectors.problem_files(state, folder)
    if not is_admin(viewer):
        roots = in_visible_folders(ScanFolder.objects.all(), viewer).values_list("path", flat=True)
        under = Q(pk__in=[])
        for root in roots:
            under |= Q(path__startswith=root.rstrip(os.sep) + os.sep)
        files = without_hidden(files.filter(under), viewer, "item_id")
    return paginate(files, filters, count=True)


def sidecar_problem_page(filters: ProblemFilter, viewer) -> dict:
    folder = _visible_folder(filters.folder_id, viewer) if filters.folder_id else None
    problems = in_visible_folders(selectors.sidecar_problems(folder), viewer, "folder_id")
    return paginate(problems, filters, count=True)


@router.get("/folders", response=Envelope[list[FolderOut]], summary="Scan folders")
def list_folders(request):
    return ok(folder_list(request.auth))


@router.post("/folders", response={201: Envelope[FolderOut]}, summary="Add a scan folder (admin)")
def create_folder(request, payload: FolderIn):
    return Status(201, ok(services.save_folder(_input(payload))))


@router.get("/folders/{int:folder_id}", response=Envelope[FolderOut], summary="One scan folder")
def get_folder(request, folder_id: Id):
    return ok(_visible_folder(folder_id, request.auth))


@router.put("/folders/{int:folder_id}", response=Envelope[FolderOut], summary="Change a scan folder (admin)")
def update_folder(request, folder_id: Id, payload: FolderIn):
    return ok(services.save_folder(_input(payload), folder_id))


@router.delete(
    "/folders/{int:folder_id}",
    response=Envelope[None],
    summary="Forget a scan folder (admin; files on disk and catalogue items stay)",
)
def delete_folder(request, folder_id: Id):
    services.delete_folder(folder_id)
    return ok(None)


@router.post("/folders/{int:folder_id}/scan", response={202: Envelope[JobOut]}, summary="Scan now (admin)")
def start_scan(request, folder_id: Id):
    return Status(202, ok(scan_jobs.start_scan(folder_id, user=request.auth)))


@router.post("/folders/{int:folder_id}/cancel", response=Envelope[JobOut], summary="Cancel the running scan (admin)")
def cancel_scan(request, folder_id: Id):
    return ok(scan_jobs.cancel_scan(folder_id))


@router.get("/runs", response=Envelope[Page[ScanRunOut]], summary="Scan history, newest first")
def list_runs(request, filters: Query[ScanRunFilter]):
    return ok(run_page(filters, request.auth))


@router.get("/files/{state}", response=Envelope[Page[ProblemFileOut]], summary="Corrupt, duplicate or missing files")
def problem_files(request, state: ProblemState, filters: Query[ProblemFilter]):
    return ok(problem_page(state, filters, request.auth))


@router.get(
    "/sidecar-problems",
    response=Envelope[Page[SidecarProblemOut]],
    summary="Folders of several books whose generic sidecars (metadata.opf, cover.jpg) the last scan ignored",
)
def sidecar_problems(request, filters: Query[ProblemFilter]):
    return ok(sidecar_problem_page(filters, request.auth))
