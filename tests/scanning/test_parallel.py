"""Extraction shared between the worker processes and the scan process."""

from __future__ import annotations

import time
from dataclasses import replace

from scanning import extract_worker
from scanning.extractors import ExtractOptions
from scanning.services.gather import PrepareSetup, SidecarCache
from scanning.services.hashing import quick_hashes
from scanning.services.parallel import CHUNK_FILES, CHUNKS_AHEAD, ExtractionPool, FileCounter, read_chunk, task_args
from scanning.services.scan import Pending
from scanning.walker import WalkProblems, walk
from tests.scanning import samples as s


def _todo(library, count: int) -> list[Pending]:
    for i in range(count):
        s.make_epub(library / f"Book {i:03}.epub", s.Book(f"Book {i}", uuid=f"00000000-0000-4000-8000-{i:012d}"))
    (folder,) = list(walk(str(library), frozenset({"epub"}), WalkProblems()))
    return [Pending(e, folder, "ebook", quick_hashes(e.path, e.size)) for e in folder.files]


def test_the_scan_process_reads_the_chunks_no_worker_has_started(library):
    todo = _todo(library, (CHUNKS_AHEAD + 2) * CHUNK_FILES)
    setup = PrepareSetup(str(library), ExtractOptions(with_cover=False))
    sidecars = SidecarCache()
    here = [extract_worker.read(args, sidecars) for args in task_args(todo, setup)]
    pool = ExtractionPool(1)
    try:
        pool._pool.apply_async(time.sleep, (1.0,))  # the only worker is busy for a while
        batch = pool.submit(todo, setup)
        taken = 0
        while (chunk := pool.take(newest=True)) is not None:
            read_chunk(chunk, lambda args: extract_worker.read(args, sidecars))
            taken += 1
        assert taken == 2  # the other chunks were handed to the worker at once
        assert batch.wait(timeout=60)
        assert batch.results() == here  # in the order of the batch, as if read here
    finally:
        pool.close()


def test_a_chunk_is_taken_oldest_first_only_for_its_own_batch(library):
    given = CHUNKS_AHEAD * CHUNK_FILES  # what the worker gets at once
    todo = _todo(library, given + 2 * CHUNK_FILES)
    setup = PrepareSetup(str(library), ExtractOptions(with_cover=False))
    pool = ExtractionPool(1)
    try:
        pool._pool.apply_async(time.sleep, (1.0,))
        first = pool.submit(todo[: given + CHUNK_FILES], setup)  # one chunk is left waiting
        second = pool.submit(todo[given + CHUNK_FILES :], setup)
        assert pool.take(newest=False, of=second) is None  # the oldest waiting chunk is the first batch's
        oldest = pool.take(newest=False, of=first)
        assert oldest is not None and oldest[0] is first and oldest[1] == CHUNKS_AHEAD
        assert pool.take(newest=False, of=first) is None
        assert pool.take(newest=True, leave=1) is None  # one chunk left: kept for the worker
        read_chunk(oldest, lambda args: extract_worker.read(args, SidecarCache()))
        assert first.wait(timeout=60) and second.wait(timeout=60)
        assert len(first.results()) == given + CHUNK_FILES and len(second.results()) == CHUNK_FILES
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
