from __future__ import annotations

from django.shortcuts import render

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
