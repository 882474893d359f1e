"""`manage.py parse_author`: one author line per stdin line -> one JSON object per line
(`display`, `sort`, `authors`: see core.authors.parse_author)."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand

from core.authors import parse_author


class Command(BaseCommand):
    help = "Parse author lines read from stdin (one per line); print one JSON object per line."

    def add_arguments(self, parser) -> None:
        parser.add_argument("lines", nargs="*", help="Author lines to parse instead of reading stdin")

    def handle(self, *args, **options) -> None:
        for line in options["lines"] or sys.stdin:
            text = line.rstrip("\r\n")
            if not text.strip():
                continue
            self.stdout.write(json.dumps(parse_author(text), ensure_ascii=False))
