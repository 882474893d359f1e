"""The scan of one folder: walk, skip unchanged files on (path, size, mtime) alone,
recognise moves and duplicates by content hash, extract and import new files in batches,
mark vanished files missing. Resumable: committed batches are not redone."""

from __future__ import annotations

import contextlib
import errno
import gc
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import OperationalError, connection, transaction
from django.utils import timezone

from core.bulk import spaced_checkpoints
from core.errors import ConfigurationError, JobCancelled, NotFound
from core.jobs.runs import EndedJob
from core.models import JobState
from media.models import FileState, LibraryFile
from omnireadarr.env import env_int
from scanning import extract_worker
from scanning.extractors import ExtractedMetadata, ExtractOptions, calibre_db, kind_for
from scanning.models import COUNTERS, ContentType, RunState, ScanFolder, ScanRun, SidecarProblem
from scanning.services.catalogue import CatalogueCache, write_batch
from scanning.services.covers import DiskFull
from scanning.services.folders import KIND_FORMATS
from scanning.services.gather import Prepared, PrepareSetup, SidecarCache
from scanning.services.hashing import Hashes, quick_hashes
from scanning.services.moves import Placement, apply_placement, place_new_files
from scanning.services.parallel import ExtractionPool, FileCounter, SharedBatch, read_chunk, task_args
from scanning.sidecars import Shared, settle
from scanning.walker import Directory, FileEntry, WalkProblems, count_files, walk

logger = logging.getLogger(__name__)
Progress = Callable[..., None]
MAX_LOGGED_ERRORS = 200
SHARE_LEAVE_CHUNKS = 6  # left to the workers while the scan process walks the next batch (see flush)
COUNT_HERE_MAX = 10_000  # files counted in the scan process (about 0.1 s) before a counting process is worth it
POOL_START_SECONDS = 120  # a worker that cannot start (say, an unimportable __main__) must not hang the scan
WAIT_SLICE_SECONDS = 0.25  # waits for the extraction processes are cut in slices for the cancel check


@dataclass(frozen=True)
class ScanOptions:
    batch_size: int = 250
    with_covers: bool = True  # queue the new items' covers for the cover job
    extract: ExtractOptions = field(default_factory=ExtractOptions)
    # extraction processes beside the writing scan process; 0 extracts in the scan process
    workers: int = field(default_factory=lambda: env_int("SCAN_WORKERS", default_workers(), minimum=0))


def default_workers() -> int:
    """One extraction process when there is a second core: it reads the next batch while
    the scan process writes this one."""
    return 1 if (os.cpu_count() or 1) >= 2 else 0


# What the database knows about a path: the row (path, pk, size, mtime_ns, state) as a plain
# tuple, because 100k of them are loaded before every rescan.
Known = tuple
K_PK, K_SIZE, K_MTIME, K_STATE = 1, 2, 3, 4


@dataclass
class Pending:
    entry: FileEntry
    directory: Directory
    kind: str
    hashes: Hashes
    existing_file_id: int | None = None
    curated: ExtractedMetadata | None = None  # its metadata in the calibre library it is in


@dataclass
class Submitted:
    """A batch whose files are being read (in a worker process when pooled) while the
    previous batch is written."""

    size: int  # files of the batch handled when it commits (deferred ones excluded)
    placement: Placement
    todo: list[Pending]
    extraction: Any  # AsyncResult of the pool, or the list of Prepared already made

    def content(self) -> set[tuple[str, int]]:
        return {(p.hashes.partial, p.entry.size) for p in self.todo}


def load_known(root: str) -> dict[str, Known]:
    """Read through a plain cursor: Django's row iterator cost a third of a rescan's extra time."""
    prefix = root.rstrip(os.sep) + os.sep
    rows = LibraryFile.objects.filter(path__startswith=prefix).values_list("path", "pk", "size", "mtime_ns", "state")
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: row for row in cursor.fetchall() if row[0].startswith(prefix)}  # rows are tuples


