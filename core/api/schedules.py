"""JSON API of Settings > Schedules (`/api/schedules/`): the periodic jobs, switched and timed."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema
from pydantic import Field

from core import schedule_settings
from core.api.envelope import Envelope, ok
from core.api.types import Flag, whole

router = Router(tags=["schedules"])


class ScheduleOut(Schema):
    name: str
    title: str
    job_kind: str
    enabled: bool
    default_minutes: int
    default_text: str
    interval_minutes: int | None
    effective_minutes: int | None
    last_run_at: datetime | None
    next_run_at: datetime | None
    last_job_id: int | None
    last_job_state: str


class ScheduleIn(Schema):
    enabled: Flag
    interval_minutes: whole(1, schedule_settings.MAX_MINUTES) | None = Field(  # type: ignore[valid-type]
        None, description="null: the default interval"
    )


@router.get("/", response=Envelope[list[ScheduleOut]], summary="Periodic jobs: switch, interval, last and next run")
def list_schedules(request):
    return ok(schedule_settings.rows())


@router.put("/{name}", response=Envelope[ScheduleOut], summary="Switch a periodic job and set its interval (admin)")
def update_schedule(request, name: str, payload: ScheduleIn):
    return ok(schedule_settings.update(name, enabled=payload.enabled, interval_minutes=payload.interval_minutes))
