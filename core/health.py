"""Probes of the running system, shared by /api/health, the system checks and the wizard."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

HEARTBEAT_STALE_AFTER = timedelta(seconds=90)


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


def probe_heartbeat(role: str) -> Probe:
    from core.models import Heartbeat

    beat = Heartbeat.latest(role)
    if beat is None:
        return Probe(role, False, f"no {role} has reported yet")
    age = timezone.now() - beat.seen_at
    fresh = age <= HEARTBEAT_STALE_AFTER
    return Probe(role, fresh, f"last seen {int(age.total_seconds())} s ago ({beat.name})")


def health_report() -> dict:
    probes = [probe_database(), probe_broker(), probe_heartbeat("worker"), probe_heartbeat("scheduler")]
    return {
        "status": "ok" if all(p.ok for p in probes) else ("degraded" if probes[0].ok else "down"),
        "checks": {p.name: {"ok": p.ok, "detail": p.detail} for p in probes},
    }
