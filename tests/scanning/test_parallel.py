"""Extraction shared between the worker processes and the scan process."""

from __future__ import annotations

import time
from dataclasses import replace

from scanning import extract_worker
from scanning.extractors import ExtractOptions
from scanning.services.gather import PrepareSetup, SidecarCache
from scanning.services.hashing import quick_hashes
from scanning.services.parallel import (
    BY_WORKER,
    CHUNK_FILES,
    ExtractionPool,
    FileCounter,
    SharedBatch,
    read_chunk,
    task_args,
)
from scanning.services.scan import Pending
from scanning.walker import WalkProblems, walk
from tests.scanning import samples as s


def _todo(library, count: int) -> list[Pending]:
    for i in range(count):
        s.make_epub(library / f"Book {i:03}.epub", s.Book(f"Book {i}", uuid=f"00000000-0000-4000-8000-{i:012d}"))
    (folder,) = list(walk(str(library), frozenset({"epub"}), WalkProblems()))
    return [Pending(e, folder, "ebook", quick_hashes(e.path)) for e in folder.files]


def _read_all_here(todo, setup):
    sidecars = SidecarCache()
    return [extract_worker.read(args, sidecars) for args in task_args(todo, setup)]


def test_the_scan_process_reads_the_newest_chunks_no_worker_has_claimed(library):
    todo = _todo(library, 5 * CHUNK_FILES)
    setup = PrepareSetup(str(library), ExtractOptions(with_cover=False))
    sidecars = SidecarCache()
    pool = ExtractionPool(1)
    try:
        pool._pool.apply_async(time.sleep, (1.0,))  # the only worker is busy for a while
        batch = pool.submit(todo, setup)
        taken = []
        while (chunk := pool.take(leave=1)) is not None:
            read_chunk(chunk, lambda args: extract_worker.read(args, sidecars))
            taken.append(chunk[1])
        assert taken == [4, 3, 2, 1]  # newest first; the oldest is left to the worker
        assert batch.wait(timeout=60)
        assert batch.results() == _read_all_here(todo, setup)  # in the order of the batch
        assert pool._claims.holder(0) == BY_WORKER  # the oldest chunk, read by the worker
    finally:
        pool.close()


def test_a_chunk_is_taken_only_for_its_own_batch_and_never_twice(library):
    todo = _todo(library, 4 * CHUNK_FILES)
    setup = PrepareSetup(str(library), ExtractOptions(with_cover=False))
    pool = ExtractionPool(1)
    try:
        pool._pool.apply_async(time.sleep, (1.0,))
        first = pool.submit(todo[: 3 * CHUNK_FILES], setup)
        second = pool.submit(todo[3 * CHUNK_FILES :], setup)
        mine = pool.take(of=second)
        assert mine is not None and mine[0] is second and mine[1] == 0
        assert pool.take(of=second) is None  # its only chunk is claimed
        newest_first = pool.take(of=first)
        assert newest_first is not None and newest_first[0] is first and newest_first[1] == 2
        assert pool.take(leave=2) is None  # two unclaimed chunks left: kept for the worker
        for chunk in (mine, newest_first):
            read_chunk(chunk, lambda args: extract_worker.read(args, SidecarCache()))
        assert first.wait(timeout=60) and second.wait(timeout=60)
        assert first.results() + second.results() == _read_all_here(todo, setup)
    finally:
        pool.close()


def test_every_worker_helps_with_every_batch(library):
    todo = _todo(library, 6 * CHUNK_FILES + 3)
    setup = PrepareSetup(str(library), ExtractOptions(with_cover=False))
    pool = ExtractionPool(2)
    try:
        batch = pool.submit(todo, setup)
        assert batch.wait(timeout=60)
        assert batch.results() == _read_all_here(todo, setup)
    finally:
        pool.close()


def test_a_chunk_that_fails_in_the_worker_marks_its_files_as_errors(library):
    """An unexpected exception in a worker (here: a kind no parser knows) is reported for each
    file of the chunk instead of stopping the batch."""
    todo = [replace(p, kind="no such kind") for p in _todo(library, CHUNK_FILES)]
    pool = ExtractionPool(1)
    try:
        batch = pool.submit(todo, PrepareSetup(str(library), ExtractOptions(with_cover=False)))
        assert batch.wait(timeout=60)
        results = batch.results()
        assert len(results) == CHUNK_FILES
        assert all(status == "error" and "extraction process failed" in reason for status, reason in results)
    finally:
        pool.close()


def test_a_worker_task_that_fails_as_a_whole_fails_only_the_chunks_it_claimed():
    pool = ExtractionPool(1)
    try:
        pool._pool.apply_async(time.sleep, (1.0,))
        batch = SharedBatch([CHUNK_FILES] * 3)
        pool._claims.free(1000, 3)
        assert pool._claims.claim(1000, BY_WORKER) and pool._claims.claim(1001, BY_WORKER)
        batch.put(1, [("ok", "read")] * CHUNK_FILES)  # the worker had answered for this one
        pool._failed(batch, 1000, 3, RuntimeError("result too big"))
        assert not batch.missing(0) and not batch.missing(1) and batch.missing(2)  # 2 was never claimed
        assert batch.results()[0] == ("error", "extraction process failed: result too big")
        assert batch.results()[CHUNK_FILES] == ("ok", "read")
    finally:
        pool.close()


def test_the_file_counter_counts_in_a_process_of_its_own(library):
    _todo(library, 5)
    (library / "sub").mkdir()
    (library / "sub" / "More.epub").write_bytes(b"x")
    counter = FileCounter(str(library), frozenset({"epub"}))
    try:
        deadline = time.monotonic() + 60
        while not counter.done() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert counter.result() == 6
    finally:
        counter.close()
