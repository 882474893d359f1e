"""Metadata extraction in worker processes (OMNI_SCAN_WORKERS, default 1 on two cores or more),
overlapping the scan process writing the previous batch. Workers are spawned (not forked: the
scan may run inside a threaded Dramatiq worker), never touch the database, and return frozen
`Prepared` values; the scanner alone writes. With 0 workers everything runs in the scan process.

A batch is cut into small chunks, and every chunk is read by whichever process claims it first
(`Claims`, a byte per chunk in shared memory): a worker is sent the whole batch and claims its
chunks oldest first, while the scan process claims the newest ones whenever it would otherwise
sit idle. Both cores stay busy without guessing in advance how to split a batch between them,
and a worker never waits for the scan process to send its next chunk (sent one by one from the
pool's result thread, which waits for the GIL while the scan works, they left the worker idle
for 15-25% of a 5k import)."""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections import deque
from collections.abc import Callable
from functools import partial
from typing import Any

from scanning import extract_worker
from scanning.services.gather import PrepareSetup
from scanning.walker import count_files_into

CHUNK_FILES = 16  # about 7 ms of reading: small enough to share a batch evenly
SLOTS = 1 << 16  # claim bytes, reused in turn: far more chunks than are ever in flight at once
FREE, BY_SCAN, BY_WORKER = 0, 1, 2
Result = tuple[str, Any]  # ("ok", Prepared) or (status, reason), one per file


class Claims:
    """Who reads each chunk: the first process to claim it. Chunks are numbered in the order
    they are made; their bytes are shared by the scan process and its workers."""

    def __init__(self, context: Any) -> None:
        self._flags = context.RawArray("b", SLOTS)
        self._lock = context.Lock()

    def free(self, first: int, count: int) -> None:
        with self._lock:
            for number in range(first, first + count):
                self._flags[number % SLOTS] = FREE

    def claim(self, number: int, who: int) -> bool:
        with self._lock:
            if self._flags[number % SLOTS] != FREE:
                return False
            self._flags[number % SLOTS] = who
            return True

    def holder(self, number: int) -> int:
        return self._flags[number % SLOTS]


class SharedBatch:
    """The results of one batch, filled chunk by chunk by the workers and the scan process."""

    def __init__(self, sizes: list[int]) -> None:
        self.sizes = sizes  # files per chunk
        self._results: list[list[Result] | None] = [None] * len(sizes)
        self._left = len(sizes)
        self._done = threading.Condition()

    def put(self, index: int, results: list[Result]) -> None:
        with self._done:
            if self._results[index] is None:
                self._left -= 1
            self._results[index] = results
            self._done.notify_all()

    def missing(self, index: int) -> bool:
        with self._done:
            return self._results[index] is None

    def wait(self, timeout: float) -> bool:
        with self._done:
            return self._done.wait_for(lambda: self._left == 0, timeout)

    def results(self) -> list[Result]:
        return [result for chunk in self._results for result in chunk or ()]


# a chunk nobody may have claimed yet: its batch, its place in the batch, its number, the
# worker task arguments of its files
Chunk = tuple[SharedBatch, int, int, list[tuple[Any, ...]]]


