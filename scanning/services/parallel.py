"""Optional metadata extraction in worker processes (OMNI_SCAN_WORKERS > 1). Workers are
spawned (not forked: the scan may run inside a threaded Dramatiq worker), never touch the
database, and return frozen `Prepared` values; the scanner alone writes. With one worker
(the default) everything runs in the scan process."""

from __future__ import annotations

import multiprocessing
from typing import Any

from scanning import extract_worker
from scanning.extractors import ExtractOptions
from scanning.services.gather import Prepared


class ExtractionPool:
    def __init__(self, workers: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._pool = context.Pool(workers, initializer=extract_worker.init, maxtasksperchild=20_000)

    def run(self, todo: list[Any], root: str, options: ExtractOptions) -> list[tuple[str, Prepared | str]]:
        args = [(p.entry, p.kind, p.directory, root, options, p.hashes, p.existing_file_id) for p in todo]
        return self._pool.map(extract_worker.task, args, chunksize=16)

    def close(self) -> None:
        self._pool.terminate()
        self._pool.join()
