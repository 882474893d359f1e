from __future__ import annotations

from datetime import datetime

from django.http import JsonResponse
from ninja import Router, Schema, Status

from core.api.envelope import Envelope, ok
from core.health import health_report
from core.models import ApiKey

router = Router(tags=["system"])


class ProbeOut(Schema):
    ok: bool
    detail: str


class HealthOut(Schema):
    status: str
    checks: dict[str, ProbeOut]


@router.get("/health", auth=None, response={200: Envelope[HealthOut], 503: Envelope[HealthOut]},
            summary="Database, broker, worker and scheduler status (no login needed)")
def health(request):
    report = health_report()
    status = 503 if report["status"] == "down" else 200
    return Status(status, {**ok(report), "success": status == 200})


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


@router.post("/auth/api-key", response=Envelope[ApiKeyOut],
             summary="Create or replace your API key; the key is shown only in this response")
def regenerate_api_key(request):
    raw = ApiKey.issue(request.auth)
    key = ApiKey.objects.get(user=request.auth)
    return ok({"prefix": key.prefix, "created_at": key.created_at, "last_used_at": None, "key": raw})


def health_page_fallback(request):  # plain /health for load balancers and compose healthchecks
    report = health_report()
    return JsonResponse(report, status=503 if report["status"] == "down" else 200)
