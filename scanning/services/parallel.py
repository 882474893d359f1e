"""Metadata extraction in worker processes (OMNI_SCAN_WORKERS, default 1 on two cores or more),
overlapping the scan process writing the previous batch. Workers are spawned (not forked: the
scan may run inside a threaded Dramatiq worker), never touch the database, and return frozen
`Prepared` values; the scanner alone writes. With 0 workers everything runs in the scan process.

A batch is cut into small chunks that wait in a queue here, not in the pool: the workers are
fed a few chunks at a time (topped up from the pool's result thread as each one finishes), so
the scan process can take the chunks nobody has started whenever it would otherwise sit idle.
Both cores stay busy without guessing in advance how to split a batch between them."""

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
# Chunks given out to each worker at once: one being read, two ready. Each next one is sent
# from this process's result thread, which waits for the GIL (up to 5 ms) while the scan
# works: with one ready, the worker sat idle 15-25% of a 5k import (0.3-0.5 s), with two
# about 0.1 s less; more leave the scan waiting for them at the end of each batch instead.
CHUNKS_AHEAD = 3
Result = tuple[str, Any]  # ("ok", Prepared) or (status, reason), one per file


class SharedBatch:
    """The results of one batch, filled chunk by chunk by the workers and the scan process."""

    def __init__(self, chunks: int) -> None:
        self._results: list[list[Result] | None] = [None] * chunks
        self._left = chunks
        self._done = threading.Condition()

    def put(self, index: int, results: list[Result]) -> None:
        with self._done:
            if self._results[index] is None:
                self._left -= 1
            self._results[index] = results
            self._done.notify_all()

    def wait(self, timeout: float) -> bool:
        with self._done:
            return self._done.wait_for(lambda: self._left == 0, timeout)

    def results(self) -> list[Result]:
        return [result for chunk in self._results for result in chunk or ()]


# a chunk waiting to be read: its batch, its place in the batch, the worker task arguments
Chunk = tuple[SharedBatch, int, list[tuple[Any, ...]]]


class ExtractionPool:
    def __init__(self, workers: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._pool = context.Pool(workers, initializer=extract_worker.init, maxtasksperchild=20_000)
        self._ping = self._pool.apply_async(extract_worker.ping)
        self._created = time.monotonic()
        self._queue: deque[Chunk] = deque()
        self._lock = threading.Lock()
        self._at_workers = 0
        self._ahead = CHUNKS_AHEAD * workers
        self._closed = False

    def ready(self) -> bool:
        """Whether a worker is up; never waits (until then the scan reads files itself)."""
        return self._ping.ready()

    def failed_to_start(self, within_seconds: float) -> bool:
        return not self.ready() and time.monotonic() - self._created > within_seconds

    def submit(self, todo: list[Any], setup: PrepareSetup) -> SharedBatch:
        """Queue a batch for reading; `SharedBatch.results()` keeps the order of `todo`."""
        args = task_args(todo, setup)
        pieces = [args[start : start + CHUNK_FILES] for start in range(0, len(args), CHUNK_FILES)]
        batch = SharedBatch(len(pieces))
        with self._lock:
            self._queue.extend((batch, index, piece) for index, piece in enumerate(pieces))
        self._feed()
        return batch

    def take(self, *, newest: bool, of: SharedBatch | None = None, leave: int = 0) -> Chunk | None:
        """A chunk no worker has started, for the scan process to read: the newest one (the
        workers take the oldest), or the oldest one when it belongs to batch `of`. None when
        only `leave` chunks are left (enough to keep the workers busy meanwhile)."""
        with self._lock:
            if len(self._queue) <= leave:
                return None
            if newest:
                return self._queue.pop()
            if self._queue[0][0] is of:
                return self._queue.popleft()
            return None

    def _feed(self) -> None:
        while True:
            with self._lock:
                if self._closed or self._at_workers >= self._ahead or not self._queue:
                    return
                batch, index, piece = self._queue.popleft()
                self._at_workers += 1
            try:
                self._pool.apply_async(
                    extract_worker.chunk,
                    (piece,),
                    callback=partial(self._finished, batch, index),
                    error_callback=partial(self._failed, batch, index, len(piece)),
                )
            except ValueError:  # the pool was closed meanwhile
                return

    def _finished(self, batch: SharedBatch, index: int, results: list[Result]) -> None:
        """Runs on the pool's result thread."""
        with self._lock:
            self._at_workers -= 1
        batch.put(index, results)
        self._feed()

    def _failed(self, batch: SharedBatch, index: int, files: int, exc: BaseException) -> None:
        self._finished(batch, index, [("error", f"extraction process failed: {exc}")] * files)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._queue.clear()
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


def read_chunk(chunk: Chunk, read: Callable[[tuple[Any, ...]], Result]) -> None:
    """Read a taken chunk in this process and hand its results to its batch."""
    batch, index, piece = chunk
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
        )
        for p in todo
    ]
