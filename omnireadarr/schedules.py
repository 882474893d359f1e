"""The table of periodic jobs. One scheduler process (`manage.py scheduler`) only
enqueues them. Each interval can be overridden by the environment
(`OMNI_SCHEDULE_<NAME>` in seconds, 0 disables) and by the database (admin:
Schedule settings), the database winning."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta


@dataclass(frozen=True)
class Schedule:
    name: str
    job_kind: str
    every: timedelta
    params: dict = field(default_factory=dict)

    @property
    def env_name(self) -> str:
        return f"SCHEDULE_{self.name.upper()}"


SCHEDULES: tuple[Schedule, ...] = (
    Schedule("prune_jobs", "core.prune_jobs", timedelta(hours=6)),
    Schedule("library_rescan", "scanning.rescan_due", timedelta(minutes=15)),
)
