"""Undo and recovery: revert a whole batch or one item's moves (newest first, journaled
as REVERTING before each move back, overwritten files restored from the recycle
folder), and settle batches a crash interrupted: finish them or roll them back."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.errors import Conflict
from processing.renaming import fsops
from processing.renaming.journal import (
    CHUNK,
    STALE_SECONDS,
    Progress,
    _beat,
    _cancel_from,
    _claim,
    _commit,
    _finish,
    _noop,
    _prune,
    _ticker,
    execute_batch,
    resolve_inflight,
)
from processing.renaming.models import BatchState, OpState, RenameBatch, RenameOperation

logger = logging.getLogger(__name__)
REVERTIBLE = (
    BatchState.DONE,
    BatchState.FAILED,
    BatchState.INTERRUPTED,
    BatchState.PLANNED,
    BatchState.REVERTED,
)


def revert_batch(
    batch_id: int,
    *,
    item_id: int | None = None,
    owner: str = "",
    progress: Progress = _noop,
    stale_seconds: int = STALE_SECONDS,
) -> dict:
    """Move files of a batch back where they were (only those of `item_id` if given)."""
    owner = owner or uuid.uuid4().hex
    batch = _claim(batch_id, owner, REVERTIBLE, BatchState.REVERTING, stale_seconds)
    selection = {**(batch.selection or {}), "reverting_item": item_id}  # so recovery reverts the same scope
    RenameBatch.objects.filter(pk=batch.pk).update(selection=selection)
    resolve_inflight(batch)
    done = RenameOperation.objects.filter(batch=batch, state=OpState.DONE)
    if item_id is not None:
        done = done.filter(item_id=item_id)
    else:
        RenameOperation.objects.filter(batch=batch, state=OpState.PLANNED).update(
            state=OpState.SKIPPED, message="Not moved: the batch was rolled back"
        )
    total, count, folders, cursor = done.count(), 0, set(), None
    while ops := list((done if cursor is None else done.filter(seq__lt=cursor)).order_by("-seq")[:CHUNK]):
        _revert_chunk(ops, folders, _ticker(progress, count, total, "Moved back {} of {} files"))
        cursor, count = ops[-1].seq, count + len(ops)
        _beat(batch)
        progress(count, total, f"Moved back {count} of {total} files")
    _prune(batch, folders)
    still_moved = RenameOperation.objects.filter(batch=batch, state=OpState.DONE).exists()
    failed = RenameOperation.objects.filter(
        batch=batch, state=OpState.DONE, message__startswith="Could not"
    ).count()
    message = f"{failed} file(s) could not be moved back" if failed else ""
    return _finish(batch, BatchState.DONE if still_moved else BatchState.REVERTED, message)


def _revert_chunk(ops: list[RenameOperation], folders: set[Path], tick: Callable[[int], None] = _noop) -> None:
    """Move a chunk's files back; a cancel stops after the file being moved (see `_run_chunk`)."""
    with transaction.atomic():
        RenameOperation.objects.filter(pk__in=[op.pk for op in ops], state=OpState.DONE).update(
            state=OpState.REVERTING
        )
    cancelled = None
    for moved, op in enumerate(ops):
        cancelled = cancelled or _cancel_from(tick, moved)
        if cancelled:
            op.state = OpState.DONE
            continue
        here, back = Path(op.destination), Path(op.source)
        try:
            fsops.move(here, back)
        except fsops.MoveError as exc:
            op.state, op.message = OpState.DONE, f"Could not move back: {exc}"
            continue
        op.state, op.message = OpState.REVERTED, "Moved back"
        folders.add(here.parent)
        _restore_recycled(op)
    _commit(ops, forward=False)
    if cancelled is not None:
        raise cancelled


def _restore_recycled(op: RenameOperation) -> None:
    if not op.recycle_path or not Path(op.recycle_path).is_file():
        return
    try:
        fsops.move(Path(op.recycle_path), Path(op.destination))
        op.message = "Moved back; the overwritten file was restored from the recycle folder"
        op.recycle_path = ""
    except fsops.MoveError as exc:
        op.message = f"Moved back; the overwritten file stays in {op.recycle_path}: {exc}"


def interrupted_batches(*, stale_seconds: int = STALE_SECONDS) -> list[int]:
    """Batches whose worker is gone: marked interrupted, or running/reverting without a
    heartbeat for `stale_seconds`, or with journal rows still in flight and no owner."""
    stale = timezone.now() - timedelta(seconds=stale_seconds)
    working = Q(state__in=(BatchState.RUNNING, BatchState.REVERTING)) & (
        Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True)
    )
    return list(
        RenameBatch.objects.filter(working | Q(state=BatchState.INTERRUPTED))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def recover_batch(batch_id: int, *, rollback: bool = False, stale_seconds: int = STALE_SECONDS) -> dict:
    """Finish an interrupted batch (default) or roll it back to where it started; an
    interrupted undo is always finished as an undo."""
    batch = RenameBatch.objects.get(pk=batch_id)
    if batch.state == BatchState.REVERTING:
        item_id = (batch.selection or {}).get("reverting_item")
        return revert_batch(batch_id, item_id=item_id, stale_seconds=stale_seconds)
    if rollback:
        return revert_batch(batch_id, stale_seconds=stale_seconds)
    return execute_batch(batch_id, stale_seconds=stale_seconds)


def recover_interrupted(*, rollback: bool = False, stale_seconds: int = STALE_SECONDS) -> list[dict]:
    """The start-up check: settle every batch a crash or a killed worker left behind."""
    results = []
    for batch_id in interrupted_batches(stale_seconds=stale_seconds):
        try:
            results.append(recover_batch(batch_id, rollback=rollback, stale_seconds=stale_seconds))
        except Conflict as exc:  # another process took it meanwhile
            results.append({"batch": batch_id, "state": "busy", "message": exc.message})
    if results:
        logger.warning("Recovered %s interrupted rename batch(es): %s", len(results), results)
    return results
