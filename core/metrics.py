"""Prometheus metrics counted where things happen, in every process (prometheus-client's
multiprocess mode: see core/metrics_files.py for where the files live and when they are emptied).
States (queue depth, downloads by state, scan speed) are read from the database when /metrics is
scraped instead (omnireadarr/metrics.py)."""

from __future__ import annotations

import time
from collections.abc import Iterable

from prometheus_client import Counter, Histogram

SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
LONG_SECONDS = (0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600)
SCORES = (10, 20, 30, 40, 50, 60, 70, 80, 90, 100)

API_LATENCY = Histogram(
    "omnireadarr_api_request_duration_seconds",
    "API requests by route (the operation, whichever prefix), method and status class",
    ["route", "method", "status"],
    buckets=SECONDS,
)
PROVIDER_CALLS = Counter(
    "omnireadarr_provider_calls_total", "Metadata provider calls by outcome", ["provider", "outcome"]
)
JOB_DURATION = Histogram(
    "omnireadarr_job_duration_seconds",
    "Background jobs from start to end, by kind and final state",
    ["kind", "state"],
    buckets=LONG_SECONDS,
)
IMPORT_DURATION = Histogram(
    "omnireadarr_import_duration_seconds", "Import pipeline runs by outcome", ["outcome"], buckets=LONG_SECONDS
)
CONVERSION_DURATION = Histogram(
    "omnireadarr_conversion_duration_seconds",
    "Format conversions (the import's convert step) by outcome",
    ["outcome"],
    buckets=LONG_SECONDS,
)
SEARCH_SCORES = Histogram(
    "omnireadarr_search_result_score",
    "Scores (0-100) of the releases indexer searches found, accepted or rejected",
    ["accepted"],
    buckets=SCORES,
)


def provider_call(provider: str, outcome: str) -> None:
    PROVIDER_CALLS.labels(provider, outcome).inc()


def job_ended(kind: str, state: str, seconds: float) -> None:
    JOB_DURATION.labels(kind, state).observe(max(0.0, seconds))


def import_ended(outcome: str, steps: Iterable[tuple[str, str, float]]) -> None:
    """An import's outcome and its steps as (name, status, seconds)."""
    steps = list(steps)
    IMPORT_DURATION.labels(outcome).observe(sum(seconds for _, _, seconds in steps))
    for name, status, seconds in steps:
        if name == "convert" and status in ("ok", "failed"):
            CONVERSION_DURATION.labels(status).observe(seconds)


def search_scored(scores: Iterable[tuple[float, bool]]) -> None:
    for score, accepted in scores:
        SEARCH_SCORES.labels("true" if accepted else "false").observe(score)


class ApiLatencyMiddleware:
    """Times every /api/ request by its resolved route (`/api/jobs/{job_id}`: the roles table's
    key, so both prefixes count as one route and no raw id or unknown path becomes a label)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        started = time.perf_counter()
        response = self.get_response(request)
        method = request.method if request.method in KNOWN_METHODS else "other"
        API_LATENCY.labels(route_label(request, response), method, f"{response.status_code // 100}xx").observe(
            time.perf_counter() - started
        )
        return response


KNOWN_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"})


def route_label(request, response) -> str:
    from core.api.auth import operation_path
    from core.permissions import api_table_path

    match = getattr(request, "resolver_match", None)
    if response.status_code == 429 and match is None:
        return "(rate limited)"
    if match is None or match.url_name == "api-not-found" or not match.route:
        return "(no such route)"
    return api_table_path(operation_path(request))
