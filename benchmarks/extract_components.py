"""Per-file cost of each step of EPUB extraction and gathering (describe + match keys,
what the scanner's prepare() runs), in ms per file.

    python benchmarks/extract_components.py /tmp/corpus
    python benchmarks/extract_components.py /tmp/corpus --compare /tmp/old-checkout --rounds 5

With `--compare`, this checkout and the other one are timed in alternating child
processes (the machine's speed drifts, so runs are interleaved) and the median of each
step is printed side by side. Files under a 'broken' folder and non-zip files are skipped.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
STEPS = (
    "zip_open",
    "container",
    "opf_read",
    "parse_opf",
    "cover",
    "extract",
    "extract_nocover",
    "parse_path",
    "merge",
    "match_keys",
    "describe+keys",
)
WIDTH = max(map(len, STEPS)) + 1


def _epubs(root: str) -> list[tuple[object, object]]:
    """(FileEntry, Directory) for every readable EPUB, outside 'broken' folders."""
    from scanning.walker import walk

    found = []
    for directory in walk(root, frozenset({"epub"})):
        if "broken" in Path(directory.path).relative_to(root).parts:
            continue
        found.extend((e, directory) for e in directory.files if zipfile.is_zipfile(e.path))
    return found


def _timed_sum(items, step) -> float:
    """Total milliseconds for `step(item)` over `items`."""
    start = time.perf_counter()
    for item in items:
        step(item)
    return (time.perf_counter() - start) * 1000


def _timed(items, step) -> float:
    """Milliseconds per item for `step(item)`."""
    return _timed_sum(items, step) / max(len(items), 1)


def _archive_steps(paths: list[Path], options, batch: int = 500) -> dict[str, float]:
    """Steps inside an open archive (the EPUB reader's own step functions), a batch of
    archives open at a time (file handles)."""
    from scanning.extractors.epub import _cover, _opf_path
    from scanning.extractors.opf import parse_opf
    from scanning.extractors.safety import SafeZip

    totals = dict.fromkeys(("container", "opf_read", "parse_opf", "cover"), 0.0)
    for first in range(0, len(paths), batch):
        zips = [SafeZip(p, options) for p in paths[first : first + batch]]
        opfs = [(z, _opf_path(z, options)) for z in zips]
        data = [z.read(o, limit=options.max_xml_bytes) for z, o in opfs]
        docs = [(z, o, parse_opf(b, source="epub")) for (z, o), b in zip(opfs, data, strict=True)]
        totals["container"] += _timed_sum(zips, lambda z: _opf_path(z, options))
        totals["opf_read"] += _timed_sum(opfs, lambda zo: zo[0].read(zo[1], limit=options.max_xml_bytes))
        totals["parse_opf"] += _timed_sum(data, lambda b: parse_opf(b, source="epub"))
        totals["cover"] += _timed_sum(docs, lambda zod: _cover(*zod, options, []))
        for z in zips:
            z.zf.close()
    return {step: total / max(len(paths), 1) for step, total in totals.items()}


def _gather(entry, directory, root: str, sidecars, options) -> tuple[str, ...]:
    """What the scanner's prepare() runs for one file: describe, then the match keys."""
    from scanning.services.gather import describe, match_keys

    return match_keys(describe(entry, "ebook", directory, root, sidecars, options), "ebook", entry.path)


def _measure(root: str) -> dict[str, float]:
    import os
    from pathlib import PurePath

    from scanning.extractors import ExtractOptions, extract, merge
    from scanning.extractors.filename import parse_path
    from scanning.extractors.safety import SafeZip
    from scanning.services.gather import SidecarCache, match_keys

    options, no_cover = ExtractOptions(), ExtractOptions(with_cover=False)
    files = _epubs(root)
    paths = [Path(e.path) for e, _ in files]
    relative = [PurePath(os.path.relpath(e.path, root)).as_posix() for e, _ in files]
    embedded = [extract(p, options) for p in paths]
    from_path = [parse_path(r, "ebook") for r in relative]
    merged = [merge(a, b) for a, b in zip(embedded, from_path, strict=True)]
    sidecars = SidecarCache()
    figures = {
        "zip_open": _timed(paths, lambda p: SafeZip(p, options).zf.close()),
        **_archive_steps(paths, options),
        "extract": _timed(paths, lambda p: extract(p, options)),
        "extract_nocover": _timed(paths, lambda p: extract(p, no_cover)),
        "parse_path": _timed(relative, lambda r: parse_path(r, "ebook")),
        "merge": _timed(list(zip(embedded, from_path, strict=True)), lambda ab: merge(*ab)),
        "match_keys": _timed(
            list(zip(merged, files, strict=True)), lambda mf: match_keys(mf[0], "ebook", mf[1][0].path)
        ),
        "describe+keys": _timed(files, lambda fd: _gather(fd[0], fd[1], root, sidecars, options)),
        "files": len(files),
    }
    return figures


def _child(repo: Path, root: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, root, "--child", str(repo)], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout)


def _compare(root: str, other: Path, rounds: int) -> None:
    runs: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
    for _ in range(rounds):
        runs["before"].append(_child(other, root))
        runs["after"].append(_child(HERE, root))
    files = int(runs["after"][0]["files"])
    sys.stdout.write(f"{files} EPUBs, median of {rounds} interleaved runs, ms/file\n")
    sys.stdout.write(f"{'step':<{WIDTH}}{'before':>9}{'after':>9}{'ratio':>8}\n")
    for step in STEPS:
        before = statistics.median(r[step] for r in runs["before"])
        after = statistics.median(r[step] for r in runs["after"])
        sys.stdout.write(f"{step:<{WIDTH}}{before:>9.3f}{after:>9.3f}{after / before:>8.2f}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus")
    parser.add_argument("--compare", type=Path, help="another checkout to time against this one")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    root = str(Path(args.corpus).resolve())
    if args.child:
        sys.path.insert(0, str(args.child))
        sys.stdout.write(json.dumps(_measure(root)))
    elif args.compare:
        _compare(root, args.compare.resolve(), args.rounds)
    else:
        sys.path.insert(0, str(HERE))
        figures = _measure(root)
        sys.stdout.write(f"{int(figures.pop('files'))} EPUBs, ms/file\n")
        sys.stdout.writelines(f"{step:<{WIDTH}}{figures[step]:>9.3f}\n" for step in STEPS)


if __name__ == "__main__":
    main()
