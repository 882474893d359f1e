"""Release-title parsing and scoring throughput. Usage:
python benchmarks/release_parsing.py [N]   (N titles, default 20000; env OMNI_BENCH_N)"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexers.clients.base import Release
from indexers.releases import parse_release
from indexers.scoring import ScoringPrefs, WantedBook, score_release

SAMPLES = [
    "Andy.Weir.-.Project.Hail.Mary.2021.RETAIL.EPUB.eBook-BitBook",
    "Brandon_Sanderson_-_The_Lost_Metal-AUDIOBOOK-WEB-EN-2022-CRUCiAL",
    "Brandon Sanderson - Stormlight Archive 01 - The Way of Kings",
    "The Way of Kings by Brandon Sanderson [ENG / EPUB MOBI]",
    "Le Guin, Ursula K. - A Wizard of Earthsea (Earthsea, Book 1) [epub]",
    "Neil Gaiman - American Gods [Narrated by George Guidall] (Unabridged) [M4B]",
    "Saga 054 (2018) (digital) (Son of Ultron-Empire).cbr",
]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("OMNI_BENCH_N", "20000"))
    titles = [
        f"{SAMPLES[i % len(SAMPLES)]} {i}" if i % 3 == 0 else SAMPLES[i % len(SAMPLES)] for i in range(n)
    ]
    start, cpu_start = time.perf_counter(), time.process_time()
    parsed = [parse_release(t) for t in titles]
    parse_s, parse_cpu = time.perf_counter() - start, time.process_time() - cpu_start
    wanted = WantedBook("ebook", "The Way of Kings", ("Brandon Sanderson",))
    prefs = ScoringPrefs(("epub", "azw3", "mobi", "pdf"))
    start = time.perf_counter()
    for title, p in zip(titles, parsed, strict=True):
        score_release(
            wanted, Release(title=title, guid=title, protocol="usenet", indexer="b", size=2_000_000), p, prefs
        )
    score_s = time.perf_counter() - start
    print(
        f"parse_release: {n} titles in {parse_s:.2f} s = {n / parse_s:,.0f} titles/s "
        f"({n / parse_cpu:,.0f} titles per CPU-second, the figure that holds on a busy machine)"
    )
    print(
        f"score_release: {n} releases in {score_s:.2f} s = {n / score_s:,.0f} releases/s "
        f"(a 50-result search scores in {50 * score_s / n * 1000:.1f} ms)"
    )


if __name__ == "__main__":
    main()
