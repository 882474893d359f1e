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
    # Each WANTED item is searched every AcquisitionSettings.search_interval_hours (6 h, staggered
    # per item); this only looks for due items.
    Schedule("search_wanted", "downloaders.search_wanted", timedelta(minutes=30)),
    Schedule("monitor_downloads", "downloaders.monitor_downloads", timedelta(minutes=1)),
    # Start-up check (first run at scheduler start) and safety net: finish rename batches a crash interrupted.
    Schedule("rename_recover", "processing.rename_recover", timedelta(minutes=10)),
    Schedule("enrich_new_items", "search.enrich_items", timedelta(hours=1), {"only_new": True}),
    Schedule("library_rescan", "scanning.rescan_due", timedelta(minutes=15)),
    # Database + covers archive in OMNI_BACKUP_DIR, the oldest beyond BackupSettings.keep deleted.
    Schedule("backup", "operations.backup", timedelta(days=1), {"reason": "scheduled"}),
    Schedule("integrity_check", "operations.integrity_check", timedelta(days=7)),
    # Health checks (Health page): a problem is notified when it appears and when it is gone.
    Schedule("check_health", "notifications.check_health", timedelta(minutes=1)),
    Schedule("notifications_sweep", "notifications.sweep", timedelta(minutes=5)),
    # Followed authors and series: their new books become wanted (monitoring app).
    Schedule("monitor_check", "monitoring.check", timedelta(hours=12)),
    # Sources an admin lets follow their accuracy: trust moved within the admin's bounds, each
    # change in the trust audit log (Data sources page); a person's last word holds until new evidence.
    Schedule("trust_adjust", "search.adjust_trust", timedelta(days=1)),
)
