"""The API's edge: the versioned prefix and its deprecated alias, and the answers no operation
gives itself (a known address asked with a method it does not take).

`/api/v1/...` is the documented API. `/api/...` answers the same operations for one more release:
its responses carry `Deprecation` (RFC 9745) and a `Link` to the same address under /api/v1/."""

from __future__ import annotations

from datetime import UTC, datetime

from django.http import JsonResponse

from core.api.envelope import error_body
from core.permissions import API_VERSION_PREFIX

API_APP_NAME = "ninja"  # django-ninja's application namespace: both prefixes resolve into it
ALIAS_NAMESPACE = "api-deprecated"
# The release that introduced /api/v1/ deprecated the bare /api/ alias (RFC 9745 Structured Date).
ALIAS_DEPRECATED_SINCE = datetime(2026, 12, 6, tzinfo=UTC)


def alias_urls(api):
    """The API's URL patterns again, under another instance namespace: reversing "api:..." keeps
    giving the /api/v1/ address, so the OpenAPI document lists /api/v1/ paths only."""
    patterns, app_name, _namespace = api.urls
    return patterns, app_name, ALIAS_NAMESPACE


def is_api_match(match) -> bool:
    return match is not None and API_APP_NAME in match.app_names


def is_alias_match(request) -> bool:
    """Whether the request reached an operation through the deprecated /api/ alias."""
    match = getattr(request, "resolver_match", None)
    return match is not None and ALIAS_NAMESPACE in match.namespaces


def successor_path(path: str) -> str:
    return API_VERSION_PREFIX + path.removeprefix("/api/")


class ApiEdgeMiddleware:
    """For every /api/ response: a method the address does not take answers 405 in the envelope
    (django-ninja answers a plain-text 405), and the deprecated alias says so in its headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/"):
            return response
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            response = _keeping_headers(response, method_not_allowed(request, response.get("Allow", "")))
        if is_alias_match(request):
            response["Deprecation"] = f"@{int(ALIAS_DEPRECATED_SINCE.timestamp())}"
            response["Link"] = f'<{successor_path(request.path)}>; rel="successor-version"'
        return response


def _keeping_headers(old, new):
    """`new` with the headers the inner layers set on `old` (rate-limit counters, for one)."""
    for name, value in old.items():
        if name.lower() not in ("content-type", "content-length") and name not in new:
            new[name] = value
    return new


def method_not_allowed(request, allow: str) -> JsonResponse:
    allowed = ", ".join(sorted(m.strip() for m in allow.split(",") if m.strip()))
    response = JsonResponse(
        error_body(
            f"{request.method} is not allowed at {request.path}",
            "method_not_allowed",
            hint=f"Allowed: {allowed}" if allowed else "",
            details={"allowed": allowed.split(", ")},
        ),
        status=405,
    )
    response["Allow"] = allowed
    return response
