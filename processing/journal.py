"""The import's file journal: every file operation is recorded (PLANNED) before it happens
and marked DONE after, so undo (and a crash inspection) knows exactly what to restore.

Interface kept small so it can be swapped for the renamer's journal (issue 5):
`place_files(run_id, plan, ...) -> list[PlacedFile]`, `journaled_write(run_id, path)`,
`undo_operations(run_id) -> list[str]`."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path

from django.db.models import Max
from django.utils import timezone

from core.errors import Conflict, InvalidInput
from processing import fileops
from processing.models import ImportFileOperation, OperationKind, OperationState
from processing.types import PlacedFile, PlannedFile
from scanning.services.hashing import full_hash

logger = logging.getLogger(__name__)


def _next_sequence(run_id: int) -> int:
    return (ImportFileOperation.objects.filter(run_id=run_id).aggregate(m=Max("sequence"))["m"] or 0) + 1


def _record(run_id: int, kind: str, source: Path | None, destination: Path) -> ImportFileOperation:
    return ImportFileOperation.objects.create(
        run_id=run_id,
        sequence=_next_sequence(run_id),
        kind=kind,
        source=str(source or ""),
        destination=str(destination),
    )


@contextlib.contextmanager
def _journaled(
    run_id: int, kind: str, source: Path | None, destination: Path
) -> Iterator[ImportFileOperation]:
    op = _record(run_id, kind, source, destination)
    op.created_dirs = fileops.make_dirs(destination.parent)
    op.save(update_fields=["created_dirs"])
    try:
        yield op
    except BaseException as exc:
        fileops.remove_empty_dirs(op.created_dirs)
        ImportFileOperation.objects.filter(pk=op.pk).update(
            state=OperationState.FAILED, detail=str(exc)[:500]
        )
        raise
    op.state, op.done_at = OperationState.DONE, timezone.now()
    op.save(update_fields=["state", "done_at", "detail", "kind"])


def recycle(run_id: int, existing: Path, recycle_dir: Path, library_dir: Path) -> None:
    try:
        relative = existing.relative_to(library_dir)
    except ValueError:
        relative = Path(existing.name)
    target = fileops.unique_path(recycle_dir / f"import-{run_id}" / relative)
    with _journaled(run_id, OperationKind.RECYCLE, existing, target):
        fileops.move_file(existing, target)


def _transfer(run_id: int, planned: PlannedFile, destination: Path, mode: str) -> ImportFileOperation:
    kind = {"move": OperationKind.MOVE, "copy": OperationKind.COPY}.get(mode, OperationKind.HARDLINK)
    if planned.role == "converted":  # our own file from the work dir: moved in, removed on undo
        kind, mode = OperationKind.WRITE, "move"
    with _journaled(run_id, kind, planned.source, destination) as op:
        if mode == "move":
            op.detail = fileops.move_file(planned.source, destination)
        elif mode == "copy":
            fileops.copy_file(planned.source, destination)
        else:
            done = fileops.hardlink_or_copy(planned.source, destination)
            op.kind = OperationKind.HARDLINK if done == "hardlink" else OperationKind.COPY
            op.detail = "" if done == "hardlink" else "hardlink impossible here: copied"
    return op


def place_one(
    run_id: int, planned: PlannedFile, *, mode: str, policy: str, recycle_dir: Path, library_dir: Path
) -> PlacedFile:
    destination = planned.destination
    outcome = "placed"
    if destination.exists():
        if full_hash(str(destination)) == full_hash(str(planned.source)):
            return PlacedFile(destination, planned.format, planned.role, None, "duplicate")
        if policy == "skip":
            return PlacedFile(destination, planned.format, planned.role, None, "skipped_existing")
        if policy == "replace":
            recycle(run_id, destination, recycle_dir, library_dir)
            outcome = "replaced"
        else:
            destination, outcome = fileops.unique_path(destination), "kept_both"
    op = _transfer(run_id, planned, destination, mode)
    return PlacedFile(destination, planned.format, planned.role, op.pk, outcome)


def place_files(
    run_id: int, plan: Sequence[PlannedFile], *, mode: str, policy: str, recycle_dir: Path, library_dir: Path
) -> list[PlacedFile]:
    """Put every planned file into the library, journaled. Destinations must lie inside
    `library_dir` (checked again here: the plan is the last thing before the disk)."""
    root = library_dir.resolve()
    for planned in plan:
        if not planned.destination.resolve().is_relative_to(root):
            raise InvalidInput(f"Refusing to write outside the library: {planned.destination}")
    return [
        place_one(run_id, p, mode=mode, policy=policy, recycle_dir=recycle_dir, library_dir=library_dir)
        for p in plan
    ]


@contextlib.contextmanager
def journaled_write(run_id: int, destination: Path) -> Iterator[Path]:
    """Journal a new file the caller writes (sidecars). An existing file is never overwritten."""
    if destination.exists():
        raise Conflict(f"{destination} already exists")
    with _journaled(run_id, OperationKind.WRITE, None, destination):
        yield destination


def _undo_one(op: ImportFileOperation) -> str:
    source, destination = Path(op.source), Path(op.destination)
    if not destination.exists():
        return f"already gone: {destination}"
    if op.kind == OperationKind.WRITE:
        destination.unlink()
        return f"removed {destination}"
    if op.kind in (OperationKind.MOVE, OperationKind.RECYCLE) or (
        op.kind in (OperationKind.COPY, OperationKind.HARDLINK) and not source.exists()
    ):
        if source.exists():
            raise Conflict(f"Cannot put {destination.name} back: {source} exists again")
        fileops.make_dirs(source.parent)
        fileops.move_file(destination, source)
        return f"restored {source}"
    destination.unlink()
    return f"removed {destination}"


def undo_operations(run_id: int) -> list[str]:
    """Reverse the run's DONE operations, newest first. Stops at the first conflict and
    leaves the remaining rows DONE, so undo can be retried after fixing it."""
    notes: list[str] = []
    for op in ImportFileOperation.objects.filter(run_id=run_id, state=OperationState.DONE).order_by(
        "-sequence"
    ):
        notes.append(_undo_one(op))
        fileops.remove_empty_dirs(op.created_dirs)
        ImportFileOperation.objects.filter(pk=op.pk).update(
            state=OperationState.UNDONE, undone_at=timezone.now()
        )
        logger.info("Import %s undo: %s", run_id, notes[-1])
    return notes
