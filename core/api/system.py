from __future__ import annotations

import platform
from datetime import datetime

import django
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import JsonResponse
from ninja import Router, Schema, Status
from pydantic import Field

from core.api.auth import is_admin, request_user
from core.api.envelope import Envelope, ok
from core.errors import PermissionDenied
from core.health import health_problems, health_report
from core.models import ApiKey

router = Router(tags=["system"])


class ProbeOut(Schema):
    ok: bool
    detail: str


class ProblemOut(Schema):
    check: str
    key: str
    level: str
    message: str
    fix: str
    since: datetime


class HealthOut(Schema):
    status: str = Field(description="ok, degraded or down")
    checks: dict[str, ProbeOut] | None = Field(None, description="Each probe's detail (admins only)")
    problems: list[ProblemOut] | None = Field(
        None, description="Open problems of the health checks, as on the Health page (admins only)")
    versions: dict[str, str] | None = Field(None, description="Python and Django (admins only)")


@router.get("/health", auth=None, response={200: Envelope[HealthOut], 503: Envelope[HealthOut]},
            summary="Status without login; database, broker, worker and scheduler details for admins")
def health(request):
    report = health_report()
    status = 503 if report["status"] == "down" else 200
    if is_admin(request_user(request)):
        shown = {**report, "versions": versions(), "problems": health_problems()}
    else:
        shown = {"status": report["status"]}
    return Status(status, {**ok(shown), "success": status == 200})


def versions() -> dict[str, str]:
    return {"python": platform.python_version(), "django": django.get_version()}


class ApiKeyOut(Schema):
    prefix: str | None
    created_at: datetime | None
    last_used_at: datetime | None
    key: str | None = None


@router.get("/auth/api-key", response=Envelope[ApiKeyOut], summary="Your API key's prefix and dates")
def api_key(request):
    key = ApiKey.objects.filter(user=request.auth).first()
    return ok({"prefix": key.prefix if key else None, "created_at": key.created_at if key else None,
               "last_used_at": key.last_used_at if key else None})


class RotateIn(Schema):
    password: str = Field("", max_length=4096,
                          description="Your password: needed when the request is authenticated by the API key only")


@router.post("/auth/api-key", response=Envelope[ApiKeyOut],
             summary="Create or replace your API key (from a logged-in page, or with your password); "
             "the key is shown only in this response")
def regenerate_api_key(request, payload: RotateIn | None = None):
    if request.authenticated_by == "api_key" and not _password_confirms(request, payload.password if payload else ""):
        raise PermissionDenied(
            "An API key cannot replace itself: replace it on the Settings page, or send your password "
            'in the body ({"password": "..."}).', hint="A stolen key alone must not be able to lock you out.")
    raw = ApiKey.issue(request.auth)
    key = ApiKey.objects.get(user=request.auth)
    return ok({"prefix": key.prefix, "created_at": key.created_at, "last_used_at": None, "key": raw})


def _password_confirms(request, password: str) -> bool:
    """The user's password, checked through the log-in backends (so failures are throttled)."""
    if not password:
        return False
    try:
        return authenticate(request, username=request.auth.get_username(), password=password) == request.auth
    except DjangoPermissionDenied:  # locked out after too many failures
        return False


def health_page_fallback(request):  # plain /health for load balancers and compose healthchecks: status only
    status = health_report()["status"]
    return JsonResponse({"status": status}, status=503 if status == "down" else 200)
