"""Executing, reverting and recovering batches of moves through the journal.

Write-ahead rule: an operation is marked MOVING (or REVERTING) in a committed
transaction before its file is touched, and marked DONE (or REVERTED) in the same
transaction that updates `LibraryFile.path`. Work goes in chunks so 5,000 files take a
few seconds; a crash leaves at most one chunk of MOVING rows, which `resolve_inflight`
settles by looking at the disk (both ends, part files, hashes).

Small API reused by post-processing: `plan_moves`, `execute_batch`, `execute_move`,
`move_file`, `revert_batch`, `recover_interrupted`."""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from core.errors import Conflict, InvalidInput, JobCancelled, NotFound
from core.jobs.runs import EndedJob
from core.paths import is_inside, unique_path
from media.models import LibraryFile
from processing.renaming import fsops
from processing.renaming.models import (
    BatchOrigin,
    BatchState,
    ConflictPolicy,
    OpState,
    RenameBatch,
    RenameOperation,
)
from processing.renaming.planner import PlannedMove, Planner

logger = logging.getLogger(__name__)
Progress = Callable[..., None]
CHUNK = int(os.environ.get("OMNI_RENAME_CHUNK", "250"))
STALE_SECONDS = 120
_moves_in_process = 0


def _noop(*args, **kwargs) -> None:
    return None


def _pause_hook() -> None:
    """Test hook: `OMNI_RENAME_PAUSE_AFTER=N` stops this process after N file moves (the
    database not yet told), touching `OMNI_RENAME_PAUSE_MARKER`, so a test can kill it."""
    global _moves_in_process
    _moves_in_process += 1
    limit = os.environ.get("OMNI_RENAME_PAUSE_AFTER")
    if limit and _moves_in_process == int(limit):
        marker = os.environ.get("OMNI_RENAME_PAUSE_MARKER")
        if marker:
            Path(marker).write_text(str(os.getpid()))
        while True:
            time.sleep(3600)


# --- planning ---------------------------------------------------------------------------------------------


def known_paths(paths: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(paths), 500):
        found.update(
            LibraryFile.objects.filter(path__in=paths[start : start + 500]).values_list("path", flat=True)
        )
    return found


def store_plan(batch: RenameBatch, moves: Iterable[PlannedMove], *, start_seq: int = 0) -> int:
    rows = [
        RenameOperation(
            batch=batch,
            seq=start_seq + n,
            item_id=m.item_id,
            library_file_id=m.library_file_id,
            role=m.role,
            source=m.source,
            destination=m.destination,
            state=m.state,
            conflict=m.conflict,
            overwrite=m.overwrite,
            message=m.message,
        )
        for n, m in enumerate(moves)
    ]
    RenameOperation.objects.bulk_create(rows, batch_size=1000)
    return start_seq + len(rows)


def plan_moves(
    moves: Iterable[PlannedMove],
    *,
    root: Path,
    policy: str = ConflictPolicy.SUFFIX,
    origin: str = BatchOrigin.IMPORT,
    user=None,
    prune_within: Iterable[Path] = (),
) -> RenameBatch:
    """A batch from explicit moves (post-processing places imported files this way):
    destinations are checked against `root` and the conflict policy is applied."""
    root = Path(root)
    wanted = []
    for move in moves:
        if not is_inside(Path(move.destination).parent, root) and move.destination:
            raise InvalidInput(f"Destination {move.destination!r} is outside {root}")
        wanted.append(move)
    planner = Planner(root=root.resolve(), template=None, policy=policy, known_paths=known_paths)  # type: ignore[arg-type]
    resolved = planner.resolve(wanted)
    batch = RenameBatch.objects.create(
        origin=origin,
        policy=policy,
        root=str(root),
        created_by=user,
        overwrite_confirmed=policy == ConflictPolicy.OVERWRITE,
        selection={"prune_within": [str(p) for p in prune_within]},
    )
    store_plan(batch, resolved)
    finish_planning(batch)
    return batch


