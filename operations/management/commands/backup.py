"""`manage.py backup`: write a backup archive now (the scheduled job does it daily)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from core.errors import OmniError
from operations.backups.service import make_backup


class Command(BaseCommand):
    help = "Write a backup archive (database + covers) into the backup folder."

    def handle(self, *args, **options) -> None:
        try:
            info = make_backup("manual")
        except OmniError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Backup written: {info.name} ({info.size} bytes)"))
