"""Import throughput: N generated EPUB downloads imported through the full pipeline
(locate, verify, extract, identify, place by hardlink, cover + OPF sidecars, catalogue)
into a throw-away SQLite database. Prints per-import timings and per-step means.

    python benchmarks/import_pipeline.py [--books 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--books", type=int, default=int(os.environ.get("BENCH_BOOKS", "20")))
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="omni-bench-"))
    os.environ.update(
        {"OMNI_DATA_DIR": str(data), "OMNI_QUEUE": "stub", "DJANGO_SETTINGS_MODULE": "tests.settings"}
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from processing import services
    from tests.processing import samples
    from tests.processing.conftest import make_item

    settings.DOWNLOADS_DIR, settings.LIBRARY_DIR = data / "downloads", data / "library"
    cover = samples.image_bytes(600, 900)
    timings, per_step = [], defaultdict(list)
    for n in range(args.books):
        title = f"Benchmark Book {n}"
        item = make_item(
            title=title, authors=(f"Author {n % 5}",), series=f"Series {n % 3}", series_index=str(n)
        )
        epub = samples.make_epub(
            data / "downloads" / f"dl-{n}" / f"{title}.epub",
            title=title,
            authors=(f"Author {n % 5}",),
            cover=cover,
        )
        run = services.create_run(storage_path=str(epub.parent), media_item_id=item.pk)
        started = time.perf_counter()
        services.run_import(run.pk)
        timings.append(time.perf_counter() - started)
        run.refresh_from_db()
        for step in run.steps:
            per_step[step["name"]].append(step["seconds"])
    print(
        f"imports: {len(timings)}  total: {sum(timings):.2f} s  "
        f"mean: {statistics.mean(timings) * 1000:.1f} ms  "
        f"median: {statistics.median(timings) * 1000:.1f} ms  "
        f"max: {max(timings) * 1000:.1f} ms  ({len(timings) / sum(timings):.1f} imports/s)"
    )
    for name, values in per_step.items():
        print(f"  {name:<10} mean {statistics.mean(values) * 1000:7.2f} ms")


if __name__ == "__main__":
    main()
