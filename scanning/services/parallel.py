"""Metadata extraction in worker processes (OMNI_SCAN_WORKERS, default 1 on two cores or more),
overlapping the scan process writing the previous batch. Workers are
spawned (not forked: the scan may run inside a threaded Dramatiq worker), never touch the
database, and return frozen `Prepared` values; the scanner alone writes. With 0 workers
everything runs in the scan process."""

from __future__ import annotations

import multiprocessing
import time
from multiprocessing.pool import AsyncResult
from typing import Any

from scanning import extract_worker
from scanning.services.gather import PrepareSetup


class ExtractionPool:
    def __init__(self, workers: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._pool = context.Pool(workers, initializer=extract_worker.init, maxtasksperchild=20_000)
        self._ping = self._pool.apply_async(extract_worker.ping)
        self._created = time.monotonic()

    def ready(self) -> bool:
        """Whether a worker is up; never waits (until then the scan reads files itself)."""
        return self._ping.ready()

    def failed_to_start(self, within_seconds: float) -> bool:
        return not self.ready() and time.monotonic() - self._created > within_seconds

    def submit(self, todo: list[Any], setup: PrepareSetup) -> AsyncResult:
        """Start extracting; `.get()` gives one ("ok", Prepared) or (status, reason) per file."""
        args = task_args(todo, setup)
        return self._pool.map_async(extract_worker.task, args, chunksize=16)

    def close(self) -> None:
        self._pool.terminate()
        self._pool.join()


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
