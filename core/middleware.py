from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from core.api.edge import is_api_match
from core.logging import correlation, new_correlation_id
from core.permissions import FIRST_RUN_PAGES, Role, page_access, role_of

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


class ContentSecurityPolicyMiddleware:
    """`Content-Security-Policy` from settings.CONTENT_SECURITY_POLICY on every response (a view
    may set a policy of its own: the web readers do).

    No page may be framed, except by our own pages: the audiobook player keeps playing while the
    app's pages change in its frame. Only a same-origin frame navigation (the browser's
    `Sec-Fetch-Dest: iframe` + `Sec-Fetch-Site: same-origin`, which no page script can forge)
    gets `frame-ancestors 'self'` and `X-Frame-Options: SAMEORIGIN`; everything else keeps
    `'none'` / `DENY`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy:
            response.headers.setdefault("Content-Security-Policy", policy)
        if _framed_by_our_own_page(request) and "Content-Security-Policy" in response.headers:
            own = response.headers["Content-Security-Policy"]
            response.headers["Content-Security-Policy"] = own.replace("frame-ancestors 'none'", SAME_ORIGIN_FRAMES)
            response.headers["X-Frame-Options"] = "SAMEORIGIN"
        return response


SAME_ORIGIN_FRAMES = "frame-ancestors 'self'"


def _framed_by_our_own_page(request) -> bool:
    return request.headers.get("Sec-Fetch-Dest") == "iframe" and request.headers.get("Sec-Fetch-Site") == "same-origin"


class PageRolesMiddleware:
    """Every HTML page is open to the roles core/permissions.py gives it: anonymous visitors of
    another page go to the log-in page, readers get 403. The JSON API under /api/ checks the
    same table itself (core/api/auth.py) and answers 401/403 in the envelope; so does the OPDS
    catalogue under /opds/ (reading apps get a Basic challenge, not the log-in page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or is_api_match(match) or "opds" in match.namespaces:
            return None
        name = "admin:*" if "admin" in match.namespaces else match.view_name
        role = role_of(request.user)
        if page_access(name).allows(role) or (role == Role.ANONYMOUS and _first_run(name)):
            return None
        if role == Role.ANONYMOUS:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        raise PermissionDenied("This page needs the admin role.")


def _first_run(name: str) -> bool:
    from django.contrib.auth import get_user_model

    return name in FIRST_RUN_PAGES and not get_user_model().objects.exists()
