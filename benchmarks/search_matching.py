"""Throughput of the pure metadata logic: distance scoring, recommendation and
trust x confidence merging. Usage: python benchmarks/search_matching.py [N] (default 2000)."""

from __future__ import annotations

import logging
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search.matching.distance import ItemFacts
from search.matching.recommend import decide
from search.merge import Candidate, group_records, resolve
from search.providers.base import AuthorRef, BookRecord

WORDS = [
    "time",
    "war",
    "weapons",
    "shadow",
    "empire",
    "glass",
    "river",
    "night",
    "crown",
    "storm",
    "iron",
    "garden",
    "silent",
    "ember",
]


def main(n: int) -> None:
    rng = random.Random(4)
    records = [
        BookRecord(
            provider=rng.choice(["openlibrary", "googlebooks"]),
            external_id=str(i),
            title=" ".join(rng.sample(WORDS, 3)).title(),
            authors=(AuthorRef(f"Author {i % 50}"),),
            year=1950 + i % 70,
            isbn13="",
        )
        for i in range(n)
    ]
    items = [ItemFacts(title=r.title.lower(), authors=r.author_names, year=r.year) for r in records[: max(1, n // 10)]]
    start = time.perf_counter()
    for item in items:
        decide(item, [*records[:10], records[items.index(item)]])
    took = time.perf_counter() - start
    pairs = len(items) * 11
    start = time.perf_counter()
    groups = group_records(records)
    grouping = time.perf_counter() - start
    candidates = [Candidate("title", rng.choice(WORDS), f"s{i % 6}", 0.5 + (i % 5) / 10, 0.9) for i in range(n)]
    start = time.perf_counter()
    for i in range(0, n, 8):
        resolve("title", candidates[i : i + 8])
    merging = time.perf_counter() - start
    log = logging.getLogger("benchmark")
    log.info("distance+recommend: %d pairs in %.3f s (%.0f pairs/s)", pairs, took, pairs / took)
    log.info("group_records: %d records -> %d groups in %.3f s", n, len(groups), grouping)
    log.info("resolve: %d fields of 8 candidates in %.3f s (%.0f fields/s)", n // 8, merging, (n // 8) / merging)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
