"""Scan benchmark: import a generated corpus, rescan it unchanged, and compare with a plain
os.scandir + stat walk of the same tree and with `calibredb add -r` on the same files.

    python -m benchmarks.scan_import                    # quick: 500 EPUBs
    python -m benchmarks.scan_import --epubs 5000 --calibre-limit 500
    python -m benchmarks.scan_import --epubs 100000 --no-calibre
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/omni_bench python -m benchmarks.scan_import

Prints figures only; it asserts nothing (speed goals are not timed tests)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _setup_django(data_dir: Path) -> None:
    os.environ["OMNI_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnireadarr.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def plain_walk(root: str) -> int:
    """The floor: list every folder and stat every file, nothing else."""
    count, stack = 0, [root]
    while stack:
        with os.scandir(stack.pop()) as it:
            for entry in it:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    entry.stat()
                    count += 1
    return count


def current_rss_mb(pid: int | str = "self") -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:  # the process has just ended
        pass
    return 0.0


def extraction_rss_mb() -> float:
    """RSS of the extraction processes now, together (the scan's live child processes; the
    multiprocessing resource tracker, a few MB, included)."""
    import multiprocessing

    return sum(current_rss_mb(child.pid) for child in multiprocessing.active_children())


class Timeline:
    """Progress callback: (time, files handled) points and RSS samples of the importing
    process and of its extraction processes."""

    def __init__(self) -> None:
        self.points: list[tuple[float, int]] = [(time.perf_counter(), 0)]
        self.rss_samples: list[float] = [current_rss_mb()]
        self.extraction_rss: list[float] = [0.0]

    def __call__(self, done: int, total: int | None = None, message: str | None = None, **kwargs) -> None:
        self.points.append((time.perf_counter(), done))
        if len(self.points) % 8 == 0:
            self.rss_samples.append(current_rss_mb())
            self.extraction_rss.append(extraction_rss_mb())

    def decile_rates(self, total: int) -> tuple[float, float]:
        def time_at(n: int) -> float:
            return next((t for t, d in self.points if d >= n), self.points[-1][0])

        first = total * 0.1 / max(time_at(int(total * 0.1)) - self.points[0][0], 1e-9)
        last = total * 0.1 / max(self.points[-1][0] - time_at(int(total * 0.9)), 1e-9)
        return first, last


def _deciles(samples: list[float]) -> str:
    return " ".join(f"{samples[min(len(samples) - 1, len(samples) * k // 10)]:.0f}" for k in range(0, 11, 2))


def _rss_lines(timeline: Timeline) -> None:
    """Sampled on the processes themselves: a child's ru_maxrss would count the parent's pages
    it shared between fork and exec."""
    rss, extraction = timeline.rss_samples, timeline.extraction_rss
    _line("RSS of the importing process: start .. end (MB, 0/20/../100%)", _deciles(rss))
    _line("RSS of the extraction processes, together (MB, same points)", _deciles(extraction))
    together = [a + b for a, b in zip(rss, extraction, strict=True)]
    _line(
        "  peak while importing: scan / extraction / all at once",
        f"{max(rss):.0f} / {max(extraction):.0f} / {max(together):.0f} MB",
    )


def _generate(work: Path, args: argparse.Namespace) -> None:
    """In a child process, so the generator's memory does not count against the import."""
    corpus = work / "corpus"
    command = [
        sys.executable,
        "-m",
        "benchmarks.scan_corpus",
        str(corpus),
        "--epubs",
        str(args.epubs),
        "--mobis",
        str(args.mobis),
        "--pdfs",
        str(args.pdfs),
        "--cbzs",
        str(args.cbzs),
        "--corrupt",
        str(args.corrupt),
    ]
    subprocess.run(command, check=True, cwd=Path(__file__).resolve().parent.parent, capture_output=True)


def _scan(folder_id: int, *, covers: bool, batch: int, workers: int = 1):
    from scanning.services import scan_folder
    from scanning.services.scan import ScanOptions

    timeline = Timeline()
    started = time.perf_counter()
    result = scan_folder(
        folder_id,
        progress=timeline,
        options=ScanOptions(batch_size=batch, with_covers=covers, workers=workers),
    )
    return result, time.perf_counter() - started, timeline


