"""Rename benchmark: prints files/s of a same-filesystem batch (preview excluded, database
updates included) and the speed of a cross-filesystem batch against the measured copy
bandwidth between the same two filesystems.

    python benchmarks/rename_bench.py [--files 5000] [--big-files 40] [--big-mib 8] [--other-fs /dev/shm]

Runs on a throw-away data directory with its own SQLite database (or DATABASE_URL)."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def setup_django(data_dir: Path) -> None:
    sys.path.insert(0, str(REPO))
    os.environ["OMNI_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("OMNI_LOG_LEVEL", "warning")
    os.environ["DJANGO_SETTINGS_MODULE"] = "omnireadarr.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def make_library(root: Path, count: int, size: int, prefix: str) -> None:
    from media.models import Author, Contribution, LibraryFile, MediaItem

    author = Author.objects.create(name="Bench Author", sort_name="Author, Bench", normalized="bench author")
    payload = os.urandom(size)
    items = MediaItem.objects.bulk_create(
        [MediaItem(title=f"{prefix} {n:05d}", sort_title=f"{prefix} {n:05d}") for n in range(count)]
    )
    Contribution.objects.bulk_create([Contribution(item=i, author=author) for i in items])
    files = []
    for n, item in enumerate(items):
        path = root / "unsorted" / f"{n % 100:02d}" / f"file-{n:05d}.epub"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(payload)
        files.append(LibraryFile(item=item, path=str(path), size=size, mtime_ns=0, format="epub"))
    LibraryFile.objects.bulk_create(files, batch_size=1000)


def run_batch(root: Path, template: str) -> tuple[float, float, dict]:
    from processing.renaming.journal import execute_batch
    from processing.renaming.models import RenameBatch
    from processing.renaming.services import Selection, plan_batch

    batch = RenameBatch.objects.create(
        template=template, policy="skip", root=str(root), selection=Selection(everything=True).as_dict()
    )
    start = time.perf_counter()
    plan_batch(batch.pk)
    planned = time.perf_counter()
    result = execute_batch(batch.pk)
    return planned - start, time.perf_counter() - planned, result


def same_fs(base: Path, count: int) -> None:
    root = base / "library"
    make_library(root, count, 2048, "Same")
    plan_s, exec_s, result = run_batch(root, "${author.sortname}/${title}.${ext}")
    moved = result.get("done", 0)
    print(
        f"same-filesystem: {moved} files moved in {exec_s:.2f} s = {moved / exec_s:,.0f} files/s "
        f"(target >= 1,000 files/s; DB updates included; preview took {plan_s:.2f} s = "
        f"{count / plan_s:,.0f} items/s)"
    )


def copy_bandwidth(src_dir: Path, dst_dir: Path, count: int, size: int) -> float:
    payload = os.urandom(size)
    sources = []
    for n in range(count):
        path = src_dir / f"probe-{n}.bin"
        path.write_bytes(payload)
        sources.append(path)
    dst_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for path in sources:
        shutil.copyfile(path, dst_dir / path.name)
    seconds = time.perf_counter() - start
    for path in sources:
        path.unlink()
    shutil.rmtree(dst_dir)
    return count * size / seconds


def cross_fs(base: Path, other: Path, count: int, mib: int) -> None:
    from media.models import LibraryFile, MediaItem

    LibraryFile.objects.all().delete()
    MediaItem.objects.all().delete()
    size = mib << 20
    source_root = base / "incoming"
    source_root.mkdir()
    bandwidth = copy_bandwidth(source_root, other / "probe", count, size)
    make_library(source_root, count, size, "Cross")
    _plan_s, exec_s, result = run_batch(other, "${author}/${title}.${ext}")
    moved_bytes = result.get("done", 0) * size
    ours = moved_bytes / exec_s
    print(
        f"cross-filesystem: {result.get('done', 0)} x {mib} MiB in {exec_s:.2f} s = "
        f"{ours / 2**20:,.0f} MiB/s; "
        f"plain copy (shutil.copyfile) {bandwidth / 2**20:,.0f} MiB/s -> {100 * ours / bandwidth:.0f}% "
        "(target >= 50%; ours also fsyncs, re-reads both files to verify size + XXH3-128 "
        "and deletes the source)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=int(os.environ.get("BENCH_FILES", 5000)))
    parser.add_argument("--big-files", type=int, default=int(os.environ.get("BENCH_BIG_FILES", 40)))
    parser.add_argument("--big-mib", type=int, default=int(os.environ.get("BENCH_BIG_MIB", 8)))
    parser.add_argument("--other-fs", default=os.environ.get("BENCH_OTHER_FS", "/dev/shm"))
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="omni-rename-bench-"))
    other = (
        Path(tempfile.mkdtemp(prefix="omni-rename-bench-", dir=args.other_fs))
        if Path(args.other_fs).is_dir()
        else None
    )
    try:
        setup_django(base / "data")
        same_fs(base, args.files)
        if args.big_files <= 0:
            print("cross-filesystem: skipped (--big-files 0)")
        elif other is None or os.stat(other).st_dev == os.stat(base).st_dev:
            print(f"cross-filesystem: skipped ({args.other_fs} is not a different filesystem)")
        else:
            cross_fs(base, other, args.big_files, args.big_mib)
    finally:
        shutil.rmtree(base, ignore_errors=True)
        if other:
            shutil.rmtree(other, ignore_errors=True)


if __name__ == "__main__":
    main()
