"""Everything a restore must bring back, as plain JSON: books, file records, provenance
values, settings, the rename journal and the cover files. Computed in the test process on the
original install and in a subprocess on the restored one, then compared."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.conf import settings


def _covers(paths: list[str]) -> dict[str, str]:
    out = {}
    for relative in paths:
        file = Path(settings.DATA_DIR) / relative
        out[relative] = hashlib.sha256(file.read_bytes()).hexdigest() if file.is_file() else "MISSING"
    return out


def library_fingerprint() -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from core.models import ApiKey, ScheduleSetting
    from media.models import LibraryFile, MediaItem
    from operations.models import BackupSettings
    from processing.models import ImportSettings, KindProcessingSettings
    from processing.renaming.models import NamingTemplate, RenameBatch
    from scanning.models import ScanFolder
    from search.models import FieldCandidate, MetadataSettings, ResolvedField

    items = [
        {
            "title": i.title,
            "isbn13": i.isbn13,
            "series": i.series.title if i.series else "",
            "series_index": str(i.series_index),
            "year": i.year,
            "language": i.language,
            "cover": i.cover_path,
            "authors": [c.author.name for c in i.contributions.select_related("author").order_by("position")],
            "identifiers": sorted([x.scheme, x.value] for x in i.identifiers.all()),
            "tags": sorted(t.name for t in i.tags.all()),
        }
        for i in MediaItem.objects.select_related("series").order_by("title")
    ]
    files = sorted(
        [f.path, f.size, f.sha256, f.state, f.format, f.item.title if f.item else None]
        for f in LibraryFile.objects.select_related("item")
    )
    candidates = sorted(
        [c.item.title, c.field, c.source.name, repr(c.value), c.confidence]
        for c in FieldCandidate.objects.select_related("item", "source")
    )
    resolved = sorted(
        [r.item.title, r.field, r.source.name if r.source else None, repr(r.value), r.confidence, r.locked]
        for r in ResolvedField.objects.select_related("item", "source")
    )
    backup = BackupSettings.load()
    return {
        "items": items,
        "files": files,
        "provenance": {"candidates": candidates, "resolved": resolved},
        "settings": {
            "backup": [backup.keep, backup.include_covers],
            "metadata": MetadataSettings.load().strong_distance,
            "import": ImportSettings.objects.values_list("min_cover_size", flat=True).first(),
            "kinds": sorted(KindProcessingSettings.objects.values_list("kind", "existing_file_policy", "template")),
            "schedules": sorted(ScheduleSetting.objects.values_list("name", "enabled", "interval_seconds")),
            "templates": sorted(NamingTemplate.objects.values_list("name", "template")),
            "folders": sorted([f.path, f.content_type, sorted(f.formats)] for f in ScanFolder.objects.all()),
            "users": sorted(get_user_model().objects.values_list("username", "is_staff")),
            "api_keys": sorted(ApiKey.objects.values_list("prefix", "key_hash")),
        },
        "journal": [
            [b.state, b.template, sorted([o.source, o.destination, o.state] for o in b.operations.all())]
            for b in RenameBatch.objects.order_by("pk")
        ],
        "covers": _covers(sorted({i["cover"] for i in items if i["cover"]})),
    }