def finish_planning(batch: RenameBatch) -> dict:
    """The preview is ready, unless the batch was ended meanwhile (its job ended: see
    `settle_ended_batches`)."""
    totals = summarise(batch)
    planning = (BatchState.PLANNING, BatchState.PLANNED)
    if not RenameBatch.objects.filter(pk=batch.pk, state__in=planning).update(state=BatchState.PLANNED, totals=totals):
        raise Conflict(f"Batch #{batch.pk} was ended while its preview was computed")
    batch.state, batch.totals = BatchState.PLANNED, totals
    return totals


def summarise(batch: RenameBatch) -> dict:
    groups = (
        RenameOperation.objects.filter(batch=batch)
        .values_list("state", "conflict")
        .annotate(count=Count("id"))
        .order_by()
    )
    totals: dict[str, int] = {"operations": 0}
    for state, conflict, count in groups:
        totals["operations"] += count
        totals[state] = totals.get(state, 0) + count
        if conflict:
            totals[f"conflict_{conflict}"] = totals.get(f"conflict_{conflict}", 0) + count
    return totals


# --- claiming and heartbeats ------------------------------------------------------------------------------


def _claim(
    batch_id: int, owner: str, from_states: tuple[str, ...], to_state: str, stale_seconds: int = STALE_SECONDS
) -> RenameBatch:
    stale = timezone.now() - timedelta(seconds=stale_seconds)
    working = (BatchState.RUNNING, BatchState.REVERTING)
    claimable = (
        Q(state__in=from_states)
        | Q(state__in=working, owner=owner)
        | Q(state__in=working, heartbeat_at__lt=stale)
        | Q(state__in=working, heartbeat_at__isnull=True)
    )
    now = timezone.now()
    won = RenameBatch.objects.filter(claimable, pk=batch_id).update(
        state=to_state, owner=owner, heartbeat_at=now, started_at=now, message=""
    )
    batch = RenameBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        raise NotFound(f"Rename batch #{batch_id} does not exist")
    if not won:
        raise Conflict(
            f"Batch #{batch_id} is {batch.state} and cannot be claimed now",
            hint="A running batch is resumed automatically when its worker is gone.",
        )
    return batch


def _owned(batch: RenameBatch):
    """The batch while this owner works on it: writes through it are compare-and-swaps, so a
    thread whose batch was ended meanwhile (its job abandoned after a cancel) changes nothing."""
    return RenameBatch.objects.filter(pk=batch.pk, owner=batch.owner)


def _beat(batch: RenameBatch) -> None:
    _owned(batch).update(heartbeat_at=timezone.now())


def _finish(batch: RenameBatch, state: str, message: str = "") -> dict:
    totals = summarise(batch)
    if not _owned(batch).update(
        state=state, totals=totals, message=message[:2000], finished_at=timezone.now(), owner=""
    ):
        current = RenameBatch.objects.filter(pk=batch.pk).values_list("state", flat=True).first()
        logger.warning("Batch %s was ended while it ran (%s); %s not recorded", batch.pk, current, state)
        return {"batch": batch.pk, "state": current, "message": "Ended while it ran", **totals}
    return {"batch": batch.pk, "state": state, "message": message, **totals}


# --- batches whose job ended ------------------------------------------------------------------------------

WORKING = (BatchState.PLANNING, BatchState.RUNNING, BatchState.REVERTING)
_STOPPED = {
    BatchState.PLANNING: "The preview did not finish: {job}. Nothing was moved; make a new preview.",
    BatchState.RUNNING: "Stopped after {moved} of {total} moves: {job}. Execute it again to move the rest, "
    "or revert it.",
    BatchState.REVERTING: "Revert stopped: {job}. Revert it again to finish (or execute it).",
}


def working_job_ids() -> list[int]:
    """Jobs of the batches still planning, moving or reverting."""
    return list(RenameBatch.objects.filter(state__in=WORKING, job_id__isnull=False).values_list("job_id", flat=True))


