"""GET /metrics for Prometheus: the counters and histograms every process wrote (core/metrics.py)
plus states read from the database at scrape time: jobs queued and running by kind, download
attempts by state, and the speed of each folder's last scan. States come from the database
because it already holds them whichever process changed them, and stays right across restarts.

Needs an API key (`X-Api-Key`, `Authorization: Bearer <key>` or `?apikey=`) or a login, unless
OMNI_METRICS_PUBLIC=true."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count
from django.http import HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from core.api.auth import API_KEY_HEADER
from core.metrics_files import metric_files
from core.models import ApiKey, Job, JobState
from downloaders.models import AttemptState, DownloadAttempt
from scanning.models import RunState, ScanFolder, ScanRun


class ProcessFilesCollector:
    """The multiprocess files of every host folder under METRICS_DIR, added up."""

    def collect(self):
        return MultiProcessCollector.merge(metric_files(settings.METRICS_DIR), accumulate=True)


class DatabaseCollector:
    def collect(self):
        yield from job_gauges()
        yield download_gauge()
        yield scan_speed_gauge()


def job_gauges():
    depth = GaugeMetricFamily("omnireadarr_job_queue_depth", "Jobs waiting in the queue, by kind", labels=["kind"])
    running = GaugeMetricFamily("omnireadarr_jobs_running", "Jobs running now, by kind", labels=["kind"])
    rows = (
        Job.objects.filter(state__in=(JobState.QUEUED, JobState.RUNNING))
        .values_list("kind", "state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for kind, state, count in rows:
        (depth if state == JobState.QUEUED else running).add_metric([kind], count)
    return depth, running


def download_gauge():
    gauge = GaugeMetricFamily(
        "omnireadarr_download_attempts",
        "Download attempts by state (failed, blacklisted and imported are the outcomes)",
        labels=["state"],
    )
    counts = dict(DownloadAttempt.objects.values_list("state").annotate(n=Count("pk")).order_by())
    for state in AttemptState.values:
        gauge.add_metric([state], counts.get(state, 0))
    return gauge


def scan_speed_gauge():
    gauge = GaugeMetricFamily(
        "omnireadarr_scan_files_per_second",
        "Files looked at per second in each folder's last finished scan",
        labels=["folder"],
    )
    finished = ScanRun.objects.filter(state=RunState.SUCCEEDED, duration_seconds__gt=0)
    for folder in ScanFolder.objects.only("pk", "path"):  # a few folders: one small query each
        run = finished.filter(folder=folder).order_by("-started_at").only("seen", "duration_seconds").first()
        if run is not None:
            gauge.add_metric([folder.path], run.seen / run.duration_seconds)
    return gauge


def allowed(request) -> bool:
    if settings.METRICS_PUBLIC or (request.user.is_authenticated and request.user.is_active):
        return True
    bearer = request.headers.get("Authorization", "")
    key = (
        request.headers.get(API_KEY_HEADER)
        or request.GET.get("apikey")
        or (bearer[7:] if bearer.startswith("Bearer ") else "")
    )
    return ApiKey.user_for(key) is not None


def metrics_view(request):
    if not allowed(request):
        response = HttpResponse(
            "API key required (X-Api-Key header, Bearer token or ?apikey=)\n",
            status=401,
            content_type="text/plain; charset=utf-8",
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ProcessFilesCollector())
    registry.register(DatabaseCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
