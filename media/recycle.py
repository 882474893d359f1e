"""Delete an item to the recycle folder, and undo it.

The journal (`RecycleEntry`) is written before any file moves and updated after each one,
so a crash leaves a record of where every file is. Nothing is ever deleted from disk."""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.errors import Conflict, InvalidInput, NotFound
from core.text import fold
from media.models import (
    Author,
    Contribution,
    Identifier,
    ItemTag,
    LibraryFile,
    MediaItem,
    RecycleEntry,
    RecycleState,
    Series,
)
from media.works import link_to_work

ITEM_FIELDS = (
    "kind",
    "status",
    "title",
    "sort_title",
    "subtitle",
    "description",
    "language",
    "publisher",
    "published",
    "year",
    "isbn13",
    "page_count",
    "duration_seconds",
    "issue_number",
    "volume",
    "rating",
    "cover_path",
)
FILE_FIELDS = ("path", "size", "mtime_ns", "format", "partial_hash", "sha256", "state", "error")


def _snapshot(item: MediaItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "fields": {f: getattr(item, f) for f in ITEM_FIELDS},
        "added_at": item.added_at.isoformat(),
        "series": item.series.title if item.series_id else "",
        "series_index": None if item.series_index is None else str(item.series_index),
        "contributions": [
            {"name": c.author.name, "sort_name": c.author.sort_name, "role": c.role, "position": c.position}
            for c in item.contributions.select_related("author")
        ],
        "identifiers": [[i.scheme, i.value] for i in item.identifiers.all()],
        "tags": [t.name for t in item.tags.all()],
        "files": [{f: getattr(lf, f) for f in FILE_FIELDS} for lf in item.files.all()],
    }


def _destination(root: Path, index: int, source: Path) -> Path:
    target = (root / f"{index:03d}-{source.name}").resolve()
    if root.resolve() not in target.parents:
        raise InvalidInput(f"Unsafe file name {source.name!r}")
    return target


