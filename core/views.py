from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.http import require_GET

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


@require_GET
def web_manifest(request):
    """The web app manifest: name, colours and icons, so a phone can install the app on its
    home screen. Open to everyone (browsers fetch it without the session cookie)."""
    icons = [
        {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {"src": static("img/icon-maskable-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
    ]
    manifest = {
        "name": "OmniReadarr",
        "short_name": "OmniReadarr",
        "description": "Your ebooks, audiobooks and comics",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f7f7f5",
        "theme_color": "#2d6cdf",
        "icons": icons,
    }
    response = JsonResponse(manifest, content_type="application/manifest+json")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
def favicon(request):
    """Browsers ask /favicon.ico whatever the page says."""
    return redirect(static("img/favicon.ico"), permanent=False)


def server_error(request):
    """The 500 page in the layout, rendered without a request context: it needs neither the
    database (which may be what failed) nor the session."""
    return HttpResponseServerError(loader.get_template("500.html").render())
