"""JSON endpoints (admins only, see core/permissions.py): list, start and download backups;
run the integrity check, read its reports and apply a fix."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.http import FileResponse
from ninja import Path, Router, Schema, Status
from pydantic import Field

from core.api.envelope import Envelope, ok
from core.api.jobs import JobOut
from core.api.types import Id
from core.jobs import submit_job
from operations import selectors
from operations.backups.archive import NAME_PATTERN
from operations.backups.service import backup_path
from operations.integrity import fixes, services
from operations.models import FindingKind, FixAction

router = Router(tags=["operations"])
BackupName = Annotated[str, Field(max_length=80, pattern=NAME_PATTERN.pattern)]


class BackupOut(Schema):
    name: str
    size: int
    created_at: datetime
    reason: str
    download_url: str


class FixOut(Schema):
    action: FixAction
    label: str


class FindingOut(Schema):
    id: int
    kind: FindingKind
    kind_label: str
    path: str
    detail: str
    item_id: int | None
    file_id: int | None
    folder_id: int | None
    batch_id: int | None
    run_id: int | None
    link: str = Field(description="A page about it: the rename history, the import, the item")
    fixes: list[FixOut]
    fixed_at: datetime | None
    fixed_with: str
    fix_result: str


class KindCount(Schema):
    kind: FindingKind
    label: str
    count: int


class ReportOut(Schema):
    id: int
    job_id: int | None
    started_at: datetime
    finished_at: datetime | None
    total: int
    truncated: list[str] = Field(description="Kinds with more faults than the report stores (1000 each)")
    counts: list[KindCount]
    findings: list[FindingOut]


class FixIn(Schema):
    action: FixAction


@router.get("/backups", response=Envelope[list[BackupOut]], summary="Backups in the backup folder, newest first")
def list_backups(request):
    return ok(selectors.backup_rows())


@router.post("/backups", response={202: Envelope[JobOut]}, summary="Back up now (admin)")
def start_backup(request):
    return Status(202, ok(submit_job("operations.backup", params={"reason": "manual"}, user=request.auth)))


@router.get("/backups/{name}", summary="Download a backup archive (zip)")
def download_backup(request, name: Path[BackupName]):
    path = backup_path(name)
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name, content_type="application/zip")


@router.get("/integrity", response=Envelope[ReportOut | None], summary="The latest integrity report (null: none yet)")
def latest_report(request):
    report = services.latest_report()
    return ok(selectors.report_data(report) if report else None)


@router.get("/integrity/{int:report_id}", response=Envelope[ReportOut], summary="One integrity report")
def get_report(request, report_id: Id):
    return ok(selectors.report_data(services.get_report(report_id)))


@router.post("/integrity", response={202: Envelope[JobOut]}, summary="Run the integrity check now (admin)")
def start_check(request):
    return Status(202, ok(submit_job("operations.integrity_check", user=request.auth)))


@router.post(
    "/integrity/findings/{int:finding_id}/fix",
    response=Envelope[FindingOut],
    summary="Apply one of a finding's fixes (through the recycle bin or a scan, never a delete)",
)
def fix_finding(request, finding_id: Id, body: FixIn):
    return ok(selectors.finding_row(fixes.apply_fix(finding_id, body.action, user=request.auth)))
