"""Moves and duplicates among newly seen files, recognised by content: a cheap partial
hash finds candidates, the full SHA-256 confirms. Inode numbers are never used."""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from media.models import FileState, LibraryFile
from scanning.services.hashing import completed

if TYPE_CHECKING:
    from scanning.services.scan import Pending


@dataclass
class Placement:
    moves: list[tuple[int, Pending]] = field(default_factory=list)  # (file pk, new location)
    duplicates: list[tuple[Pending, int | None, str]] = field(default_factory=list)  # (file, item id, original)
    fresh: list[Pending] = field(default_factory=list)
    deferred: list[Pending] = field(default_factory=list)  # same content as another new file of this batch


def _same_content(pending: Pending, row: dict[str, Any]) -> bool:
    if row["size"] != pending.entry.size:
        return False
    if row["sha256"] and not pending.hashes.full:  # confirm now (the scan left it to extraction)
        pending.hashes = completed(pending.hashes, pending.entry.path, pending.entry.size)
    return not (row["sha256"] and pending.hashes.full and row["sha256"] != pending.hashes.full)


def _match(pending: Pending, rows: list[dict[str, Any]], claimed: set[int]) -> tuple[str, dict[str, Any] | None]:
    duplicate_of = None
    for row in rows:
        if row["path"] == pending.entry.path or not _same_content(pending, row):
            continue
        if not os.path.exists(row["path"]):
            if row["pk"] not in claimed:
                return "move", row
            continue
        if duplicate_of is None or (row["state"] == FileState.PRESENT and duplicate_of["state"] != FileState.PRESENT):
            duplicate_of = row
    return ("duplicate", duplicate_of) if duplicate_of else ("new", None)


def place_new_files(new: list[Pending], known: dict[str, Any], busy: set[tuple[str, int]] | None = None) -> Placement:
    """Sort new files into moves, duplicates, fresh files, and files deferred to a later batch
    because a file with the same content is in this batch or in `busy` (being read, not yet
    written): once that one is committed, the deferred file is recognised as its duplicate."""
    placement = Placement()
    if not new:
        return placement
    candidates: dict[str, list[dict[str, Any]]] = defaultdict(list)
    rows = LibraryFile.objects.filter(partial_hash__in={p.hashes.partial for p in new}).values(
        "pk", "path", "size", "sha256", "item_id", "state", "partial_hash"
    )
    for row in rows:
        candidates[row["partial_hash"]].append(row)
    claimed: set[int] = set()
    in_batch: set[tuple[str, int]] = set(busy or ())
    for pending in new:
        verdict, row = _match(pending, candidates.get(pending.hashes.partial, []), claimed)
        if verdict == "move" and row is not None:
            claimed.add(row["pk"])
            known.pop(row["path"], None)
            placement.moves.append((row["pk"], pending))
        elif verdict == "duplicate" and row is not None:
            placement.duplicates.append((pending, row["item_id"], row["path"]))
        elif (pending.hashes.partial, pending.entry.size) in in_batch:
            placement.deferred.append(pending)
        else:
            in_batch.add((pending.hashes.partial, pending.entry.size))
            placement.fresh.append(pending)
    return placement


def apply_placement(placement: Placement) -> None:
    """Write moves and duplicates (the caller holds the transaction)."""
    moved = []
    for pk, pending in placement.moves:
        e = pending.entry
        moved.append(
            LibraryFile(
                pk=pk,
                path=e.path,
                size=e.size,
                mtime_ns=e.mtime_ns,
                state=FileState.PRESENT,
                error="",
                sha256=pending.hashes.full,
                partial_hash=pending.hashes.partial,
            )
        )
    LibraryFile.objects.bulk_update(moved, ["path", "size", "mtime_ns", "state", "error", "sha256", "partial_hash"])
    LibraryFile.objects.bulk_create(
        [
            LibraryFile(
                item_id=item_id,
                path=p.entry.path,
                size=p.entry.size,
                mtime_ns=p.entry.mtime_ns,
                format=p.entry.ext[:8],
                partial_hash=p.hashes.partial,
                sha256=p.hashes.full,
                state=FileState.DUPLICATE,
                error=f"same content as {original}"[:2000],
            )
            for p, item_id, original in placement.duplicates
        ]
    )
