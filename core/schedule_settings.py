"""Settings > Schedules: the periodic jobs of `omnireadarr/schedules.py` with their database
overrides (ScheduleSetting): switch each on or off, change its interval (empty: the default or
the OMNI_SCHEDULE_<NAME> variable), and see the last and next run."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import forms
from django.db import transaction
from django.utils import timezone

from core.errors import NotFound
from core.jobs import job_kinds
from core.models import ScheduleSetting
from core.scheduler import effective_interval
from core.settings_forms import invalid
from omnireadarr.schedules import SCHEDULES, Schedule

MAX_MINUTES = 366 * 24 * 60


class ScheduleForm(forms.Form):
    enabled = forms.BooleanField(required=False, label="On")
    interval_minutes = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_MINUTES,
        label="Every (minutes)",
        help_text="Empty: the default",
    )


def _schedule(name: str) -> Schedule:
    found = next((s for s in SCHEDULES if s.name == name), None)
    if found is None:
        raise NotFound(f"No periodic job called {name!r}")
    return found


def _settings() -> dict[str, ScheduleSetting]:
    for schedule in SCHEDULES:
        ScheduleSetting.objects.get_or_create(name=schedule.name)
    return {s.name: s for s in ScheduleSetting.objects.select_related("last_job")}


def _title(schedule: Schedule) -> str:
    kind = job_kinds().get(schedule.job_kind)
    return kind.title if kind else schedule.job_kind


def _next_run(setting: ScheduleSetting, interval: timedelta | None, now: datetime) -> datetime | None:
    if interval is None:
        return None
    if setting.last_run_at is None:
        return now
    return max(setting.last_run_at + interval, now)


def every_text(minutes: int) -> str:
    """1440 -> 'every day', 360 -> 'every 6 hours', 1 -> 'every minute'."""
    for size, unit in ((7 * 24 * 60, "week"), (24 * 60, "day"), (60, "hour"), (1, "minute")):
        if minutes % size == 0:
            count = minutes // size
            return f"every {unit}" if count == 1 else f"every {count} {unit}s"
    return f"every {minutes} minutes"


def row(schedule: Schedule, setting: ScheduleSetting, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    interval = effective_interval(schedule, setting)
    job = setting.last_job
    return {
        "name": schedule.name,
        "title": _title(schedule),
        "job_kind": schedule.job_kind,
        "enabled": setting.enabled,
        "default_minutes": int(schedule.every.total_seconds() // 60),
        "default_text": every_text(int(schedule.every.total_seconds() // 60)),
        "interval_minutes": setting.interval_seconds // 60 if setting.interval_seconds else None,
        "effective_minutes": int(interval.total_seconds() // 60) if interval else None,
        "last_run_at": setting.last_run_at,
        "next_run_at": _next_run(setting, interval, now),
        "last_job_id": job.pk if job else None,
        "last_job_state": job.state if job else "",
    }


def rows() -> list[dict]:
    settings, now = _settings(), timezone.now()
    return [row(s, settings[s.name], now) for s in SCHEDULES]


def form_for(schedule_row: dict, data=None) -> ScheduleForm:
    initial = {"enabled": schedule_row["enabled"], "interval_minutes": schedule_row["interval_minutes"]}
    return ScheduleForm(data, prefix=schedule_row["name"], initial=initial)


@transaction.atomic
def update(name: str, *, enabled: bool, interval_minutes: int | None) -> dict:
    """Store one job's switch and interval (None: back to the default)."""
    schedule = _schedule(name)
    form = ScheduleForm({"enabled": enabled, "interval_minutes": interval_minutes})
    if not form.is_valid():
        raise invalid(form, f"settings of {schedule.name}")
    setting, _ = ScheduleSetting.objects.get_or_create(name=name)
    setting.enabled = form.cleaned_data["enabled"]
    minutes = form.cleaned_data["interval_minutes"]
    setting.interval_seconds = minutes * 60 if minutes else None
    setting.save(update_fields=["enabled", "interval_seconds"])
    return row(schedule, setting)


@transaction.atomic
def save_forms(bound: list[ScheduleForm]) -> None:
    for form in bound:
        ScheduleSetting.objects.filter(name=form.prefix).update(
            enabled=form.cleaned_data["enabled"],
            interval_seconds=(form.cleaned_data["interval_minutes"] or 0) * 60 or None,
        )