def _extensions(folder: ScanFolder) -> frozenset[str]:
    allowed = KIND_FORMATS[ContentType(folder.content_type)]
    return frozenset(f for f in (folder.formats or allowed) if f in allowed)


class Scanner:
    def __init__(self, folder: ScanFolder, run: ScanRun, progress: Progress | None, options: ScanOptions) -> None:
        self.folder, self.run, self.options = folder, run, options
        self.root = os.path.normpath(folder.path)
        self.progress = progress or (lambda *a, **k: None)
        self.extensions = _extensions(folder)
        self.counts = {name: getattr(run, name) for name in COUNTERS}
        self.counts["seen"] = self.counts["unchanged"] = 0
        self.done = 0  # files fully handled (unchanged, or written in a committed batch)
        self.known = load_known(self.root)
        self.pending: list[Pending] = []
        self.restored: list[int] = []
        self.cache = CatalogueCache()
        self.sidecars = SidecarCache()
        self.problems = WalkProblems()
        self.calibre_folders: list[str] = []  # of the calibre libraries walked, each ending in a separator
        # those read, when the first file of theirs that is new or changed is (None: unreadable)
        self.calibre: dict[str, calibre_db.CalibreLibrary | None] = {}
        self.shared_sidecars: list[Shared] = []  # generic sidecars of folders of several books
        self.covers_queued = 0
        self.total = 0  # the files on disk, counted before the walk (see _count_files)
        self.counting: FileCounter | None = None  # the count of a big library's files, in a process
        self.pool: ExtractionPool | None = None
        self.inflight: Submitted | None = None
        # covers are read after the scan, by the cover job (see scanning.models.PendingCover)
        self.setup = PrepareSetup(self.root, replace(options.extract, with_cover=False))

    def scan(self) -> None:
        self._count_files()
        self.progress(0, self._current_total(), f"Scanning {self.root}", force=True)
        try:
            for directory in walk(self.root, self.extensions, self.problems):
                self._report()  # folders without books take time too: the cancel check stays due
                if calibre_db.DB_NAME in directory.sidecars:  # walked before the books below it
                    self.calibre_folders.append(directory.path + os.sep)
                if directory.sidecars:
                    directory = self._settled(directory)
                for entry in directory.files:
                    self._visit(directory, entry)
                    if len(self.pending) >= self.options.batch_size:  # also inside huge folders
                        self.flush()
            self._stop_counting()
            self.total = self.counts["seen"]  # every file is walked: the count is exact
            self.flush(final=True)
        finally:
            self._stop_counting()
            self._stop_pool()
        self._log_walk_problems()
        self._mark_missing()
        self._record_shared_sidecars()

    def _settled(self, directory: Directory) -> Directory:
        """The folder with the sidecars its books can use; generic ones shared by several
        books are set aside and remembered for the scan's problem list."""
        directory, shared = settle(directory)
        if shared is not None:
            self.shared_sidecars.append(shared)
        return directory

    def _record_shared_sidecars(self) -> None:
        """The walk is complete: the folder's list of shared sidecars becomes this scan's
        (rows still true stay as they are: an unchanged library writes nothing)."""
        current = {(s.folder, tuple(s.sidecars), s.books): s for s in self.shared_sidecars}
        stored = {
            (row.path, tuple(row.sidecars), row.books): row.pk
            for row in SidecarProblem.objects.filter(folder=self.folder)
        }
        stale = [pk for key, pk in stored.items() if key not in current]
        fresh = [s for key, s in current.items() if key not in stored]
        if not stale and not fresh:
            return
        with transaction.atomic():
            SidecarProblem.objects.filter(pk__in=stale).delete()
            SidecarProblem.objects.bulk_create(
                SidecarProblem(
                    folder=self.folder, path=s.folder, sidecars=list(s.sidecars), books=s.books, reason=s.reason()
                )
                for s in fresh
            )

    def _count_files(self) -> None:
        """The progress total is the number of files on disk, never the number the catalogue
        knows: a rescan of a library that grew (or whose first scan stopped half-way) would
        show 91.7 % at 3,000 of 15,126 files. Counted here up to COUNT_HERE_MAX (about 0.1 s),
        beyond that by a process of its own (100k names take a second; the total is unknown,
        None, until it answers). A first import of more than two batches also starts the
        extraction processes at once (they claim chunks once they are up)."""
        enough = 2 * self.options.batch_size
        self.total = count_files(self.root, self.extensions, limit=enough)
        if self.total <= enough:
            return
        if not self.known:
            self._start_pool()
        self.total = count_files(self.root, self.extensions, limit=COUNT_HERE_MAX)
        apart = self.pool is not None or (self.known and self.options.workers > 0)
        if self.total > COUNT_HERE_MAX and apart:
            try:
                self.counting = FileCounter(self.root, self.extensions)
            except OSError as exc:
                logger.warning("Cannot start the counting process (%s); counting here", exc)
        if self.total > COUNT_HERE_MAX and self.counting is None:
            self.total = count_files(self.root, self.extensions)

    def _current_total(self) -> int | None:
        if self.counting is not None and self.counting.done():
            self.total = self.counting.result() or self.total
            self._stop_counting()
        return None if self.counting is not None else max(self.total, self.counts["seen"])

    def _stop_counting(self) -> None:
        if self.counting is not None:
            self.counting.close()
            self.counting = None

    def _visit(self, directory: Directory, entry: FileEntry) -> None:
        self.counts["seen"] += 1
        known = self.known.pop(entry.path, None)
        if known is not None and known[K_SIZE] == entry.size and known[K_MTIME] == entry.mtime_ns:
            self.counts["unchanged"] += 1
            self.done += 1
            if self.done % 256 == 0:
                self._report()
            if known[K_STATE] == FileState.MISSING:
                self.restored.append(known[K_PK])
            return
        kind = kind_for(entry.path)
        if kind is None:
            return
        try:
            hashes = quick_hashes(entry.path)  # the full hash: see hashing
        except OSError as exc:
            self._error(entry.path, f"cannot read: {exc.strerror or exc}")
            return
        curated = self._curated(entry.path) if self.calibre_folders else None
        self.pending.append(Pending(entry, directory, kind, hashes, known[K_PK] if known else None, curated))
        self._report()  # a batch of big new files takes a while to hash

    def _curated(self, path: str) -> ExtractedMetadata | None:
        """What the calibre library the file is in says about it."""
        folder = max((f for f in self.calibre_folders if path.startswith(f)), key=len, default=None)
        if folder is None:
            return None
        if folder not in self.calibre:
            self.calibre[folder] = self._read_calibre_library(folder)
        library = self.calibre[folder]
        return library.metadata(path) if library is not None else None

    def _read_calibre_library(self, folder: str) -> calibre_db.CalibreLibrary | None:
        """Read once and never written. Unreadable, it is a scan problem and the files speak."""
        try:
            library = calibre_db.read_library(folder.rstrip(os.sep))
        except calibre_db.CalibreError as exc:
            self._error(
                folder + calibre_db.DB_NAME,
                f"calibre library not read, its books are described from their files: {exc.reason}",
            )
            return None
        logger.info("calibre library %s: %d book files", folder, len(library.files))
        return library

    def _report(self) -> None:
        """Progress, and the job's cancel check: called at every step that can take time
        (each file hashed or read, each folder, each wait); the job writes it twice a second."""
        self.progress(
            self.done,
            self._current_total(),
            f"{self.counts['seen']} files checked, {self.counts['added']} added",
        )

    def _error(self, path: str, reason: str) -> None:
        self.counts["errors"] += 1
        logger.warning("Scan error on %s: %s", path, reason)
        if len(self.run.error_log) < MAX_LOGGED_ERRORS:
            self.run.error_log.append({"path": path, "reason": reason[:500]})

    def _prepared(self, submitted: Submitted) -> list[Prepared]:
        if isinstance(submitted.extraction, list):
            return submitted.extraction
        batch: SharedBatch = submitted.extraction
        self._read_unclaimed(of=batch)  # rather than wait for the workers to get to them
        deadline = time.monotonic() + self._batch_timeout(len(submitted.todo))
        while not batch.wait(timeout=WAIT_SLICE_SECONDS):  # in slices: the cancel check stays due
            if time.monotonic() > deadline:
                logger.warning("Extraction processes stopped answering; reading files in the scan process")
                self._stop_pool()
                return self._read_here(submitted.todo)
            self._report()
        return self._accepted(submitted.todo, batch.results())

    def _read(self, args: tuple[Any, ...]) -> tuple[str, Any]:
        return extract_worker.read(args, self.sidecars)

    def _read_here(self, todo: list[Pending]) -> list[Prepared]:
        """The files read in this process, the way an extraction process reads them."""
        results = []
        for args in task_args(todo, self.setup):
            results.append(self._read(args))
            self._report()
        return self._accepted(todo, results)

    def _accepted(self, todo: list[Pending], results: list[tuple[str, Any]]) -> list[Prepared]:
        """The files read, the others logged as scan errors (a missing tool: retried next scan)."""
        prepared = []
        for pending, (status, value) in zip(todo, results, strict=True):
            if status == "ok":
                prepared.append(value)
            else:
                self._error(pending.entry.path, str(value))
        return prepared

    def _read_unclaimed(self, *, of: SharedBatch | None = None, leave: int = 0) -> None:
        """Read here, newest first, the chunks no worker has claimed (of batch `of` only, when
        given) until only `leave` are left."""
        while self.pool is not None and (chunk := self.pool.take(of=of, leave=leave)) is not None:
            read_chunk(chunk, self._read)
            self._report()

    def _batch_timeout(self, files: int) -> float:
        """Generous: every file may need an external tool (PDF covers, RAR) at its time limit."""
        return 60 + files * self.options.extract.tool_timeout_seconds

    def _start_pool(self) -> None:
        if self.pool is None and self.options.workers > 0:
            try:
                self.pool = ExtractionPool(self.options.workers)
            except OSError as exc:  # no process to be had (limits, memory): the scan reads files itself
                logger.warning("Cannot start extraction processes (%s); reading files in the scan process", exc)
                self.options = replace(self.options, workers=0)

    def _live_pool(self) -> ExtractionPool | None:
        """The extraction processes, up or still coming up (they take a moment to start): a
        worker claims chunks once it is up, and this process reads the ones nobody claimed,
        so nothing waits for it. None without them."""
        self._start_pool()
        if self.pool is not None and self.pool.failed_to_start(POOL_START_SECONDS):
            logger.warning("Extraction processes did not start; reading files in the scan process")
            self._stop_pool()
        return self.pool

    def _stop_pool(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None
        self.options = replace(self.options, workers=0)

    def flush(self, *, final: bool = False) -> None:
        """Start reading the pending batch, then write the batch read before it. The final
        flush drains everything, files deferred behind a same-content twin included."""
        while self.pending or self.restored or (final and self.inflight):
            batch, self.pending = self.pending, []
            submitted = self._submit(batch) if batch else None
            if self.inflight is not None or self.restored:
                self._write(self.inflight)
            self.inflight = submitted
            # leave the workers enough to stay busy while this process walks the next batch
            self._read_unclaimed(leave=SHARE_LEAVE_CHUNKS)
            if not final:
                return

    def _submit(self, batch: list[Pending]) -> Submitted:
        """Place the batch (moves, duplicates) against what is committed and what is in flight,
        and start extracting its new files."""
        busy = self.inflight.content() if self.inflight is not None else set()
        placement = place_new_files([p for p in batch if not p.existing_file_id], self.known, busy)
        self.pending.extend(placement.deferred)
        todo = [p for p in batch if p.existing_file_id] + placement.fresh
        pool = self._live_pool() if len(todo) >= 16 else None  # small batches are not worth a process
        extraction = pool.submit(todo, self.setup) if pool is not None else self._read_here(todo)
        return Submitted(len(batch) - len(placement.deferred), placement, todo, extraction)

    def _write(self, submitted: Submitted | None) -> None:
        prepared = self._prepared(submitted) if submitted is not None else []
        with _disk_full_guard(), transaction.atomic():
            if submitted is not None:
                prepared = _skip_catalogued_meanwhile(prepared, submitted.placement)
            result = write_batch(prepared, self.cache, queue_covers=self.options.with_covers)
            if submitted is not None:
                apply_placement(submitted.placement)
                self.counts["moved"] += len(submitted.placement.moves)
                self.counts["duplicates"] += len(submitted.placement.duplicates)
            if self.restored:
                LibraryFile.objects.filter(pk__in=self.restored).update(state=FileState.PRESENT, error="")
                self.counts["updated"] += len(self.restored)
                self.restored = []
            for name in ("added", "updated", "corrupt"):
                self.counts[name] += getattr(result, name)
            self.covers_queued += result.covers
            self._save_or_stop()
        self.done += submitted.size if submitted is not None else 0
        self._report()

    def save_counts(self, **extra: object) -> bool:
        """Store the counters (a compare-and-swap: never once the run was ended elsewhere,
        say by the watchdog that abandoned this thread). True if stored."""
        return bool(
            ScanRun.objects.filter(pk=self.run.pk, state=RunState.RUNNING).update(
                **self.counts, error_log=self.run.error_log, **extra
            )
        )

    def _save_or_stop(self) -> None:
        if not self.save_counts():
            raise JobCancelled(f"scan run {self.run.pk} was ended while it ran")

    def _log_walk_problems(self) -> None:
        for path in self.problems.broken_links:
            self._error(path, "broken symbolic link")
        for path, reason in self.problems.unreadable + self.problems.skipped:
            self._error(path, reason)

    def _mark_missing(self) -> None:
        """Files not seen in a complete walk are marked missing (never deleted), except under
        folders that could not be read this time."""
        blocked = tuple(p.rstrip(os.sep) + os.sep for p, _ in self.problems.unreadable)
        gone = [
            (k[K_PK], path)
            for path, k in self.known.items()
            if k[K_STATE] != FileState.MISSING and not path.startswith(blocked)
        ]
        with transaction.atomic():
            for start in range(0, len(gone), 500):
                pks, paths = zip(*gone[start : start + 500], strict=True)
                # still at the path the walk missed (a rename meanwhile moved it elsewhere: not missing)
                self.counts["missing"] += LibraryFile.objects.filter(pk__in=pks, path__in=paths).update(
                    state=FileState.MISSING, error="not found at the last scan"
                )
            for path, reason in self.problems.skipped:  # a book replaced by a FIFO or emptied: not a book now
                if path in self.known:
                    LibraryFile.objects.filter(pk=self.known[path][K_PK]).update(state=FileState.MISSING, error=reason)
            self._save_or_stop()


def _skip_catalogued_meanwhile(prepared: list[Prepared], placement: Placement) -> list[Prepared]:
    """Leave out the new paths another writer catalogued since the walk (a rename moved a
    known file there), so none is inserted twice. One query per batch, inside the batch's
    transaction (IMMEDIATE on SQLite: no other writer can add one before it commits)."""
    paths = [p.entry.path for p in prepared if not p.existing_file_id]
    paths += [pending.entry.path for _, pending in placement.moves]
    paths += [pending.entry.path for pending, _, _ in placement.duplicates]
    taken = set(LibraryFile.objects.filter(path__in=paths).values_list("path", flat=True)) if paths else set()
    if not taken:
        return prepared
    placement.moves[:] = [(pk, p) for pk, p in placement.moves if p.entry.path not in taken]
    placement.duplicates[:] = [d for d in placement.duplicates if d[0].entry.path not in taken]
    return [p for p in prepared if p.existing_file_id or p.entry.path not in taken]


class _disk_full_guard:
    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type, exc, tb) -> bool:
        text = str(exc or "").lower()
        if (
            exc_type is not None
            and issubclass(exc_type, OperationalError | OSError)
            and ("full" in text or getattr(exc, "errno", None) == errno.ENOSPC)
        ):
            raise DiskFull(
                "Disk full: the scan paused", hint="Free some space; the scan resumes where it stopped."
            ) from exc
        return False


