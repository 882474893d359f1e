"""Read side shared by the API and the pages: backups and integrity reports as plain data."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from operations.backups.service import BackupInfo, list_backups
from operations.models import FindingKind, FixAction, IntegrityFinding, IntegrityReport

KIND_LABELS = dict(FindingKind.choices)
FIX_LABELS = dict(FixAction.choices)


def backup_row(info: BackupInfo) -> dict[str, Any]:
    return {
        "name": info.name,
        "size": info.size,
        "created_at": info.created_at,
        "reason": info.reason,
        "download_url": reverse("operations-backup-download", args=[info.name]),
    }


def backup_rows() -> list[dict[str, Any]]:
    return [backup_row(b) for b in list_backups()]


def finding_row(finding: IntegrityFinding) -> dict[str, Any]:
    link = ""
    if finding.batch_id:
        link = reverse("rename_history")
    elif finding.run_id:
        link = reverse("import_detail", args=[finding.run_id])
    elif finding.item_id and finding.kind == FindingKind.MISSING_FILE:
        link = reverse("item-redirect", args=[finding.item_id])
    return {
        "id": finding.pk,
        "kind": finding.kind,
        "kind_label": KIND_LABELS.get(finding.kind, finding.kind),
        "path": finding.path,
        "detail": finding.detail,
        "item_id": finding.item_id,
        "file_id": finding.file_id,
        "folder_id": finding.folder_id,
        "batch_id": finding.batch_id,
        "run_id": finding.run_id,
        "link": link,
        "fixes": [{"action": a, "label": FIX_LABELS.get(a, a)} for a in finding.fixes],
        "fixed_at": finding.fixed_at,
        "fixed_with": finding.fixed_with,
        "fix_result": finding.fix_result,
    }


def report_data(report: IntegrityReport) -> dict[str, Any]:
    return {
        "id": report.pk,
        "job_id": report.job_id,
        "started_at": report.started_at,
        "finished_at": report.finished_at,
        "total": report.total,
        "truncated": report.truncated,
        "counts": [{"kind": k, "label": KIND_LABELS[k], "count": report.counts.get(k, 0)} for k in FindingKind.values],
        "findings": [finding_row(f) for f in report.findings.all()],
    }
