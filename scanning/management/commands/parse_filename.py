"""`python manage.py parse_filename --kind ebook < paths.txt`: one JSON object per input line."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand

from scanning.extractors.filename import PARSERS, as_json, parse_path


class Command(BaseCommand):
    help = "Parse book/comic/audiobook paths (one per line on stdin) into JSON lines of metadata"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--kind", choices=sorted(PARSERS), required=True)

    def handle(self, *args, **options) -> None:
        kind = options["kind"]
        for line in sys.stdin:
            path = line.rstrip("\r\n")
            if not path.strip():
                continue
            result = {"path": path, **as_json(parse_path(path, kind))}
            self.stdout.write(json.dumps(result, ensure_ascii=False))
