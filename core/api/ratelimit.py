"""Rate limits on the JSON API: per client and per minute, reads (GET, HEAD, OPTIONS) and writes
(the rest) counted apart, writes stricter. A client is its API key, else its logged-in user (the
UI's own requests), else its IP address: an anonymous request or one with an unknown key counts
against the address it comes from.

Counters are fixed one-minute windows in the `api-rate` cache (an atomic add + incr per request).
That cache is local memory, so each web process counts on its own: with W web processes a
client that spreads its requests over all of them gets at most W x the limit. The limits guard
against runaway scripts and floods, not as exact quotas; the defaults leave room for the UI."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import JsonResponse

from core.api.auth import api_key_user
from core.api.envelope import error_body

CACHE_ALIAS = "api-rate"
WINDOW_SECONDS = 60
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # seconds until the window ends


def client_identity(request) -> str:
    """Whom a request counts against (the same order the API authenticates in: key, session)."""
    key_user = api_key_user(request)
    if key_user is not None:
        return f"key:{key_user.pk}"
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"ip:{client_ip(request)}"


def client_ip(request) -> str:
    """REMOTE_ADDR, or behind a trusted reverse proxy (OMNI_TRUSTED_PROXY) the address the proxy
    appended to X-Forwarded-For (the right-most one: the client cannot forge it)."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if getattr(settings, "TRUSTED_PROXY", False) and forwarded.strip():
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def count_request(identity: str, *, write: bool, now: float | None = None) -> Verdict:
    limit = settings.API_RATE_WRITE if write else settings.API_RATE_READ
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    retry_after = max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
    if limit <= 0:  # 0 turns the limit off
        return Verdict(True, 0, 0, retry_after)
    cache = caches[CACHE_ALIAS]
    key = f"{'write' if write else 'read'}:{identity}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        used = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
        used = 1
    return Verdict(used <= limit, limit, max(0, limit - used), retry_after)


class ApiRateLimitMiddleware:
    """Counts every /api/ request and answers 429 in the envelope, with Retry-After, once the
    client's read or write limit for the minute is used up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        write = request.method not in READ_METHODS
        verdict = count_request(client_identity(request), write=write)
        response = self.get_response(request) if verdict.allowed else too_many(verdict, write=write)
        if verdict.limit:
            response["X-RateLimit-Limit"] = str(verdict.limit)
            response["X-RateLimit-Remaining"] = str(verdict.remaining)
        return response


def too_many(verdict: Verdict, *, write: bool) -> JsonResponse:
    kind = "writes" if write else "reads"
    body = error_body(
        f"Too many API {kind}: the limit is {verdict.limit} a minute.",
        "rate_limited",
        hint=f"Retry after {verdict.retry_after} s (OMNI_API_RATE_{'WRITE' if write else 'READ'} sets the limit).",
        details={"retry_after": verdict.retry_after, "limit": verdict.limit, "scope": "write" if write else "read"},
    )
    response = JsonResponse(body, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response