def _calibre(root: Path, limit: int, work: Path) -> tuple[int, float] | None:
    if not shutil.which("calibredb"):
        return None
    subset = work / "calibre-input"
    files = sorted(p for p in root.rglob("*.epub") if "broken" not in p.parts)[:limit]
    for i, path in enumerate(files):
        target = subset / f"{i // 100}" / f"{i}.epub"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QTWEBENGINE_DISABLE_SANDBOX": "1"}
    started = time.perf_counter()
    subprocess.run(
        ["calibredb", "add", "-r", str(subset), "--with-library", str(work / "calibre-library")],
        check=True,
        capture_output=True,
        env=env,
        timeout=3600,
    )
    return len(files), time.perf_counter() - started


def _first_import(work: Path, args: argparse.Namespace):
    """The corpus made a scan folder and imported: (folder id, scan result, seconds, timeline)."""
    from scanning.services import FolderInput, save_folder

    folder = save_folder(FolderInput(path=str(work / "corpus")))
    return folder.pk, *_scan(folder.pk, covers=not args.no_covers, batch=args.batch, workers=args.workers)


def _import_only(work: Path, args: argparse.Namespace) -> None:
    _, result, seconds, _ = _first_import(work, args)
    print(json.dumps({"files": result["seen"], "seconds": seconds}))


def _more_import_rounds(work: Path, args: argparse.Namespace, first_rate: float) -> None:
    """This VM's speed drifts by 10-20% between runs a minute apart: the same first import,
    repeated in fresh processes with fresh databases, shows the spread."""
    rates = [first_rate]
    command = [
        sys.executable,
        "-m",
        "benchmarks.scan_import",
        "--workdir",
        str(work),
        "--import-only",
        "--batch",
        str(args.batch),
        "--workers",
        str(args.workers),
    ]
    command += ["--no-covers"] if args.no_covers else []
    for _ in range(args.import_rounds - 1):
        done = subprocess.run(
            command, check=True, cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True
        )
        answer = json.loads(done.stdout.strip().splitlines()[-1])
        rates.append(answer["files"] / answer["seconds"])
    ordered = sorted(rates)
    _line(
        f"  the same import, {len(rates)} rounds: median / best",
        f"{ordered[len(ordered) // 2]:.0f} / "
        f"{ordered[-1]:.0f} files/s (rounds: {', '.join(f'{r:.0f}' for r in rates)})",
    )
    shutil.rmtree(work / "data-round", ignore_errors=True)


def _timed_walk(root: Path) -> tuple[int, float]:
    started = time.perf_counter()
    count = plain_walk(str(root))
    return count, time.perf_counter() - started


def _rescan_vs_walk(folder_id: int, root: Path, args: argparse.Namespace, rounds: int = 3) -> None:
    """Warm the caches, then alternate plain walk and rescan `rounds` times; compare best with
    best (this VM's speed drifts within seconds) and print every round."""
    plain_walk(str(root))
    walks, rescans = [], []
    for _ in range(rounds):
        walked, seconds = _timed_walk(root)
        walks.append(seconds)
        again, seconds, _ = _scan(folder_id, covers=not args.no_covers, batch=args.batch)
        rescans.append(seconds)
    _line(
        f"rescan of the unchanged tree (best of {rounds})",
        f"{min(rescans):.3f} s ({again['unchanged']} unchanged, {again['added']} added)",
    )
    _line(f"plain os.scandir + stat walk (warm cache, best of {rounds})", f"{min(walks):.3f} s ({walked} entries)")
    _line("  rescan / plain walk", f"{min(rescans) / min(walks):.2f}x")
    rounds_text = ", ".join(f"{r / w:.2f}x" for r, w in zip(rescans, walks, strict=True))
    _line("  each round (rescan / the walk just before it)", rounds_text)


