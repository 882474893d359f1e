"""Pages (admins only, see core/permissions.py): backups and the integrity report. Actions
are plain forms posting to the same services the JSON API calls."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.errors import NotFound, OmniError
from core.jobs import submit_job
from operations import selectors
from operations.backups.service import backup_dir, backup_path
from operations.integrity import fixes, services
from operations.models import BackupSettings, IntegrityReport


def backups(request):
    return render(
        request,
        "operations/backups.html",
        {
            "backups": selectors.backup_rows(),
            "config": BackupSettings.load(),
            "folder": backup_dir(),
        },
    )


def backup_download(request, name: str):
    try:
        path = backup_path(name)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name, content_type="application/zip")


@require_POST
def backup_start(request):
    return _start(request, "operations.backup", {"reason": "manual"}, "Backup started", "operations-backups")


def integrity(request):
    report_id = request.GET.get("report", "")
    if report_id.isdigit():
        report = IntegrityReport.objects.filter(pk=int(report_id)).first()
    else:
        report = services.latest_report()
    return render(
        request,
        "operations/integrity.html",
        {
            "report": selectors.report_data(report) if report else None,
            "reports": IntegrityReport.objects.filter(finished_at__isnull=False)[:10],
        },
    )


@require_POST
def integrity_start(request):
    return _start(request, "operations.integrity_check", {}, "Integrity check started", "operations-integrity")


@require_POST
def integrity_fix(request, finding_id: int):
    try:
        finding = fixes.apply_fix(finding_id, request.POST.get("action", ""), user=request.user)
    except OmniError as exc:
        messages.error(request, str(exc))
        report = ""
    else:
        messages.success(request, finding.fix_result)
        report = f"?report={finding.report_id}"
    return redirect(reverse("operations-integrity") + report)


def _start(request, kind: str, params: dict, done: str, back: str):
    try:
        job = submit_job(kind, params=params, user=request.user)
    except OmniError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{done} (job #{job.pk}); follow it on the Activity page.")
    return redirect(back)