def _move(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() or target.is_symlink():
        raise Conflict(f"{target} already exists")
    shutil.move(str(source), str(target))


def _recycle_root(entry: RecycleEntry) -> Path:
    return Path(settings.RECYCLE_DIR) / f"{entry.created_at:%Y%m%d-%H%M%S}-{entry.pk}-{uuid.uuid4().hex[:8]}"


def _move_out(entry: RecycleEntry, paths: list[str]) -> None:
    """Journal the moves of these paths (those still on disk) into the entry's recycle folder,
    then make them one by one; on a failure, put back what moved and raise Conflict."""
    root = _recycle_root(entry)
    entry.moves = [
        {"from": path, "to": str(_destination(root, n, Path(path))), "done": False}
        for n, path in enumerate(paths)
        if os.path.lexists(path)
    ]
    entry.save(update_fields=["moves"])
    try:
        for move in entry.moves:
            _move(Path(move["from"]), Path(move["to"]))
            move["done"] = True
            entry.save(update_fields=["moves"])
    except (OSError, Conflict) as exc:
        _undo_moves(entry)
        entry.state, entry.error = RecycleState.FAILED, str(exc)
        entry.save(update_fields=["state", "error", "moves"])
        raise Conflict(
            f"Could not move a file to the recycle folder: {exc}",
            hint="Nothing was deleted; check the permissions of the recycle folder.",
        ) from exc


def recycle_items(item_ids: list[int], *, user=None) -> dict:
    """Each item to the recycle folder on its own (one failure does not undo the others); every
    entry can be restored as with a single delete."""
    recycled, failed = [], []
    for item_id in dict.fromkeys(item_ids):
        try:
            recycled.append(recycle_item(item_id, user=user))
        except (NotFound, Conflict, InvalidInput, OSError) as exc:
            failed.append({"id": item_id, "error": str(exc)})
    return {"recycled": recycled, "failed": failed}


def recycle_item(item_id: int, *, user=None) -> RecycleEntry:
    """Move the item's files into RECYCLE_DIR/<date>-<entry id>-<random>/ and remove it from the catalogue."""
    item = MediaItem.objects.select_related("series").filter(pk=item_id).first()
    if item is None:
        raise NotFound(f"Item {item_id} does not exist")
    snapshot = _snapshot(item)
    entry = RecycleEntry.objects.create(title=item.title, item_id_was=item.pk, snapshot=snapshot, user=user)
    _move_out(entry, [f["path"] for f in snapshot["files"]])
    with transaction.atomic():
        LibraryFile.objects.filter(item=item).delete()
        item.delete()
        entry.state = RecycleState.RECYCLED
        entry.save(update_fields=["state"])
    return entry


def recycle_files(paths: list[str], *, title: str, user=None) -> RecycleEntry:
    """Move loose files no item owns (a stray sidecar, an unused cover) into the recycle folder;
    undone like an item's delete. No catalogue row changes."""
    entry = RecycleEntry.objects.create(
        title=title[:500], item_id_was=0, snapshot={"files_only": True, "paths": list(paths)}, user=user
    )
    _move_out(entry, list(paths))
    entry.state = RecycleState.RECYCLED
    entry.save(update_fields=["state"])
    return entry


def _undo_moves(entry: RecycleEntry) -> None:
    for move in entry.moves:
        if move["done"] and os.path.lexists(move["to"]) and not os.path.lexists(move["from"]):
            _move(Path(move["to"]), Path(move["from"]))
            move["done"] = False


def _restore_rows(snapshot: dict[str, Any]) -> MediaItem:
    fields = {k: v for k, v in snapshot["fields"].items() if k in ITEM_FIELDS}  # old snapshots: extra keys
    item = MediaItem(**fields)
    if not MediaItem.objects.filter(pk=snapshot["id"]).exists():
        item.pk = snapshot["id"]
    item.added_at = datetime.fromisoformat(snapshot["added_at"])
    if snapshot["series"]:
        title = snapshot["series"]
        item.series = Series.objects.filter(
            normalized=fold(title), kind=item.kind
        ).first() or Series.objects.create(title=title, normalized=fold(title), kind=item.kind)
        item.series_index = Decimal(snapshot["series_index"]) if snapshot["series_index"] else None
    item.save()
    for c in snapshot["contributions"]:
        author = Author.objects.filter(normalized=fold(c["name"])).first() or Author.objects.create(
            name=c["name"], sort_name=c["sort_name"], normalized=fold(c["name"])
        )
        Contribution.objects.get_or_create(
            item=item, author=author, role=c["role"], defaults={"position": c["position"]}
        )
    for scheme, value in snapshot["identifiers"]:
        Identifier.objects.get_or_create(item=item, scheme=scheme, value=value)
    link_to_work(item)
    for name in snapshot["tags"]:
        ItemTag.objects.get_or_create(item=item, normalized=fold(name)[:128], defaults={"name": name})
    for f in snapshot["files"]:
        LibraryFile.objects.update_or_create(path=f["path"], defaults={**f, "item": item})
    return item


def restore_entry(entry_id: int) -> MediaItem | None:
    """Undo a delete: files go back where they were and the item returns to the catalogue
    (None for loose files, which had no item)."""
    entry = RecycleEntry.objects.filter(pk=entry_id).first()
    if entry is None or entry.state != RecycleState.RECYCLED:
        raise NotFound(f"Recycle entry {entry_id} does not exist or is not in the recycle folder")
    for move in entry.moves:
        if os.path.lexists(move["from"]):
            raise Conflict(f"{move['from']} exists again", hint="Move that file away, then undo again.")
        if move["done"] and not os.path.lexists(move["to"]):
            raise Conflict(f"{move['to']} is no longer in the recycle folder")
    _undo_moves(entry)
    with transaction.atomic():
        item = None if entry.snapshot.get("files_only") else _restore_rows(entry.snapshot)
        entry.state, entry.restored_at = RecycleState.RESTORED, timezone.now()
        entry.save(update_fields=["state", "restored_at", "moves"])
    return item