def _covers(profile: bool = False) -> tuple[dict, float]:
    from scanning.services.jobs import make_thumbnails

    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    result = make_thumbnails()
    seconds = time.perf_counter() - started
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return result, seconds


def _provenance() -> tuple[dict, float]:
    from search.services.scan_provenance import record_pending

    started = time.perf_counter()
    result = record_pending()
    return result, time.perf_counter() - started


def _line(label: str, value: str) -> None:
    print(f"{label:<58} {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Library scan benchmark")
    parser.add_argument("--epubs", type=int, default=int(os.environ.get("BENCH_EPUBS", 500)))
    parser.add_argument("--mobis", type=int, default=1)
    parser.add_argument("--pdfs", type=int, default=5)
    parser.add_argument("--cbzs", type=int, default=5)
    parser.add_argument("--corrupt", type=int, default=5)
    parser.add_argument("--batch", type=int, default=250)
    parser.add_argument("--workers", type=int, default=1, help="extraction processes (OMNI_SCAN_WORKERS)")
    parser.add_argument("--no-covers", action="store_true", help="do not store covers at import")
    parser.add_argument("--no-calibre", action="store_true")
    parser.add_argument("--profile-covers", action="store_true", help="print where the cover job spends its time")
    parser.add_argument("--calibre-limit", type=int, default=300, help="EPUBs given to calibredb add -r")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument(
        "--import-rounds", type=int, default=1, help="first imports timed, each more in a fresh process and database"
    )
    parser.add_argument("--import-only", action="store_true", help=argparse.SUPPRESS)  # one more round
    args = parser.parse_args()
    if args.import_rounds > 1 and os.environ.get("DATABASE_URL"):
        parser.error("--import-rounds needs the embedded SQLite database (each round gets a fresh one)")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="omni-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    data = work / ("data-round" if args.import_only else "data")
    shutil.rmtree(data, ignore_errors=True)  # a fresh database every run
    _setup_django(data)
    if args.import_only:
        _import_only(work, args)
        return
    started = time.perf_counter()
    if not (work / "corpus.summary.json").exists():
        _generate(work, args)
    summary = json.loads((work / "corpus.summary.json").read_text())
    files = summary["valid"] + summary["corrupt"]
    _line(
        "corpus (generated in a child process, reused with --workdir)",
        f"{files} book files ({summary['corrupt']} corrupt/hostile) ready in "
        f"{time.perf_counter() - started:.1f} s at {work / 'corpus'}",
    )
    folder_id, result, seconds, timeline = _first_import(work, args)
    first, last = timeline.decile_rates(result["seen"])
    _line(
        "initial import: searchable (covers + thumbnails deferred)",
        f"{result['seen']} files in {seconds:.2f} s = {result['seen'] / seconds:.0f} files/s",
    )
    _line("  added / corrupt / errors", f"{result['added']} / {result['corrupt']} / {result['errors']}")
    if args.import_rounds > 1:
        _more_import_rounds(work, args, result["seen"] / seconds)
    _line("  rate first 10% vs last 10%", f"{first:.0f} vs {last:.0f} files/s ({last / first:.0%})")
    _rescan_vs_walk(folder_id, work / "corpus", args)
    covers, cover_seconds = _covers(args.profile_covers)
    _line(
        "deferred covers + thumbnails (background job)",
        f"{covers['covers_stored']} covers, {covers['made']} thumbnails in "
        f"{cover_seconds:.2f} s",
    )
    recorded, provenance_seconds = _provenance()
    _line(
        "deferred provenance: each value's source (background job)",
        f"{recorded['recorded']} files' values in {provenance_seconds:.2f} s",
    )
    _rss_lines(timeline)
    if not args.no_calibre:
        calibre = _calibre(work / "corpus", args.calibre_limit, work)
        if calibre:
            count, cal_seconds = calibre
            _line(
                "calibredb add -r (same EPUBs, first N)",
                f"{count} files in {cal_seconds:.1f} s = {count / cal_seconds:.1f} files/s",
            )
            _line("  our import rate / calibre's", f"{(result['seen'] / seconds) / (count / cal_seconds):.1f}x")
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
