"""Name-parsing throughput of every parser over the corpus inputs (tests/names/data/*.jsonl),
each parser's inputs repeated until it has parsed N names (goal: 20,000 names/s or more per core).
The parsers keep no cache, so a repeated name costs what a new one does.

Usage: python benchmarks/name_parsing.py [N]   (default 100000; env OMNI_BENCH_N)
       python benchmarks/name_parsing.py N --nameparser   (also time the `nameparser` package on
       the author inputs, when it is importable: the comparison behind core/authors.py)"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import defaultdict
from itertools import cycle, islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.authors import parse_author
from indexers.releases import parse_release
from scanning.extractors.filename import as_json, parse_path

ROOT = Path(__file__).resolve().parent.parent

PARSERS = {
    "release": lambda text: parse_release(text).as_dict(),
    "ebook": lambda text: as_json(parse_path(text, "ebook")),
    "comic": lambda text: as_json(parse_path(text, "comic")),
    "audiobook": lambda text: as_json(parse_path(text, "audiobook")),
    "author": parse_author,
}


def corpus_inputs() -> dict[str, list[str]]:
    inputs: dict[str, list[str]] = defaultdict(list)
    for data_file in sorted((ROOT / "tests" / "names" / "data").glob("*.jsonl")):
        for line in data_file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                inputs[case["parser"]].append(case["input"])
    return inputs


def names_per_second(parse, texts: list[str], n: int) -> float:
    """Names per second of this process's CPU time: one core's throughput, even on a busy machine."""
    batch = list(islice(cycle(texts), n))
    start = time.process_time()
    for text in batch:
        parse(text)
    return n / (time.process_time() - start)


def nameparser_parse(text: str) -> tuple[str, str]:
    from nameparser import HumanName  # LGPL-2.1; not a dependency, timed only on request

    name = HumanName(text)
    return str(name), f"{name.last}, {name.first} {name.middle}".strip(" ,")


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else int(os.environ.get("OMNI_BENCH_N", "100000"))
    inputs = corpus_inputs()
    print(f"{n:,} names per parser, names per CPU-second of one core (Python {sys.version.split()[0]})")
    for kind, parse in PARSERS.items():
        texts = inputs.get(kind, [])
        if not texts:
            print(f"{kind:>10}: no corpus inputs")
            continue
        rate = names_per_second(parse, texts, n)
        print(f"{kind:>10}: {rate:>9,.0f} names/s  ({len(texts)} distinct inputs, {n / rate:.2f} s)")
    if "--nameparser" in sys.argv and inputs.get("author"):
        rate = names_per_second(nameparser_parse, inputs["author"], n)
        print(f"{'nameparser':>10}: {rate:>9,.0f} names/s  (HumanName on the author inputs, one name each)")


if __name__ == "__main__":
    main()