def settle_ended_batches(ended: dict[int, EndedJob]) -> int:
    """Batches still planning, moving or reverting whose job has ended become FAILED, with an
    end time and what to do next: a failed batch can be executed or reverted (moves a crash
    left half done are settled from the disk first, see `resolve_inflight`), and is never
    resumed automatically, as the recovery of interrupted batches would (the job may have
    been cancelled)."""
    settled = 0
    for batch in RenameBatch.objects.filter(state__in=WORKING, job_id__in=list(ended)):
        totals = summarise(batch)
        message = _STOPPED[batch.state].format(
            job=ended[batch.job_id].describe(), moved=totals.get(OpState.DONE, 0), total=totals["operations"]
        )
        settled += RenameBatch.objects.filter(pk=batch.pk, state=batch.state, job_id=batch.job_id).update(
            state=BatchState.FAILED, totals=totals, message=message, finished_at=timezone.now(), owner=""
        )
    return settled


# --- executing --------------------------------------------------------------------------------------------


def execute_batch(
    batch_id: int, *, owner: str = "", progress: Progress = _noop, stale_seconds: int = STALE_SECONDS
) -> dict:
    """Move every PLANNED operation of the batch. Resumable: MOVING rows left by a crash
    are settled first. A full disk stops the batch (resume later); a permission error
    fails that file only."""
    owner = owner or uuid.uuid4().hex
    batch = _claim(
        batch_id,
        owner,
        (BatchState.PLANNED, BatchState.INTERRUPTED, BatchState.FAILED),
        BatchState.RUNNING,
        stale_seconds,
    )
    resolve_inflight(batch)
    pending = RenameOperation.objects.filter(batch=batch, state=OpState.PLANNED)
    total, done = pending.count(), 0
    if pending.filter(overwrite=True).exists() and not batch.overwrite_confirmed:
        return _finish(batch, BatchState.PLANNED, "Overwriting needs an explicit confirmation")
    sources: set[Path] = set()
    while ops := list(pending.order_by("seq")[:CHUNK]):
        stop = _run_chunk(batch, ops, sources, _ticker(progress, done, total, "Moved {} of {} files"))
        done += len(ops)
        _beat(batch)
        progress(done, total, f"Moved {done} of {total} files")
        if stop:
            _prune(batch, sources)
            return _finish(batch, BatchState.FAILED, stop)
    _prune(batch, sources)
    return _finish(batch, BatchState.DONE)


def _ticker(progress: Progress, done: int, total: int, message: str) -> Callable[[int], None]:
    """Progress at each file of a chunk (and so the job's cancel check)."""
    return lambda moved: progress(done + moved, total, message.format(done + moved, total))


def _run_chunk(
    batch: RenameBatch, ops: list[RenameOperation], sources: set[Path], tick: Callable[[int], None] = _noop
) -> str:
    """Move a chunk's files. A cancel (raised by `tick` before each file) stops between two
    files: the rest go back to PLANNED and the chunk is committed before `JobCancelled` goes on."""
    ids = [op.pk for op in ops]
    with transaction.atomic():
        RenameOperation.objects.filter(pk__in=ids, state=OpState.PLANNED).update(state=OpState.MOVING)
    stop, cancelled = "", None
    for moved, op in enumerate(ops):
        cancelled = cancelled or _cancel_from(tick, moved)
        if stop or cancelled:
            op.state = OpState.PLANNED
            continue
        stop = _apply(batch, op)
        if op.state == OpState.DONE:
            sources.add(Path(op.source).parent)
            _pause_hook()
    _commit(ops, forward=True)
    if cancelled is not None:
        raise cancelled
    return stop


def _cancel_from(tick: Callable[[int], None], count: int) -> JobCancelled | None:
    try:
        tick(count)
    except JobCancelled as exc:
        return exc
    return None


