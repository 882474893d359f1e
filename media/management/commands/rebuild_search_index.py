from __future__ import annotations

from django.core.management.base import BaseCommand

from media import search_index


class Command(BaseCommand):
    help = "Rebuild the library search index (full-text rows, sort keys and vocabulary) from the catalogue."

    def handle(self, *args, **options) -> None:
        def progress(done: int, total: int, message: str) -> None:
            self.stdout.write(message)

        count = search_index.rebuild_all(progress=progress)
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} items."))