class ExtractionPool:
    def __init__(self, workers: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._claims = Claims(context)
        self._pool = context.Pool(
            workers, initializer=extract_worker.init, initargs=(self._claims,), maxtasksperchild=20_000
        )
        self._workers = workers
        self._ping = self._pool.apply_async(extract_worker.ping)
        self._created = time.monotonic()
        self._unclaimed: deque[Chunk] = deque()  # in the order made; those claimed are dropped lazily
        self._numbered = 0

    def ready(self) -> bool:
        """Whether a worker is up; never waits (until then the scan process reads every chunk)."""
        return self._ping.ready()

    def failed_to_start(self, within_seconds: float) -> bool:
        return not self.ready() and time.monotonic() - self._created > within_seconds

    def submit(self, todo: list[Any], setup: PrepareSetup) -> SharedBatch:
        """Send a batch to the workers; `SharedBatch.results()` keeps the order of `todo`."""
        args = task_args(todo, setup)
        pieces = [args[start : start + CHUNK_FILES] for start in range(0, len(args), CHUNK_FILES)]
        batch = SharedBatch([len(piece) for piece in pieces])
        first, self._numbered = self._numbered, self._numbered + len(pieces)
        self._claims.free(first, len(pieces))
        self._unclaimed.extend((batch, index, first + index, piece) for index, piece in enumerate(pieces))
        for _ in range(self._workers):  # every worker may help with every batch
            self._pool.apply_async(
                extract_worker.claimed_chunks,
                (first, pieces),
                callback=partial(self._finished, batch),
                error_callback=partial(self._failed, batch, first, len(pieces)),
            )
        return batch

    def take(self, *, of: SharedBatch | None = None, leave: int = 0) -> Chunk | None:
        """Claim the newest chunk no worker has claimed (of batch `of` only, when given) for the
        scan process to read; the workers go oldest first. None when no more than `leave`
        unclaimed chunks are left (kept for the workers while the scan does other work)."""
        while self._unclaimed and self._claims.holder(self._unclaimed[0][2]) != FREE:
            self._unclaimed.popleft()
        free = [chunk for chunk in self._unclaimed if self._claims.holder(chunk[2]) == FREE]
        if len(free) <= leave:
            return None
        for chunk in reversed(free):
            if (of is None or chunk[0] is of) and self._claims.claim(chunk[2], BY_SCAN):
                return chunk
        return None

    def _finished(self, batch: SharedBatch, results: list[tuple[int, list[Result]]]) -> None:
        """Runs on the pool's result thread."""
        for index, chunk_results in results:
            batch.put(index, chunk_results)

    def _failed(self, batch: SharedBatch, first: int, chunks: int, exc: BaseException) -> None:
        """A worker task that failed as a whole (its chunks' own errors come back as results):
        the chunks a worker claimed and never answered for are errors."""
        for index in range(chunks):
            if self._claims.holder(first + index) == BY_WORKER and batch.missing(index):
                batch.put(index, failed_chunk(batch.sizes[index], exc))

    def close(self) -> None:
        self._unclaimed.clear()
        self._pool.terminate()
        self._pool.join()


class FileCounter:
    """Counts a first import's files in a process of its own (spawned with nothing but the
    walker to import), for the progress total: 100k names take it about a second, which the
    extraction process would otherwise spend before its first chunk."""

    def __init__(self, root: str, extensions: frozenset[str]) -> None:
        context = multiprocessing.get_context("spawn")
        self._answer, sending = context.Pipe(duplex=False)
        self._process = context.Process(
            target=count_files_into, args=(root, extensions, sending), name="scan-count", daemon=True
        )
        self._process.start()
        sending.close()

    def result(self) -> int | None:
        """The count once it is there (never waits); None until then or when counting failed."""
        try:
            return self._answer.recv() if self._answer.poll() else None
        except (EOFError, OSError):
            return None

    def done(self) -> bool:
        return not self._process.is_alive() or self._answer.poll()

    def close(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._answer.close()


def failed_chunk(files: int, exc: BaseException) -> list[Result]:
    return [("error", f"extraction process failed: {exc}")] * files


def read_chunk(chunk: Chunk, read: Callable[[tuple[Any, ...]], Result]) -> None:
    """Read a taken chunk in this process and hand its results to its batch."""
    batch, index, _, piece = chunk
    batch.put(index, [read(args) for args in piece])


def task_args(todo: list[Any], setup: PrepareSetup) -> list[tuple[Any, ...]]:
    """What each worker task receives. The folder goes without its file list (workers need
    only its path and sidecars): pickling a 30,000-file folder with every task made big
    flat folders import ever more slowly."""
    light: dict[str, Any] = {}
    return [
        (
            p.entry,
            p.kind,
            light.setdefault(p.directory.path, p.directory._replace(files=())),
            setup,
            p.hashes,
            p.existing_file_id,
            p.curated,
        )
        for p in todo
    ]
