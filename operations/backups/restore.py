"""`manage.py restore <file>`: check a backup, say what it would restore, and restore it.

A restore replaces the whole database with the backup's (after writing a backup of the
current one, unless it is an empty install), puts back the covers missing from the data
folder, applies the migrations this version adds, and ends the jobs that were running when
the backup was made (their queue messages are not in the backup)."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections

from core.errors import Conflict, InvalidInput
from operations.backups import archive, engines, schema
from operations.backups.archive import Manifest
from operations.backups.schema import Compatibility
from operations.backups.service import make_backup

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RestorePlan:
    path: Path
    manifest: Manifest
    compatibility: Compatibility
    current: dict[str, int]  # rows per table now; empty for an empty install
    engine: str

    @property
    def restorable(self) -> bool:
        return self.compatibility.restorable and self.manifest.engine == self.engine

    def problems(self) -> list[str]:
        found = []
        if self.manifest.engine != self.engine:
            found.append(
                f"The backup holds a {self.manifest.engine} database; this install uses {self.engine}. "
                "Restore it into an install on the same database engine."
            )
        if not self.compatibility.restorable:
            found.append(self.compatibility.describe())
        return found

    def lines(self) -> list[str]:
        m = self.manifest
        out = [
            f"Backup {self.path.name}: OmniReadarr {m.version}, made {m.created_at} ({m.reason}), "
            f"{m.engine} database, {m.data_files} data file(s) (covers)",
            f"Schema: {self.compatibility.describe()}",
            "Rows per table (backup / now):",
        ]
        width = max((len(t) for t in m.tables), default=10)
        for table in sorted(set(m.tables) | set(self.current)):
            backup = m.tables.get(table, "-")
            out.append(f"  {table:<{width}}  {backup!s:>8} / {self.current.get(table, '-')!s:>8}")
        return out


def plan_restore(path: Path) -> RestorePlan:
    """Read and check the archive (manifest, schema, database readable); change nothing."""
    manifest = archive.read_manifest(path)
    kind = connection.vendor
    plan = RestorePlan(
        path,
        manifest,
        schema.compatibility(manifest.migrations),
        schema.current_counts() if schema.current_database_has_schema() else {},
        kind,
    )
    with tempfile.TemporaryDirectory(prefix="omni-restore-check-") as work:
        database = archive.extract_database(path, manifest, Path(work) / manifest.database_member)
        if manifest.engine == "sqlite":
            engines.sqlite_check(database)
        else:
            engines.pg_check(database)
    return plan


@dataclass(frozen=True)
class RestoreResult:
    plan: RestorePlan
    safety_backup: str  # name of the backup of the database the restore replaced ('' for an empty install)
    covers_written: int
    jobs_ended: int


def restore(path: Path, *, say: Callable[[str], None] = logger.info) -> RestoreResult:
    plan = plan_restore(path)
    if not plan.restorable:
        raise Conflict("Nothing was restored. " + " ".join(plan.problems()))
    safety = ""
    if plan.current:
        safety = make_backup("pre-restore").name
        say(f"Backed up the current database first: {safety}")
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=Path(settings.DATA_DIR)) as work:
        database = archive.extract_database(path, plan.manifest, Path(work) / plan.manifest.database_member)
        _replace_database(database, plan.engine)
    say("Database restored")
    written, kept = archive.extract_data_files(path, Path(settings.DATA_DIR))
    say(f"Covers: {written} put back, {kept} already there")
    call_command("migrate", interactive=False, verbosity=0)
    if plan.compatibility.to_apply:
        say(f"Applied {len(plan.compatibility.to_apply)} migration(s) of this version")
    ended = _end_unfinished_jobs()
    return RestoreResult(plan, safety, written, ended)


def _replace_database(database: Path, kind: str) -> None:
    if kind == "sqlite":
        live = Path(connection.settings_dict["NAME"])
        connections.close_all()
        engines.sqlite_restore(database, live)
    else:
        engines.pg_restore(connection, database)
        connections.close_all()


def _end_unfinished_jobs() -> int:
    """Jobs queued or running when the backup was made: their messages are not in the backup."""
    from core.jobs.services import end_job
    from core.models import FINISHED_STATES, Job, JobState

    ended = 0
    for job_id in Job.objects.exclude(state__in=FINISHED_STATES).values_list("pk", flat=True):
        ended += end_job(job_id, JobState.CANCELLED, message="Ended by a restore: it was unfinished in the backup")
    return ended


def check_file(raw: str) -> Path:
    path = Path(raw).expanduser()
    if not path.is_file():
        raise InvalidInput(f"{raw} is not a file")
    return path.resolve()
