"""`manage.py restore <file> [--dry-run]`: see operations.backups.restore."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from core.errors import OmniError
from operations.backups import restore


class Command(BaseCommand):
    help = (
        "Restore a backup archive (a .zip from the backup folder): the database is replaced, after a backup "
        "of the current one. Stop the web, worker and scheduler processes first."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The backup archive (.zip)")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the backup and say what it would restore; change nothing"
        )

    def handle(self, *args, file: str, dry_run: bool, **options) -> None:
        try:
            path = restore.check_file(file)
            if dry_run:
                self._dry_run(path)
                return
            result = restore.restore(path, say=self.stdout.write)
        except OmniError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {path.name}: {sum(result.plan.manifest.tables.values())} rows, "
                f"{result.covers_written} covers put back, {result.jobs_ended} unfinished job(s) ended."
                + (f" The database it replaced is in {result.safety_backup}." if result.safety_backup else "")
            )
        )

    def _dry_run(self, path) -> None:
        plan = restore.plan_restore(path)
        for line in plan.lines():
            self.stdout.write(line)
        if not plan.restorable:
            raise CommandError("This backup cannot be restored: " + " ".join(plan.problems()))
        self.stdout.write(self.style.SUCCESS("Dry run: nothing was changed. Run again without --dry-run to restore."))
