from __future__ import annotations

from ninja.security import APIKeyHeader, SessionAuth

from core.errors import PermissionDenied


class ApiKeyAuth(APIKeyHeader):
    """`X-Api-Key: <key>` for scripts and other *arr tools."""

    param_name = "X-Api-Key"

    def authenticate(self, request, key):
        from core.models import ApiKey

        user = ApiKey.user_for(key or "")
        if user is not None:
            request.user = user
        return user


class LoggedInSession(SessionAuth):
    """The browser's session (CSRF checked on unsafe methods)."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


API_AUTH = [ApiKeyAuth(), LoggedInSession()]


def is_admin(user) -> bool:
    return bool(user and user.is_active and (user.is_staff or user.is_superuser))


def require_admin(request) -> None:
    """Configuration and file operations are for admins; readers browse and search."""
    if not is_admin(getattr(request, "auth", None) or request.user):
        raise PermissionDenied("This action needs the admin role.", hint="Ask an administrator.")


def docs_guard(view):
    """The OpenAPI document and the docs page need a login or an API key like every endpoint."""
    from functools import wraps

    from django.http import JsonResponse

    from core.api.envelope import error_body
    from core.models import ApiKey

    @wraps(view)
    def guarded(request, *args, **kwargs):
        user = request.user if request.user.is_authenticated else ApiKey.user_for(request.headers.get("X-Api-Key", ""))
        if user is None:
            body = error_body("Authentication required: log in or send an X-Api-Key header.", "authentication_required")
            return JsonResponse(body, status=401)
        return view(request, *args, **kwargs)

    return guarded
