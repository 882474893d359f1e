"""Covers and their grid thumbnails are made by a background job after a scan (books are
searchable before they exist): the job reads each queued item's cover from its files and
stores it once, content-addressed (media.covers)."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction
from django.db.models import Case, Value, When

from core.errors import DiskFull
from media import search_index
from media.covers import make_thumbnail, store_image, thumbnail_path
from media.models import FileState, LibraryFile, MediaItem
from scanning.extractors import Cover, ExtractionError, ExtractOptions, MissingTool
from scanning.models import PendingCover
from scanning.services.gather import read_cover

__all__ = ["DiskFull", "make_thumbnail", "store_pending_covers", "thumbnail_path"]

logger = logging.getLogger(__name__)


def store_pending_covers(*, progress: Callable[..., None] | None = None, chunk: int = 200) -> dict[str, int]:
    """Read, store and thumbnail the covers of the items a scan queued (PendingCover): from
    their first file that has one. An item whose files have no cover leaves the queue too."""
    report = progress or (lambda *a, **k: None)
    total, done, stored, thumbnails = PendingCover.objects.count(), 0, 0, 0
    while ids := list(PendingCover.objects.order_by("item_id").values_list("item_id", flat=True)[:chunk]):
        files: dict[int, list[tuple[str, str]]] = defaultdict(list)
        rows = LibraryFile.objects.filter(item_id__in=ids, state=FileState.PRESENT).order_by("pk")
        for item_id, path, kind in rows.values_list("item_id", "path", "item__kind"):
            files[item_id].append((path, kind))
        found = {}
        for n, item_id in enumerate(ids):
            report(done + n, total, f"{stored + len(found)} covers stored")  # and the cancel check
            cover = _first_cover(files[item_id])
            if cover is not None:
                found[item_id] = store_image(cover.data, cover.extension)
                thumbnails += _made_thumbnail(found[item_id], cover.data)
        with transaction.atomic():
            if found:  # one UPDATE for the chunk; a cover set meanwhile (by hand) is kept
                paths = Case(*(When(pk=item_id, then=Value(path)) for item_id, path in found.items()))
                MediaItem.objects.filter(pk__in=found, cover_path="").update(cover_path=paths)
            search_index.reindex_items(found)  # completeness counts the cover
            PendingCover.objects.filter(item_id__in=ids).delete()
        done, stored = done + len(ids), stored + len(found)
        report(done, total, f"{stored} covers stored")
    return {"queued": done, "stored": stored, "thumbnails": thumbnails}


def _made_thumbnail(cover_path: str, data: bytes) -> int:
    """1 if this call made the cover's thumbnail (0: it existed already, or cannot be made)."""
    if thumbnail_path(cover_path).exists():
        return 0
    return int(make_thumbnail(cover_path, data))


def _first_cover(files: list[tuple[str, str]]) -> Cover | None:
    for path, kind in files:
        try:
            cover = read_cover(path, kind, ExtractOptions())
        except (ExtractionError, MissingTool) as exc:
            logger.warning("No cover from %s: %s", path, exc)
            continue
        if cover is not None:
            return cover
    return None
