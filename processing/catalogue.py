"""Catalogue side of an import (the database half of the place/catalogue steps and of undo):
placed files become LibraryFile rows of the item, exactly as a library scan would record
them (absolute path, size, mtime, format, sha256, present)."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from media.models import FileState, LibraryFile, MediaItem
from processing.types import PlacedFile
from scanning.services.hashing import Hashes, file_hashes, full_hash


def present_files(item_id: int, fmt: str) -> list[Path]:
    return present_files_of_formats(item_id, (fmt,))


def present_files_of_formats(item_id: int, formats: tuple[str, ...]) -> list[Path]:
    rows = LibraryFile.objects.filter(item_id=item_id, format__in=formats, state=FileState.PRESENT)
    return [Path(p) for p in rows.order_by("path").values_list("path", flat=True)]


@dataclass(frozen=True)
class LibraryCopy:
    """A library file with the same content as a file being imported."""

    path: Path
    item_id: int | None
    item_title: str


def _same_content(row: LibraryFile, hashes: Hashes) -> bool:
    """Confirmed by the full SHA-256; a row without one (a big file the scanner matched on its
    partial hash) has it computed now, so a question is only asked about real copies."""
    if row.partial_hash and row.partial_hash != hashes.partial:
        return False
    if not os.path.isfile(row.path):
        return False
    return (row.sha256 or full_hash(row.path)) == hashes.full


def identical_files(hashes: Hashes, size: int) -> list[LibraryCopy]:
    """Library files (present, or marked duplicate by a scan) with this content, whatever
    their name. Rows filed before imports recorded a partial hash are found by SHA-256."""
    rows = LibraryFile.objects.filter(
        partial_hash__in=(hashes.partial, ""),
        size=size,
        state__in=(FileState.PRESENT, FileState.DUPLICATE),
    ).select_related("item")
    return [
        LibraryCopy(Path(row.path), row.item_id, row.item.title if row.item else "")
        for row in rows.order_by("path")
        if _same_content(row, hashes)
    ]


def _mark_recycled(paths: list[Path], updated: list[dict[str, Any]]) -> None:
    """Library files moved to the recycle folder are missing from the library now."""
    for row in LibraryFile.objects.filter(path__in=[str(p) for p in paths]).exclude(state=FileState.MISSING):
        updated.append({"id": row.pk, "item_id": row.item_id, "state": row.state})
        LibraryFile.objects.filter(pk=row.pk).update(state=FileState.MISSING)


def _store_cover(item: MediaItem, cover: Path, run_id: int) -> str:
    """Copy the library cover into the data dir (MediaItem.cover_path is relative to it)."""
    folder = settings.COVERS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"item-{item.pk}-import-{run_id}.jpg"
    shutil.copyfile(cover, target)
    return str(target.relative_to(settings.DATA_DIR))


@transaction.atomic
def record_files(
    item_id: int,
    placed: list[PlacedFile],
    *,
    run_id: int,
    cover: Path | None,
    recycled: list[Path] | None = None,
) -> dict[str, Any]:
    """Create/update the LibraryFile rows; return what undo needs to restore."""
    item = MediaItem.objects.select_for_update().get(pk=item_id)
    created: list[int] = []
    updated: list[dict[str, Any]] = []
    _mark_recycled(recycled or [], updated)
    for p in placed:
        if p.outcome == "skipped_existing" or not p.path.exists():
            continue
        stat = p.path.stat()
        hashes = file_hashes(str(p.path), stat.st_size)
        values = {
            "item": item,
            "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
            "format": p.format,
            "partial_hash": hashes.partial,  # as the scanner records it: later imports and scans find it
            "sha256": hashes.full,
            "state": FileState.PRESENT,
            "error": "",
        }
        existing = LibraryFile.objects.filter(path=str(p.path)).first()
        if existing is None:
            created.append(LibraryFile.objects.create(path=str(p.path), **values).pk)
        else:
            updated.append({"id": existing.pk, "item_id": existing.item_id, "state": existing.state})
            LibraryFile.objects.filter(pk=existing.pk).update(
                **{k: v for k, v in values.items() if k != "item"}, item=item
            )
    previous_cover = item.cover_path
    if cover is not None and cover.is_file():
        item.cover_path = _store_cover(item, cover, run_id)
        item.save(update_fields=["cover_path", "updated_at"])
    return {
        "created": created,
        "updated": updated,
        "previous_cover_path": previous_cover,
        "cover_path": item.cover_path,
    }


@transaction.atomic
def forget_files(record: dict[str, Any], item_id: int | None) -> None:
    """Undo `record_files`: delete rows it created, restore rows it changed and the cover."""
    LibraryFile.objects.filter(pk__in=record.get("created", [])).delete()
    for row in record.get("updated", []):
        LibraryFile.objects.filter(pk=row["id"]).update(item_id=row["item_id"], state=row["state"])
    if item_id is not None and "previous_cover_path" in record:
        new = record.get("cover_path") or ""
        MediaItem.objects.filter(pk=item_id).update(cover_path=record["previous_cover_path"])
        if new and new != record["previous_cover_path"]:
            (settings.DATA_DIR / new).unlink(missing_ok=True)
