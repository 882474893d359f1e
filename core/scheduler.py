"""Runs the periodic jobs of `omnireadarr/schedules.py`: enqueues each one that is due.
Several scheduler processes are safe: a compare-and-swap on `last_run_at` lets exactly
one of them enqueue a given run."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from core.errors import OmniError
from core.jobs import submit_job
from core.models import Heartbeat, ScheduleSetting
from omnireadarr.env import env_int
from omnireadarr.schedules import SCHEDULES, Schedule

logger = logging.getLogger(__name__)


def effective_interval(schedule: Schedule, setting: ScheduleSetting) -> timedelta | None:
    """Database override, then environment, then the table's default; None = disabled."""
    if not setting.enabled:
        return None
    if setting.interval_seconds:
        return timedelta(seconds=setting.interval_seconds)
    seconds = env_int(schedule.env_name, int(schedule.every.total_seconds()), minimum=0)
    return timedelta(seconds=seconds) if seconds else None


def run_due_schedules(now: datetime | None = None, schedules: tuple[Schedule, ...] = SCHEDULES) -> list[str]:
    """Enqueue every due schedule; return the names enqueued."""
    now = now or timezone.now()
    started: list[str] = []
    for schedule in schedules:
        setting, _ = ScheduleSetting.objects.get_or_create(name=schedule.name)
        interval = effective_interval(schedule, setting)
        if interval is None:
            continue
        if setting.last_run_at and setting.last_run_at + interval > now:
            continue
        won = ScheduleSetting.objects.filter(pk=setting.pk, last_run_at=setting.last_run_at).update(last_run_at=now)
        if not won:
            continue
        try:
            job = submit_job(schedule.job_kind, target=f"schedule:{schedule.name}", params=dict(schedule.params))
        except OmniError as exc:
            logger.error("Schedule %s could not enqueue: %s", schedule.name, exc)
            continue
        ScheduleSetting.objects.filter(pk=setting.pk).update(last_job=job)
        started.append(schedule.name)
        logger.info("Schedule %s enqueued job %s", schedule.name, job.pk)
    return started


def run_scheduler(stop: threading.Event, *, tick: float = 5.0, once: bool = False) -> None:
    """The scheduler's loop: a heartbeat and the due schedules every `tick` seconds until `stop`
    is set. Runs as `manage.py scheduler` or as a thread of the worker (`manage.py serve`)."""
    name = Heartbeat.name_for("scheduler")
    logger.info("Scheduler started (%s)", name)
    while not stop.is_set():
        try:
            Heartbeat.beat(name, "scheduler")
            started = run_due_schedules()
            if started:
                logger.info("Enqueued: %s", ", ".join(started))
        except Exception:
            logger.exception("Scheduler tick failed; trying again next tick")
        finally:
            connection.close()
        if once:
            break
        stop.wait(tick)
    logger.info("Scheduler stopped")