@contextlib.contextmanager
def _long_lived_objects_frozen() -> Iterator[None]:
    """Django, the models and everything loaded before the scan are many thousands of objects
    that the cyclic garbage collector would walk again at every full collection of the scan
    (2-5% of a first import). They are left out for the scan, and given back after it."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _start_run(folder: ScanFolder, job_id: int | None) -> ScanRun:
    run = ScanRun.objects.filter(folder=folder, job_id=job_id).first() if job_id else None
    if run is None:
        return ScanRun.objects.create(folder=folder, job_id=job_id)
    run.attempts += 1
    run.state, run.message, run.finished_at = RunState.RUNNING, "Resumed after an interruption", None
    run.save(update_fields=["attempts", "state", "message", "finished_at"])
    return run


def _finish(scanner: Scanner, state: str, message: str = "") -> None:
    now = timezone.now()
    scanner.save_counts(
        state=state,
        message=message[:500],
        finished_at=now,
        duration_seconds=(now - scanner.run.started_at).total_seconds(),
    )
    if state == RunState.SUCCEEDED:
        ScanFolder.objects.filter(pk=scanner.folder.pk).update(last_scan_at=now)


def working_job_ids() -> list[int]:
    """Jobs of the scan runs still marked running."""
    return list(ScanRun.objects.filter(state=RunState.RUNNING, job__isnull=False).values_list("job_id", flat=True))


def settle_ended_runs(ended: dict[int, EndedJob]) -> int:
    """End the scan runs still marked running whose job has ended (cancelled: the run is
    cancelled; otherwise failed), with an end time and the reason."""
    settled = 0
    for run in ScanRun.objects.filter(state=RunState.RUNNING, job_id__in=list(ended)):
        job = ended[run.job_id]
        now = timezone.now()
        settled += ScanRun.objects.filter(pk=run.pk, state=RunState.RUNNING).update(
            state=RunState.CANCELLED if job.state == JobState.CANCELLED else RunState.FAILED,
            message=f"Stopped: {job.describe()}"[:500],
            finished_at=now,
            duration_seconds=(now - run.started_at).total_seconds(),
        )
    return settled


def scan_folder(
    folder_id: int,
    *,
    progress: Progress | None = None,
    job_id: int | None = None,
    options: ScanOptions | None = None,
) -> dict[str, object]:
    """Scan one folder; return the summary (also stored on its ScanRun)."""
    folder = ScanFolder.objects.filter(pk=folder_id).first()
    if folder is None:
        raise NotFound(f"Scan folder #{folder_id} does not exist")
    if not os.path.isdir(folder.path) or not os.access(folder.path, os.R_OK | os.X_OK):
        raise ConfigurationError(
            f"Scan folder {folder.path} is missing or unreadable",
            hint="Is the volume mounted? Check the path and permissions.",
        )
    started = time.monotonic()
    scanner = Scanner(folder, _start_run(folder, job_id), progress, options or ScanOptions())
    try:
        with _long_lived_objects_frozen(), spaced_checkpoints():
            scanner.scan()
    except DiskFull as exc:
        _finish(scanner, RunState.PAUSED, str(exc))
        raise
    except BaseException as exc:
        cancelled = isinstance(exc, JobCancelled)
        _finish(
            scanner,
            RunState.CANCELLED if cancelled else RunState.FAILED,
            "Cancelled" if cancelled else f"{type(exc).__name__}: {exc}",
        )
        raise
    _finish(scanner, RunState.SUCCEEDED, f"Done in {time.monotonic() - started:.1f} s")
    return {
        **scanner.counts,
        "run_id": scanner.run.pk,
        "covers_queued": scanner.covers_queued,
        "shared_sidecars": len(scanner.shared_sidecars),
    }
