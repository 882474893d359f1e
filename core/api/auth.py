"""Authentication of the JSON API (session or X-Api-Key) and its roles, read from the one table
in core/permissions.py: an authenticated request whose role the table does not allow for the
operation gets 403 before its input is read; anonymous requests get 401."""
from __future__ import annotations

import re
from functools import wraps

from ninja.security import APIKeyHeader, SessionAuth

from core.errors import PermissionDenied
from core.permissions import Role, api_access, role_of

API_KEY_HEADER = "X-Api-Key"
_ROUTE_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def operation_path(request) -> str:
    """The OpenAPI path of the matched operation: `api/jobs/<int:job_id>` -> `/api/jobs/{job_id}`."""
    return "/" + _ROUTE_PARAM.sub(r"{\1}", request.resolver_match.route)


def check_role(request, user) -> None:
    role = role_of(user)
    if not api_access(request.method, operation_path(request)).allows(role):
        raise PermissionDenied("This action needs the admin role.", hint="Ask an administrator.")


class ApiKeyAuth(APIKeyHeader):
    """`X-Api-Key: <key>` for scripts and other *arr tools."""

    param_name = API_KEY_HEADER

    def authenticate(self, request, key):
        user = api_key_user(request)
        if user is None:
            return None
        request.user = user
        request.authenticated_by = "api_key"
        check_role(request, user)
        return user


class LoggedInSession(SessionAuth):
    """The browser's session (CSRF checked on unsafe methods). A request without a logged-in
    session is anonymous: it gets 401, not a CSRF failure (there is no session to forge)."""

    def _get_key(self, request):
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is None or not user.is_active:
            return None
        request.authenticated_by = "session"
        check_role(request, user)
        return user


API_AUTH = [ApiKeyAuth(), LoggedInSession()]


def is_admin(user) -> bool:
    return role_of(user) == Role.ADMIN


def api_key_user(request):
    """The active user whose key the request's X-Api-Key header holds, else None; looked up once
    per request (the rate limit and the authentication both ask)."""
    from core.models import ApiKey

    if not hasattr(request, "_omni_api_key_user"):
        request._omni_api_key_user = ApiKey.user_for(request.headers.get(API_KEY_HEADER, ""))
    return request._omni_api_key_user


def request_user(request):
    """The session's user, else the X-Api-Key's user, else None: for the few endpoints that
    answer anonymous requests too (health, the OpenAPI document)."""
    if request.user.is_authenticated:
        return request.user
    return api_key_user(request)


def docs_guard(view):
    """The OpenAPI document and the docs page: the roles table's entries for them."""
    from django.http import JsonResponse

    from core.api.envelope import error_body

    @wraps(view)
    def guarded(request, *args, **kwargs):
        user = request_user(request)
        if user is None:
            body = error_body("Authentication required: log in or send an X-Api-Key header.", "authentication_required")
            return JsonResponse(body, status=401)
        if not api_access("GET", request.path).allows(role_of(user)):
            return JsonResponse(error_body("This page needs the admin role.", "permission_denied"), status=403)
        return view(request, *args, **kwargs)

    return guarded
