"""Library search and page benchmark.

Generates a synthetic library (bulk_create, then `rebuild_all` for the search index) and
prints p50/p95/p99 of: search in the database (ids of the first page), the full JSON
response of /api/library/search (50 results), the library page with 50 covers, plus the
resident memory of an idle web process that has served those pages.

    python benchmarks/library_search_bench.py                 # 20,000 books, SQLite
    python benchmarks/library_search_bench.py --books 100000  # the issue's size
    python benchmarks/library_search_bench.py --viewer limited  # as a reader limited to libraries
    python benchmarks/library_search_bench.py --books 100000 --facets  # filter counts only, per shape
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/omni_bench python benchmarks/library_search_bench.py

Data lives in benchmarks/output/<db>-<books>/ (reused when it already holds the books).
Targets (issue 8): DB p95 <= 25 ms, JSON p95 <= 150 ms, page p95 <= 150 ms, idle RSS < 300 MB.
Filter counts (issue 24): the JSON search with facets=true within the same 150 ms p95. The
machine's load average is printed before and after: the figures only compare on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUERIES = [
    "dune",
    "herbert",
    "the dark",
    "author:{author}",
    "series:{series}",
    "{title_word} {title_word2}",
    '"{phrase}"',
    "{prefix}*",
    "{typo}",
    "{title_word} -{title_word2}",
    "{title_word} OR {title_word2}",
    "isbn:{isbn}",
    "tag:fantasy {title_word}",
    "{author_last}",
    "{title_word} {author_last}",
    "fo?{qmark}",
]


VIEWERS = {"admin": None, "reader": None, "limited": "/library", "limited-elsewhere": "/elsewhere"}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--books", type=int, default=int(os.environ.get("BENCH_BOOKS", 20_000)))
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 200)))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--shapes", action="store_true", help="Also print DB figures per query shape")
    parser.add_argument("--fresh", action="store_true", help="Drop the generated data and start again")
    parser.add_argument(
        "--facets",
        action="store_true",
        help="Only the filter counts: JSON with facets=true per query shape and filters, the "
        "library page with and without its counts",
    )
    parser.add_argument(
        "--viewer",
        choices=sorted(VIEWERS),
        default="admin",
        help="Who searches: admin; reader (every library); limited (chose the library holding every "
        "book: each row is checked, none hidden); limited-elsewhere (chose an empty library: all hidden)",
    )
    return parser.parse_args()


def setup_django(books: int, fresh: bool) -> Path:
    vendor = "pg" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    data = ROOT / "benchmarks" / "output" / f"{vendor}-{books}"
    if fresh and data.exists() and vendor == "sqlite":
        for name in ("omnireadarr.sqlite3", "omnireadarr.sqlite3-wal", "omnireadarr.sqlite3-shm"):
            (data / name).unlink(missing_ok=True)
    data.mkdir(parents=True, exist_ok=True)
    os.environ["OMNI_DATA_DIR"] = str(data)
    os.environ.setdefault("OMNI_LOG_LEVEL", "warning")
    os.environ["DJANGO_SETTINGS_MODULE"] = "omnireadarr.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    return data


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)

    def pick(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000

    return (
        f"p50 {pick(50):7.1f} ms   p95 {pick(95):7.1f} ms   p99 {pick(99):7.1f} ms   "
        f"mean {statistics.fmean(ordered) * 1000:6.1f} ms   n={len(ordered)}"
    )


def make_queries(rng: random.Random, facts: dict, count: int) -> list[str]:
    queries = []
    for i in range(count):
        template = QUERIES[i % len(QUERIES)]
        word, word2 = rng.choice(facts["title_words"]), rng.choice(facts["title_words"])
        author = rng.choice(facts["authors"])
        typo = list(word if len(word) > 4 else "sorcerer")
        j = rng.randrange(len(typo) - 1)
        typo[j], typo[j + 1] = typo[j + 1], typo[j]
        queries.append(
            template.format(
                author=author.split()[-1],
                series=rng.choice(facts["series"]).split()[0],
                title_word=word,
                title_word2=word2,
                phrase=rng.choice(facts["phrases"]),
                prefix=word[:3],
                typo="".join(typo),
                isbn=rng.choice(facts["isbns"]),
                author_last=author.split()[-1],
                qmark=word[-2:],
            )
        )
    return queries


def time_search(queries: list[str], user) -> list[float]:
    from core.visibility import hidden_items
    from media.search import SearchRequest, run

    samples = []
    for q in queries:
        start = time.perf_counter()
        run(SearchRequest(q=q, page_size=50, hidden=hidden_items(user)))
        samples.append(time.perf_counter() - start)
    return samples


def time_side_by_side(queries: list[str], admin, user) -> tuple[list[float], list[float]]:
    """The same queries as the admin and as `user`, alternating query by query, so a busy
    machine slows both alike: what the viewer's visibility rule costs."""
    first, second = [], []
    for q in queries:
        first += time_search([q], admin)
        second += time_search([q], user)
    return first, second