def _apply(batch: RenameBatch, op: RenameOperation) -> str:
    """Do one move on disk; set op.state/message. Returns a reason to stop the batch."""
    src, dst = Path(op.source), Path(op.destination)
    try:
        if os.path.lexists(dst) and not _same(src, dst):
            if not _handle_new_conflict(batch, op):
                return ""
            dst = Path(op.destination)
        result = fsops.move(src, dst)
    except fsops.MoveError as exc:
        op.state = OpState.SKIPPED if exc.code == "destination_exists" else OpState.FAILED
        op.message = str(exc)
        _unrecycle(op)
        _prune(batch, {dst.parent})  # folders made for this move only
        if exc.code == "disk_full":
            return f"Stopped: {exc}. Free some space, then execute the batch again to move the rest."
        return ""
    op.state, op.cross_device = OpState.DONE, result.cross_device
    return ""


def _same(src: Path, dst: Path) -> bool:
    try:
        return os.path.samefile(src, dst)
    except OSError:
        return False


def _handle_new_conflict(batch: RenameBatch, op: RenameOperation) -> bool:
    """The destination exists at execution time. Overwrite: recycle it (journaled first);
    suffix: pick a free name (journaled first); skip: skip. True when the move can go on."""
    dst = Path(op.destination)
    if batch.policy == ConflictPolicy.OVERWRITE and batch.overwrite_confirmed:
        target = recycle_target(batch, dst)
        RenameOperation.objects.filter(pk=op.pk).update(recycle_path=str(target), overwrite=True)
        op.recycle_path, op.overwrite = str(target), True
        fsops.move(dst, target)
        return True
    if batch.policy == ConflictPolicy.SUFFIX:
        free = unique_path(dst, lambda p: os.path.lexists(p) or fsops.part_path(p).exists())
        RenameOperation.objects.filter(pk=op.pk).update(destination=str(free))
        op.destination, op.message = str(free), f"Renamed to {free.name} (destination appeared after preview)"
        return True
    op.state, op.conflict = OpState.SKIPPED, "destination_exists"
    op.message = "Destination exists (appeared after the preview); skipped"
    return False


def recycle_target(batch: RenameBatch, path: Path) -> Path:
    folder = Path(settings.RECYCLE_DIR) / f"rename-{batch.pk}"
    relative = path.relative_to(Path(batch.root)) if is_inside(path, batch.root) else Path(path.name)
    return unique_path(folder / relative, os.path.lexists)


def _commit(ops: list[RenameOperation], *, forward: bool) -> None:
    """One transaction: the journal rows and the database paths of the files moved."""
    fields = ["state", "message", "cross_device", "destination", "recycle_path", "overwrite", "conflict"]
    files = _file_updates(ops, forward=forward)
    if not ops:
        return
    try:
        with transaction.atomic():
            update_rows(RenameOperation, ops, fields)
            update_rows(LibraryFile, files, ["path", "mtime_ns"])
    except IntegrityError:
        _commit_one_by_one(ops, fields, forward=forward)


