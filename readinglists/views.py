"""Pages of reading lists (admin only, core/permissions.py): upload, preview with the shelves to
want, the run with live progress (static/js/reading-lists.js polls the JSON API), the report,
and the rows left for review."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.errors import Conflict, InvalidInput, NotFound, OmniError
from media.models import MediaKind
from readinglists import formats, services
from readinglists.models import ImportRow, ListImport, RowOutcome

REPORT_PAGE = 200


def _import(pk: int) -> ListImport:
    try:
        return services.get_import(pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def lists_page(request):
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "Choose a CSV file to upload.")
            return redirect("reading-lists")
        if upload.size > formats.MAX_BYTES:
            messages.error(request, f"The file is larger than {formats.MAX_BYTES // (1024 * 1024)} MB.")
            return redirect("reading-lists")
        try:
            created = services.create_import(upload.read(formats.MAX_BYTES + 1), filename=upload.name or "",
                                             user=request.user)
        except InvalidInput as exc:
            messages.error(request, f"{exc.message}. {exc.hint or ''}".strip())
            return redirect("reading-lists")
        return redirect("reading-list", pk=created.pk)
    imports = [services.public_import(i) for i in ListImport.objects.defer("content")[:50]]
    return render(request, "readinglists/lists.html", {
        "imports": imports, "review_count": services.review_entries().count(),
        "max_mb": formats.MAX_BYTES // (1024 * 1024)})


def list_page(request, pk: int):
    list_import = _import(pk)
    rows = ImportRow.objects.filter(list_import=list_import).order_by("number")
    outcome = request.GET.get("outcome", "")
    if outcome in RowOutcome.values:
        rows = rows.filter(outcome=outcome)
    page = Paginator(rows, REPORT_PAGE).get_page(request.GET.get("page"))
    return render(request, "readinglists/list.html", {
        "imp": services.public_import(list_import), "preview": services.preview(list_import),
        "kinds": MediaKind.choices, "report": page, "outcome": outcome, "outcomes": RowOutcome.choices})


@require_POST
def run_list(request, pk: int):
    list_import = _import(pk)
    try:
        services.start_import(list_import.pk, wanted_shelves=request.POST.getlist("shelves"),
                              kind=request.POST.get("kind") or None, user=request.user)
    except (Conflict, InvalidInput) as exc:
        messages.error(request, exc.message)
    except OmniError as exc:  # the queue is down: the job is recorded as failed with the reason
        messages.error(request, f"The import could not be started: {exc.message}")
    return redirect("reading-list", pk=list_import.pk)


def review_page(request):
    page = Paginator(services.review_entries(), 50).get_page(request.GET.get("page"))
    entries = [services.public_entry(e) for e in page]
    return render(request, "readinglists/review.html", {"entries": entries, "page": page})


@require_POST
def resolve_entry(request, pk: int):
    candidate = request.POST.get("candidate", "")
    try:
        entry = services.resolve_entry(pk, action=request.POST.get("action", ""),
                                       candidate=int(candidate) if candidate.isdigit() else None, user=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except (Conflict, InvalidInput) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{entry.title}: {entry.reason}")
    return redirect("reading-list-review")
