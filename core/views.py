from __future__ import annotations

from django.shortcuts import render

from core.api.auth import is_admin
from core.checks import collect_checks
from core.models import ApiKey


def activity(request):
    return render(request, "core/activity.html", {"can_manage": is_admin(request.user)})


def settings_page(request):
    key = ApiKey.objects.filter(user=request.user).first()
    checks = collect_checks() if is_admin(request.user) else []
    return render(request, "core/settings.html", {"api_key": key, "checks": checks})
