from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from core import schedule_settings
from core.api.auth import is_admin
from core.api.jobs import first_jobs
from core.checks import collect_checks
from core.models import ApiKey, JobState

# The Activity page's "Show" choices and the /api/jobs/ filters each one asks for.
ACTIVITY_FILTERS = {"": {}, "active": {"active": True}, "failed": {"state": JobState.FAILED},
                    "succeeded": {"state": JobState.SUCCEEDED}, "cancelled": {"state": JobState.CANCELLED}}
ACTIVITY_PAGE_SIZE = 25


def activity(request):
    shown = request.GET.get("state", "")
    filters = ACTIVITY_FILTERS.get(shown, {})
    return render(request, "core/activity.html", {
        "can_manage": is_admin(request.user),
        "first_jobs": first_jobs(request, page=1, page_size=ACTIVITY_PAGE_SIZE, **filters),
    })


def settings_page(request):
    key = ApiKey.objects.filter(user=request.user).first()
    checks = collect_checks() if is_admin(request.user) else []
    return render(request, "core/settings.html", {"api_key": key, "checks": checks})


def schedules_page(request):
    """Settings > Schedules: every periodic job, on/off and its interval, last and next run."""
    rows = schedule_settings.rows()
    if request.method == "POST":
        bound = [schedule_settings.form_for(r, request.POST) for r in rows]
        if all([form.is_valid() for form in bound]):
            schedule_settings.save_forms(bound)
            messages.success(request, "Schedules saved.")
            return redirect("schedule-settings")
        return render(request, "core/schedules.html", {"rows": list(zip(rows, bound, strict=True))}, status=422)
    forms = [schedule_settings.form_for(r) for r in rows]
    return render(request, "core/schedules.html", {"rows": list(zip(rows, forms, strict=True))})
