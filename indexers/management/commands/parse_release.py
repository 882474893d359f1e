"""`manage.py parse_release`: one release title per stdin line -> one JSON object per line."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand

from indexers.releases import parse_release


class Command(BaseCommand):
    help = "Parse release titles read from stdin (one per line); print one JSON object per line."

    def add_arguments(self, parser) -> None:
        parser.add_argument("titles", nargs="*", help="Titles to parse instead of reading stdin")

    def handle(self, *args, **options) -> None:
        lines = options["titles"] or sys.stdin
        for line in lines:
            title = line.rstrip("\r\n")
            if not title.strip():
                continue
            self.stdout.write(json.dumps(parse_release(title).as_dict(), ensure_ascii=False))
