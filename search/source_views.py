"""The Data sources page: every source with its trust, what it gave and how accurate and complete
it is; admins add a source of an existing kind (its own address and key, never shown back) and
retire an added one after a confirmation page (its values stay, attributed to it)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.api.auth import is_admin
from core.errors import OmniError
from search.models import FieldCandidate, SearchProvider, TrustChange
from search.provider_settings import AddSourceForm, add_source
from search.services import trust
from search.services.sources import rescoring_jobs, source_stats
from search.services.trust import source_details


def data_sources(request, *, form: AddSourceForm | None = None, status: int = 200):
    """Every source of metadata with its trust (admins change it), the values it gave the
    books and the values a person later corrected by hand; its probation, measured accuracy,
    the completeness of its answers and the audit log of trust changes."""
    jobs = rescoring_jobs()
    stats = source_stats()
    details = source_details([s.source for s in stats])
    retirable = set(SearchProvider.objects.exclude(kind="").filter(retired_at=None).values_list("name", flat=True))
    rows = [
        {
            "stats": s,
            "job": jobs.get(s.source.name),
            "more": details[s.source.name],
            "retirable": s.source.name in retirable,
        }
        for s in stats
    ]
    changes = TrustChange.objects.select_related("source")[:20]
    admin = is_admin(request.user)
    return render(
        request,
        "search/sources.html",
        {
            "rows": rows,
            "can_manage": admin,
            "changes": changes,
            "min_feedback": trust.MIN_FEEDBACK,
            "add_form": (form or AddSourceForm()) if admin else None,
        },
        status=status,
    )


@require_POST
def data_source_add(request):
    form = AddSourceForm(request.POST)
    row = add_source(form, user=request.user)
    if row is None:
        return data_sources(request, form=form, status=422)
    state = "" if row.enabled else " It is switched off until it has an API key (Settings > Metadata)."
    messages.success(request, f"{row.label} added; it is on probation while it earns its trust.{state}")
    return redirect("data-sources")


@require_http_methods(["GET", "HEAD", "POST"])
def data_source_retire(request, name: str):
    """GET: what retiring means, and a button to confirm; POST: retire."""
    row = get_object_or_404(SearchProvider.objects.exclude(kind=""), name=name)
    if request.method == "POST":
        try:
            trust.retire_source(row.name)
        except OmniError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{row.label} retired: never asked again; the values it gave stay.")
        return redirect("data-sources")
    values = FieldCandidate.objects.filter(source__name=row.name).aggregate(
        n=Count("id"), books=Count("item_id", distinct=True)
    )
    return render(request, "search/source_retire.html", {"row": row, "values": values["n"], "books": values["books"]})