def update_rows(model, rows: list, fields: list[str]) -> None:
    """`UPDATE ... WHERE id = %s` for many rows with one executemany: Django's bulk_update
    builds CASE expressions that cost ~6 ms per row at 5,000 rows; this costs ~0.05 ms."""
    if not rows:
        return
    quote = connection.ops.quote_name
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    columns = [model._meta.get_field(name).column for name in fields]
    assignments = ", ".join(f"{quote(column)} = %s" for column in [*columns, "updated_at"])
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"
    params = [[getattr(row, name) for name in fields] + [now, row.pk] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _file_updates(ops: list[RenameOperation], *, forward: bool) -> list[LibraryFile]:
    target_state = OpState.DONE if forward else OpState.REVERTED
    files = []
    for op in ops:
        if op.state == target_state and op.library_file_id:
            path = op.destination if forward else op.source
            try:
                mtime = os.stat(path).st_mtime_ns
            except OSError:
                mtime = 0
            files.append(LibraryFile(pk=op.library_file_id, path=path, mtime_ns=mtime))
    return files


def _commit_one_by_one(ops: list[RenameOperation], fields: list[str], *, forward: bool) -> None:
    """A path already taken in the database: move that file back and fail it alone."""
    for op in ops:
        try:
            with transaction.atomic():
                op.save(update_fields=fields)
                LibraryFile.objects.bulk_update(_file_updates([op], forward=forward), ["path", "mtime_ns"])
        except IntegrityError:
            here, there = (op.destination, op.source) if forward else (op.source, op.destination)
            fsops.move(Path(here), Path(there))
            op.state = OpState.FAILED if forward else OpState.DONE
            op.message = "Another library file already has this path in the database; moved back"
            op.save(update_fields=fields)


def _unrecycle(op: RenameOperation) -> None:
    """Put an overwritten file back from the recycle folder when our move did not happen."""
    if op.recycle_path and Path(op.recycle_path).is_file() and not os.path.lexists(op.destination):
        fsops.move(Path(op.recycle_path), Path(op.destination))
        op.recycle_path = ""


def _prune(batch: RenameBatch, folders: set[Path]) -> None:
    roots = [Path(batch.root), *(Path(p) for p in (batch.selection or {}).get("prune_within", []))]
    for folder in sorted(folders, key=lambda p: -len(p.parts)):
        for root in roots:
            if is_inside(folder, root):
                fsops.prune_empty_dirs(folder, root)
                break


# --- crash recovery ---------------------------------------------------------------------------------------


def resolve_inflight(batch: RenameBatch) -> dict:
    """Settle the rows a crash left MOVING or REVERTING by looking at the disk: a finished
    move is recorded (database path updated), an unfinished one goes back to its previous
    state (partial copies removed), an ambiguous one is failed with both files kept."""
    counts = {"completed": 0, "rolled_back": 0, "conflicts": 0}
    inflight = list(
        RenameOperation.objects.filter(batch=batch, state__in=(OpState.MOVING, OpState.REVERTING))
    )
    forward_ops, backward_ops = [], []
    for op in inflight:
        forward = op.state == OpState.MOVING
        src, dst = (op.source, op.destination) if forward else (op.destination, op.source)
        outcome = fsops.resolve_interrupted(Path(src), Path(dst))
        done_state, undone_state = (
            (OpState.DONE, OpState.PLANNED) if forward else (OpState.REVERTED, OpState.DONE)
        )
        if outcome == "moved":
            op.state = done_state
            counts["completed"] += 1
        elif outcome == "not_moved":
            op.state = undone_state
            if forward:
                _unrecycle(op)
            counts["rolled_back"] += 1
        else:
            op.state = OpState.FAILED
            op.message = f"Interrupted move could not be settled: both or neither of {src} and {dst} exist"
            counts["conflicts"] += 1
        (forward_ops if forward else backward_ops).append(op)
    _commit(forward_ops, forward=True)
    _commit(backward_ops, forward=False)
    if inflight:
        logger.warning("Batch %s: settled %s interrupted moves: %s", batch.pk, len(inflight), counts)
    return counts


# --- single moves (post-processing) -----------------------------------------------------------------------


def execute_move(op: RenameOperation) -> RenameOperation:
    """Execute one journaled operation on its own (its batch stays as it is)."""
    batch = op.batch
    if op.state != OpState.PLANNED:
        return op
    RenameOperation.objects.filter(pk=op.pk, state=OpState.PLANNED).update(state=OpState.MOVING)
    _apply(batch, op)
    _commit([op], forward=True)
    if op.state == OpState.DONE:
        _prune(batch, {Path(op.source).parent})
    return op


def move_file(
    src: Path,
    dst: Path,
    *,
    root: Path,
    item_id: int | None = None,
    library_file_id: int | None = None,
    policy: str = ConflictPolicy.SUFFIX,
    user=None,
    prune_within: Iterable[Path] = (),
) -> RenameOperation:
    """Move one file into the library through the journal (an import batch of one), with
    the conflict policy applied and `LibraryFile.path` updated when `library_file_id` is
    given. Returns the operation; its state says DONE, SKIPPED or FAILED and why."""
    batch = plan_moves(
        [PlannedMove(str(src), str(dst), item_id, library_file_id)],
        root=root,
        policy=policy,
        user=user,
        prune_within=prune_within,
    )
    result = execute_batch(batch.pk)
    logger.info("move_file %s -> %s: %s", src, dst, result.get("state"))
    return RenameOperation.objects.get(batch=batch)
