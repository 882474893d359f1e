"""OPDS catalogue benchmark: p50/p95 of 50-entry feeds over a large library.

Bulk-creates the synthetic library of benchmarks/library_generate.py (100,000 books by default,
every item with one file under /library) in a temporary SQLite database, then times whole HTTP
requests through Django (middleware, session, feed building, XML/JSON) for the root, an
acquisition page in the middle of "All books" (with its facets and its count), "Recently added"
in the middle, a search, and the same as a reader limited to one library; plus Basic auth with
a real password hasher (first request, then the remembered credential).

    python benchmarks/opds_feed.py                    # 100,000 books, temporary DB
    python benchmarks/opds_feed.py --books 20000 --keep benchmarks/output/opds-20000

Target (issue 19): a feed of 50 entries at most 100 ms p95 at 100k books.
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--books", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="Data directory to create or reuse (default: a temporary one)")
    return parser.parse_args()


def setup_django(data: Path) -> None:
    data.mkdir(parents=True, exist_ok=True)
    os.environ["OMNI_DATA_DIR"] = str(data)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("OMNI_LOG_LEVEL", "warning")
    os.environ["DJANGO_SETTINGS_MODULE"] = "omnireadarr.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)

    def pick(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000

    return f"p50 {pick(50):7.1f} ms   p95 {pick(95):7.1f} ms   max {ordered[-1] * 1000:7.1f} ms   n={len(ordered)}"


def time_get(client, url: str, rounds: int, **headers) -> list[float]:
    client.get(url, **headers)  # warm
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(url, **headers)
        body = response.content
        samples.append(time.perf_counter() - start)
        if response.status_code != 200 or not body:
            raise SystemExit(f"{url} answered {response.status_code}: {body[:200]!r}")
    return samples


def time_cold(client, url: str, rounds: int) -> float:
    """p50 of the first request after the listing cache is emptied (a minute after a change)."""
    from django.core.cache import cache

    samples = []
    for _ in range(rounds):
        cache.clear()
        start = time.perf_counter()
        client.get(url)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def _users():
    from django.contrib.auth import get_user_model

    from reading.models import LibraryAccess
    from scanning.models import ScanFolder

    users = get_user_model().objects
    admin = users.filter(username="bench").first() or users.create_user(
        "bench", password="bench-pass-123", is_staff=True, is_superuser=True
    )
    reader = users.filter(username="reader").first() or users.create_user("reader", password="reader-pass-123")
    folder, _ = ScanFolder.objects.get_or_create(path="/library", defaults={"name": "Library"})
    access, _ = LibraryAccess.objects.get_or_create(user=reader, defaults={"all_libraries": False})
    access.libraries.set([folder])
    return admin, reader


def _feeds(total: int, word: str) -> list[tuple[str, str]]:
    middle = max(1, total // 50 // 2)
    return [
        ("root (navigation)", "/opds/"),
        (f"All books, page {middle} (+ facets)", f"/opds/books/?page={middle}"),
        (f"Recently added, page {middle}", f"/opds/recent/?page={middle}"),
        (f"search '{word}'", f"/opds/search/?q={word}"),
        (f"OPDS 2.0 All books, page {middle}", f"/opds/v2/books/?page={middle}"),
        ("authors, page 10 (navigation)", "/opds/authors/?page=10"),
    ]


def main() -> None:
    args = parse_args()
    data = args.keep or Path(tempfile.mkdtemp(prefix="opds-bench-"))
    setup_django(data)
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from benchmarks.library_generate import ensure_library
    from core.wizard.models import WizardState
    from media.models import MediaItem

    settings.ALLOWED_HOSTS = ["*"]
    _, timings = ensure_library(args.books, random.Random(args.seed))
    for label, seconds in timings.items():
        print(f"{label:<34} {seconds:8.1f} s")
    WizardState.objects.update_or_create(pk=1, defaults={"completed_at": timezone.now()})
    admin, reader = _users()
    total = MediaItem.objects.count()
    load = os.getloadavg()[0]
    print(
        f"\nSQLite, {total:,} books, {args.rounds} requests each (whole HTTP request through Django), "
        f"load average {load:.1f} on {os.cpu_count()} CPUs"
    )
    for who, user in (("admin (every library)", admin), ("reader limited to /library", reader)):
        client = Client()
        client.force_login(user)
        print(f"-- {who}")
        for label, url in _feeds(total, "dune"):
            cold = time_cold(client, url, 5)
            print(f"  {label:<38}", percentiles(time_get(client, url, args.rounds)), f"  cold p50 {cold:6.1f} ms")
    token = base64.b64encode(b"reader:reader-pass-123").decode()
    client = Client()
    start = time.perf_counter()
    client.get("/opds/", HTTP_AUTHORIZATION=f"Basic {token}")
    print(
        f"-- Basic auth ({settings.PASSWORD_HASHERS[0].rsplit('.', 1)[-1]}): first request "
        f"{(time.perf_counter() - start) * 1000:.0f} ms (password hash), then remembered:"
    )
    print(
        f"  {'root with Basic credentials':<38}",
        percentiles(time_get(client, "/opds/", args.rounds, HTTP_AUTHORIZATION=f"Basic {token}")),
    )
    print(f"\ndata: {data}" + ("" if args.keep else " (temporary: delete it when done)"))


if __name__ == "__main__":
    main()
