from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import Job, ScheduleSetting
from core.scheduler import run_due_schedules
from omnireadarr.schedules import SCHEDULES, Schedule

pytestmark = pytest.mark.django_db

HOURLY = (Schedule("prune_jobs", "core.prune_jobs", timedelta(hours=1)),)


def test_schedule_table_names_known_job_kinds():
    from core.jobs import job_kinds

    kinds = job_kinds()
    assert SCHEDULES and all(s.job_kind in kinds for s in SCHEDULES)
    assert len({s.name for s in SCHEDULES}) == len(SCHEDULES)


def test_due_schedule_is_enqueued_once_per_interval(broker):
    now = timezone.now()
    assert run_due_schedules(now, HOURLY) == ["prune_jobs"]
    assert run_due_schedules(now + timedelta(minutes=30), HOURLY) == []
    assert run_due_schedules(now + timedelta(minutes=61), HOURLY) == ["prune_jobs"]
    assert Job.objects.filter(kind="core.prune_jobs", target="schedule:prune_jobs").count() == 2


def test_database_override_wins_over_default(broker):
    now = timezone.now()
    ScheduleSetting.objects.create(name="prune_jobs", interval_seconds=60, last_run_at=now)
    assert run_due_schedules(now + timedelta(seconds=61), HOURLY) == ["prune_jobs"]


def test_environment_override_and_zero_disables(broker, monkeypatch):
    now = timezone.now()
    ScheduleSetting.objects.create(name="prune_jobs", last_run_at=now)
    monkeypatch.setenv("OMNI_SCHEDULE_PRUNE_JOBS", "120")
    assert run_due_schedules(now + timedelta(seconds=121), HOURLY) == ["prune_jobs"]
    monkeypatch.setenv("OMNI_SCHEDULE_PRUNE_JOBS", "0")
    assert run_due_schedules(now + timedelta(days=9), HOURLY) == []


def test_disabled_schedule_never_runs(broker):
    ScheduleSetting.objects.create(name="prune_jobs", enabled=False)
    assert run_due_schedules(timezone.now(), HOURLY) == []


def test_second_scheduler_loses_the_race(broker):
    """Two schedulers reading the same state: the compare-and-swap lets one enqueue."""
    now = timezone.now()
    setting = ScheduleSetting.objects.create(name="prune_jobs", last_run_at=now - timedelta(hours=2))
    stale_view = setting.last_run_at
    assert run_due_schedules(now, HOURLY) == ["prune_jobs"]
    won = ScheduleSetting.objects.filter(pk=setting.pk, last_run_at=stale_view).update(last_run_at=now)
    assert won == 0