def time_facets(queries: list[str], user) -> list[float]:
    """The filter counts of each query alone (after its page was searched)."""
    from core.visibility import hidden_items
    from media.search import SearchRequest, run
    from media.search.facets import facets

    samples = []
    for q in queries:
        request = SearchRequest(q=q, hidden=hidden_items(user))
        outcome = run(request)
        start = time.perf_counter()
        facets(request, outcome)
        samples.append(time.perf_counter() - start)
    return samples


def time_http(client, urls: list[str]) -> list[float]:
    samples = []
    for url in urls:
        start = time.perf_counter()
        response = client.get(url)
        body = response.content
        samples.append(time.perf_counter() - start)
        if response.status_code != 200 or not body:
            raise SystemExit(f"{url} answered {response.status_code}")
    return samples


FACET_FILTERS = {  # label -> the filters added to each query of the facets figures
    "no filter": "",
    "format=epub, has_cover": "&format=epub&has_cover=true",
    "language=de, kind, has_series": "&language=de&kind=ebook&has_series=true",
}


def facets_figures(client, queries: list[str]) -> None:
    """The JSON search with facets=true (one result, as the library page's script asks) per
    query shape and set of filters, then the library page without and with its counts."""
    from urllib.parse import quote

    browse = ["/api/v1/library/search?page_size=1&facets=true"] * max(10, len(queries) // len(QUERIES))
    time_http(client, [f"/api/v1/library/search?q={quote(q)}&page_size=1&facets=true" for q in queries[:20]])
    for label, extra in FACET_FILTERS.items():
        urls = [f"/api/v1/library/search?q={quote(q)}&page_size=1&facets=true{extra}" for q in queries]
        samples = time_http(client, urls)
        print(f"JSON facets=true, {label:<30}", percentiles(samples))
        for i, shape in enumerate(QUERIES):
            print(f"    {shape:<34}", percentiles(samples[i :: len(QUERIES)]))
        print(f"    {'(no query: the listing)':<34}", percentiles(time_http(client, [b + extra for b in browse])))
    pages = [f"/library/?q={quote(q)}" for q in queries[: len(queries) // 2]]
    print("library page, filter panel closed ", percentiles(time_http(client, pages)))
    print("library page, ?counts=1 (no JS)   ", percentiles(time_http(client, [p + "&counts=1" for p in pages])))


def load() -> str:
    return "load average " + " ".join(f"{v:.2f}" for v in os.getloadavg()) + f" on {os.cpu_count()} cores"


def idle_rss_mb(data: Path) -> float:
    """A fresh process that loads the WSGI app, serves a search and a library page, then idles."""
    code = (
        "import os,django,time;os.environ['DJANGO_SETTINGS_MODULE']='omnireadarr.settings';"
        "from omnireadarr.wsgi import application;from django.test import Client;"
        "from django.contrib.auth import get_user_model;u=get_user_model().objects.get(username='bench');"
        "c=Client();c.force_login(u);c.get('/api/library/search?q=dune');c.get('/library/');c.get('/');"
        "import gc;gc.collect();time.sleep(0.5);"
        "print([l for l in open('/proc/self/status') if l.startswith('VmRSS')][0].split()[1])"
    )
    env = {**os.environ, "OMNI_DATA_DIR": str(data)}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def viewer(name: str, admin):
    """The user searching: the admin, or a reader with no choice of libraries or limited to one."""
    if name == "admin":
        return admin
    from django.contrib.auth import get_user_model

    from reading.models import LibraryAccess
    from scanning.models import ScanFolder

    reader = get_user_model().objects.filter(username="bench-reader").first() or get_user_model().objects.create_user(
        "bench-reader", password="bench-pass-123"
    )
    LibraryAccess.objects.filter(user=reader).delete()
    if VIEWERS[name]:
        folder, _ = ScanFolder.objects.get_or_create(path=VIEWERS[name], defaults={"name": name})
        LibraryAccess.objects.create(user=reader, all_libraries=False).libraries.set([folder])
    return reader


def main() -> None:
    args = parse_args()
    data = setup_django(args.books, args.fresh)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from benchmarks.library_generate import ensure_library

    settings.ALLOWED_HOSTS = ["*"]
    rng = random.Random(args.seed)
    facts, timings = ensure_library(args.books, rng)
    for label, seconds in timings.items():
        print(f"{label:<34} {seconds:8.1f} s")
    user = get_user_model().objects.filter(username="bench").first() or get_user_model().objects.create_user(
        "bench", password="bench-pass-123", is_staff=True, is_superuser=True
    )
    from django.utils import timezone

    from core.wizard.models import WizardState

    WizardState.objects.update_or_create(pk=1, defaults={"completed_at": timezone.now()})
    admin, user = user, viewer(args.viewer, user)
    client = Client()
    client.force_login(user)
    queries = make_queries(rng, facts, args.rounds)
    time_search(queries[:20], user)  # warm caches
    shapes = f"{len(queries)} queries ({len(QUERIES)} shapes)"
    print(f"\n{connection.vendor}, {args.books:,} books, {shapes}, as {args.viewer}; {load()}")
    if args.facets:
        facets_figures(client, queries)
        print(load())
        return
    db_samples = time_search(queries, user)
    print("search in the DB (first 50 ids)   ", percentiles(db_samples))
    if user != admin:
        as_admin, as_viewer = time_side_by_side(queries, admin, user)
        print("  side by side: as admin          ", percentiles(as_admin))
        print(f"  side by side: as {args.viewer:<15}", percentiles(as_viewer))
    if args.shapes:
        for i, shape in enumerate(QUERIES):
            print(f"  {shape:<30}", percentiles(db_samples[i :: len(QUERIES)]))
    from urllib.parse import quote

    urls = [f"/api/library/search?q={quote(q)}&page_size=50" for q in queries]
    print("JSON /api/library/search (50)     ", percentiles(time_http(client, urls)))
    print("  same with facets=true           ", percentiles(time_http(client, [u + "&facets=true" for u in urls])))
    filtered = [u + "&facets=true&format=epub&has_cover=true" for u in urls[: args.rounds // 2]]
    print("  facets=true, 2 filters active   ", percentiles(time_http(client, filtered)))
    browse = [f"/api/library/items?facets=true&sort={s}" for s in ("title", "year", "added")] * 10
    print("  listing, facets=true            ", percentiles(time_http(client, browse)))
    print("  facets alone (in the DB)        ", percentiles(time_facets(queries, user)))
    sorts = ["title", "author", "series", "added", "year", "size"]
    pages = [f"/library/?sort={sorts[i % 6]}&page={1 + i % 5}" for i in range(args.rounds // 2)]
    pages += [f"/library/?q={quote(q)}" for q in queries[: args.rounds // 2]]
    print("library page, 50 covers (HTML)    ", percentiles(time_http(client, pages)))
    print(f"idle web process RSS               {idle_rss_mb(data):.0f} MB")
    print(load())


if __name__ == "__main__":
    main()
