"""JSON API of the import pipeline: start (convert / organize / manual), re-run, undo, and
the runs with their per-step record and file journal."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from core.api.envelope import Envelope, Page, PageParams, ok, paginate
from core.api.types import Flag, Id
from core.visibility import without_hidden
from processing import events, services
from processing.models import (
    EventKind,
    ImportAction,
    ImportFileOperation,
    ImportRun,
    PostProcessStatus,
)

router = Router(tags=["processing"])


class ImportOperationOut(Schema):
    id: int
    sequence: int
    kind: str
    source: str
    destination: str
    state: str
    detail: str


class ImportRunOut(Schema):
    id: int
    storage_path: str
    local_path: str
    media_item_id: int | None
    download_attempt_id: int | None
    action: str
    post_process_status: PostProcessStatus
    steps: list[dict[str, Any]]
    error: str
    error_step: str
    result: dict[str, Any]
    attempts: int
    job_id: int | None
    rerun_of_id: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    undone_at: datetime | None


class ImportRunDetailOut(ImportRunOut):
    operations: list[ImportOperationOut]

    @staticmethod
    def resolve_operations(obj: ImportRun) -> list[ImportFileOperation]:
        return list(obj.operations.order_by("sequence"))


class ImportRunFilter(PageParams):
    status: PostProcessStatus | None = None
    media_item_id: Id | None = None
    download_attempt_id: Id | None = None


class EventOut(Schema):
    id: int
    kind: EventKind
    run_id: int | None
    media_item_id: int | None
    title: str
    message: str
    step: str
    created_at: datetime


class EventFilter(PageParams):
    kind: EventKind | None = None
    after_id: Id | None = Field(None, description="Only events newer than this one")


class ManualImportIn(Schema):
    storage_path: str = Field(..., min_length=1, max_length=4096)
    media_item_id: Id


class RerunIn(Schema):
    accept_mismatch: Flag = Field(False, description="File it even though identification disagreed (review)")
    accept_size: Flag = Field(
        False, description="Import it although its size on disk differs from what the download client reported"
    )


@router.get("/runs/", response=Envelope[Page[ImportRunOut]], summary="Import runs, newest first")
def list_runs(request, filters: Query[ImportRunFilter]):
    runs = without_hidden(ImportRun.objects.all(), request.auth, "media_item_id")  # a hidden library's: none
    if filters.status:
        runs = runs.filter(post_process_status=filters.status)
    if filters.media_item_id:
        runs = runs.filter(media_item_id=filters.media_item_id)
    if filters.download_attempt_id:
        runs = runs.filter(download_attempt_id=filters.download_attempt_id)
    return ok(paginate(runs, filters))


@router.get("/events/", response=Envelope[Page[EventOut]], summary="Recent import events, newest first")
def list_events(request, filters: Query[EventFilter]):
    rows = events.recent_events(kind=filters.kind, after_id=filters.after_id)
    return ok(paginate(without_hidden(rows, request.auth, "media_item_id"), filters))


@router.get(
    "/runs/{int:run_id}/", response=Envelope[ImportRunDetailOut], summary="One import with steps and journal"
)
def get_run(request, run_id: Id):
    return ok(get_object_or_404(without_hidden(ImportRun.objects.all(), request.auth, "media_item_id"), pk=run_id))


@router.post(
    "/convert/{int:attempt_id}/",
    response={202: Envelope[ImportRunOut]},
    summary="Import a completed download, converting to the preferred format (admin)",
)
def convert(request, attempt_id: Id):
    return Status(202, ok(services.import_attempt(attempt_id, action=ImportAction.CONVERT, user=request.auth)))


@router.post(
    "/organize/{int:attempt_id}/",
    response={202: Envelope[ImportRunOut]},
    summary="Import a completed download as it is, without converting (admin)",
)
def organize(request, attempt_id: Id):
    return Status(202, ok(services.import_attempt(attempt_id, action=ImportAction.ORGANIZE, user=request.auth)))


@router.post(
    "/imports/",
    response={202: Envelope[ImportRunOut]},
    summary="Import a folder or file under the downloads folder for an item (admin)",
)
def manual_import(request, payload: ManualImportIn):
    run = services.start_import(
        storage_path=payload.storage_path, media_item_id=payload.media_item_id, user=request.auth
    )
    return Status(202, ok(run))


@router.post("/rerun/{int:run_id}/", response={202: Envelope[ImportRunOut]}, summary="Run an import again (admin)")
def rerun(request, run_id: Id, payload: RerunIn | None = None):
    accept = bool(payload and payload.accept_mismatch)
    accept_size = bool(payload and payload.accept_size)
    return Status(
        202, ok(services.rerun(run_id, accept_mismatch=accept, accept_size=accept_size, user=request.auth))
    )


@router.post(
    "/runs/{int:run_id}/undo/",
    response=Envelope[ImportRunDetailOut],
    summary="Undo a completed import: files back, library rows removed (admin)",
)
def undo(request, run_id: Id):
    return ok(services.undo_import(run_id))
