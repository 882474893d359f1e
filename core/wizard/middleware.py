from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect


class SetupRequiredMiddleware:
    """Until the setup wizard is complete, every page leads to it. The API, static files,
    log-in, admin, health and the wizard itself stay reachable. `WIZARD_REDIRECT = False`
    turns this off (the test suite does, except where it tests the wizard)."""

    EXEMPT = ("/wizard/", "/api/", "/static/", "/accounts/", "/admin/", "/health", "/metrics", "/covers/", "/kosync/",
              "/manifest.webmanifest", "/favicon.ico")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            getattr(settings, "WIZARD_REDIRECT", True)
            and not request.path.startswith(self.EXEMPT)
            and request.method in ("GET", "HEAD")
        ):
            from core.wizard.services import is_complete

            if not is_complete():
                return redirect("wizard")
        return self.get_response(request)
