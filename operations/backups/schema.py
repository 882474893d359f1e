"""Can this version read a backup's database? Its applied migrations are compared with the
migrations this version ships: one this version does not know means the backup comes from a
newer version (refused: the data would be read by code that does not know its columns); ones
it lacks are applied after the restore."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder


@dataclass(frozen=True)
class Compatibility:
    unknown: tuple[str, ...]  # in the backup, not in this version: the backup is newer
    to_apply: tuple[str, ...]  # in this version, not in the backup: applied after the restore

    @property
    def restorable(self) -> bool:
        return not self.unknown

    def describe(self) -> str:
        if self.unknown:
            shown = ", ".join(self.unknown[:5]) + (" ..." if len(self.unknown) > 5 else "")
            return (
                f"The backup comes from a newer OmniReadarr: its database has {len(self.unknown)} migration(s) "
                f"this version does not know ({shown}). Install that version (or a newer one), then restore."
            )
        if self.to_apply:
            return f"The backup's schema is older: {len(self.to_apply)} migration(s) will be applied after the restore."
        return "The backup's schema is this version's schema."


def shipped_migrations() -> set[tuple[str, str]]:
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def compatibility(backup_migrations: dict[str, list[str]]) -> Compatibility:
    applied = {(app, name) for app, names in backup_migrations.items() for name in names}
    shipped = shipped_migrations()
    return Compatibility(
        unknown=tuple(f"{app}.{name}" for app, name in sorted(applied - shipped)),
        to_apply=tuple(f"{app}.{name}" for app, name in sorted(shipped - applied)),
    )


def current_database_has_schema() -> bool:
    return MigrationRecorder(connection).has_table()


def current_counts() -> dict[str, int]:
    """Rows per table of the current database (for the dry run's comparison)."""
    with connection.cursor() as cur:
        names = connection.introspection.table_names(cur)
        counts = {}
        for name in names:
            cur.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)}")
            counts[name] = cur.fetchone()[0]
    return counts
