"""Making, listing and pruning backups in BACKUP_DIR (`$OMNI_DATA_DIR/backups` unless
OMNI_BACKUP_DIR says otherwise). What goes in: the whole database (catalogue, files, provenance,
settings, the rename and import journals, users and API keys) and the stored covers. What does
not: cover thumbnails and caches (remade from the covers), the task queue (jobs in flight end
at a restore), the books themselves (the library folders need a file backup of their own) and
the secret key (nothing stored depends on it; a restored install only asks users to log in)."""

from __future__ import annotations

import errno
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.errors import DiskFull, InvalidInput, NotFound
from operations.backups import archive, engines
from operations.backups.archive import Manifest
from operations.models import BackupSettings
from operations.version import app_version

logger = logging.getLogger(__name__)
ROTATED = ("scheduled", "manual")  # pre-restore backups are never pruned: only a person deletes those


@dataclass(frozen=True)
class BackupInfo:
    name: str
    size: int
    created_at: datetime
    reason: str

    @classmethod
    def of(cls, path: Path) -> BackupInfo:
        created_at, reason = archive.parse_name(path.name)
        return cls(path.name, path.stat().st_size, created_at, reason)


def backup_dir() -> Path:
    return Path(settings.BACKUP_DIR)


def engine() -> str:
    if connection.vendor not in archive.DATABASE_NAMES:
        raise InvalidInput(f"Backups support SQLite and PostgreSQL, not {connection.vendor}")
    return connection.vendor


def list_backups() -> list[BackupInfo]:
    """The archives in the backup folder, newest first (half-written `.part` files left out)."""
    folder = backup_dir()
    if not folder.is_dir():
        return []
    paths = [p for p in folder.iterdir() if archive.is_archive_name(p.name) and p.is_file()]
    paths.sort(key=lambda p: (archive.parse_name(p.name)[0], p.stat().st_mtime_ns), reverse=True)
    return [BackupInfo.of(p) for p in paths]


def backup_path(name: str) -> Path:
    """The archive called `name` in the backup folder: the name must be one of the listing's
    (never a path from a request)."""
    if not archive.is_archive_name(name):
        raise NotFound(f"No backup called {name!r}")
    path = backup_dir() / name
    if not path.is_file():
        raise NotFound(f"No backup called {name!r}")
    return path


def _data_files(include_covers: bool) -> list[Path]:
    """Stored covers (not their thumbnails, which are remade)."""
    covers = Path(settings.COVERS_DIR)
    if not include_covers or not covers.is_dir():
        return []
    return sorted(
        p
        for p in covers.rglob("*")
        if p.is_file() and "thumbs" not in p.relative_to(covers).parts and not p.name.endswith(".part")
    )


def make_backup(reason: str = "manual", *, progress: Callable[..., None] | None = None) -> BackupInfo:
    """Write one archive, then prune the oldest beyond BackupSettings.keep."""
    if reason not in archive.REASONS:
        raise InvalidInput(f"Unknown backup reason {reason!r}")
    report = progress or (lambda *a, **k: None)
    folder = backup_dir()
    folder.mkdir(parents=True, exist_ok=True)
    config = BackupSettings.load()
    created = timezone.now()
    name = archive.archive_name(created, reason, {p.name for p in folder.iterdir()})
    try:
        info = _write(folder / name, reason, created, include_covers=config.include_covers, report=report)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise DiskFull(
                f"Disk full while writing the backup in {folder}",
                hint="Free some space or lower the number of backups kept.",
            ) from exc
        raise
    if reason in ROTATED:
        prune(config.keep)
    logger.info("Backup %s written (%s bytes)", info.name, info.size)
    return info


def _write(
    target: Path, reason: str, created: datetime, *, include_covers: bool, report: Callable[..., None]
) -> BackupInfo:
    kind = engine()
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as work:
        database = Path(work) / archive.DATABASE_NAMES[kind]
        report(0, 2, "Copying the database")
        if kind == "sqlite":
            state = engines.sqlite_copy(Path(connection.settings_dict["NAME"]), database)
        else:
            state = engines.pg_dump(connection, database)
        files = _data_files(include_covers)
        report(1, 2, f"Writing the archive ({len(files)} covers)")
        manifest = Manifest(
            version=app_version(),
            created_at=created.isoformat(),
            engine=kind,
            reason=reason,
            migrations=state.migrations,
            tables=state.tables,
            data_files=len(files),
        )
        archive.write_archive(target, manifest, database, Path(settings.DATA_DIR), files)
    report(2, 2, "Done")
    return BackupInfo.of(target)


def prune(keep: int) -> list[str]:
    """Delete the oldest scheduled/manual backups beyond `keep`; return their names."""
    rotated = [b for b in list_backups() if b.reason in ROTATED]
    removed = []
    for old in rotated[keep:]:
        (backup_dir() / old.name).unlink(missing_ok=True)
        removed.append(old.name)
    if removed:
        logger.info("Pruned backups beyond %s: %s", keep, ", ".join(removed))
    return removed
