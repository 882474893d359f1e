"""Probes of the running system, shared by /api/health, the system checks and the wizard."""

from __future__ import annotations

import logging
import sqlite3
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

HEARTBEAT_STALE_AFTER = timedelta(seconds=90)
logger = logging.getLogger(__name__)
# The open problems of the health checks (notifications app), as dicts: check, key, level,
# message, fix, since. Installed by that app when it is ready; core imports no app.
_problem_source: Callable[[], list[dict]] | None = None


def install_problem_source(source: Callable[[], list[dict]] | None) -> None:
    global _problem_source
    _problem_source = source


def health_problems() -> list[dict]:
    if _problem_source is None:
        return []
    try:
        return _problem_source()
    except DatabaseError:
        logger.warning("Health problems could not be read", exc_info=True)
        return []


@dataclass(frozen=True)
class Probe:
    name: str
    ok: bool
    detail: str


def probe_database() -> Probe:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Probe("database", True, connection.vendor)
    except Exception as exc:
        return Probe("database", False, f"{type(exc).__name__}: {exc}")


def probe_broker(timeout: float = 2.0) -> Probe:
    if settings.BROKER_URL:
        import pika

        try:
            params = pika.URLParameters(settings.BROKER_URL)
            params.socket_timeout = timeout
            params.blocked_connection_timeout = timeout
            params.connection_attempts = 1
            pika.BlockingConnection(params).close()
            return Probe("broker", True, f"RabbitMQ at {params.host}:{params.port}")
        except Exception as exc:
            return Probe("broker", False, f"RabbitMQ unreachable: {type(exc).__name__}: {exc}")
    try:
        conn = sqlite3.connect(settings.QUEUE_DB_PATH, timeout=timeout)
        conn.execute("SELECT 1").fetchone()
        conn.close()
        return Probe("broker", True, f"embedded SQLite queue {settings.QUEUE_DB_PATH}")
    except Exception as exc:
        return Probe("broker", False, f"embedded queue unusable: {exc}")


def probe_heartbeat(role: str, host: str | None = None, stale_after: timedelta = HEARTBEAT_STALE_AFTER) -> Probe:
    """Is a `role` process alive: any of them, or one on `host` (a container checking itself)?"""
    from core.models import Heartbeat

    try:
        beat = Heartbeat.latest(role, host)
    except DatabaseError as exc:
        return Probe(role, False, f"heartbeat unreadable: {type(exc).__name__}: {exc}")
    if beat is None:
        return Probe(role, False, f"no {role} has reported yet" + (f" on {host}" if host else ""))
    age = timezone.now() - beat.seen_at
    fresh = age <= stale_after
    return Probe(role, fresh, f"last seen {int(age.total_seconds())} s ago ({beat.name})")


def probe_web(url: str, timeout: float = 5.0) -> Probe:
    """GET the health endpoint of a web server on this machine; only HTTP 200 counts as up. The
    Host header is one ALLOWED_HOSTS accepts, so a site restricted to its domain still passes."""
    request = urllib.request.Request(url, headers={"Host": _accepted_host()})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via HTTP_PROXY
    try:
        with opener.open(request, timeout=timeout) as response:
            return Probe("web", response.status == 200, f"HTTP {response.status} from {url}")
    except urllib.error.HTTPError as exc:
        return Probe("web", False, f"HTTP {exc.code} from {url}")
    except (OSError, ValueError) as exc:  # refused, timed out, bad URL
        return Probe("web", False, f"{url} unreachable: {exc}")


def _accepted_host() -> str:
    from django.http.request import validate_host  # here: `manage.py serve`'s warm start checks without django.http

    hosts = settings.ALLOWED_HOSTS
    candidates = ["localhost", "127.0.0.1", *(host.lstrip(".") for host in hosts)]
    return next((name for name in candidates if name and validate_host(name, hosts)), "localhost")


def health_report() -> dict:
    probes = [probe_database(), probe_broker(), probe_heartbeat("worker"), probe_heartbeat("scheduler")]
    return {
        "status": "ok" if all(p.ok for p in probes) else ("degraded" if probes[0].ok else "down"),
        "checks": {p.name: {"ok": p.ok, "detail": p.detail} for p in probes},
    }
