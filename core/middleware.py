from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth.views import redirect_to_login

from core.logging import correlation, new_correlation_id

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class CorrelationIdMiddleware:
    """Takes a sane `X-Request-ID` from the client or makes one; logs and jobs carry it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        value = incoming if _SAFE_ID.match(incoming) else new_correlation_id()
        request.correlation_id = value
        with correlation(value):
            response = self.get_response(request)
        response["X-Request-ID"] = value
        return response


class LoginRequiredForPagesMiddleware:
    """Every HTML page needs a login. The JSON API under /api/ enforces its own auth
    (session or API key) and answers 401 in the envelope instead of redirecting."""

    OPEN_PREFIXES = ("/api/", "/accounts/login/", "/static/", "/health")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.user.is_authenticated or request.path.startswith(self.OPEN_PREFIXES):
            return None
        if getattr(view_func, "login_required", True) is False:
            return None
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
