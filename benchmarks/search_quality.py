"""Search quality of the capped relevance ranking: how close the first page comes to ranking
every match, on the library search benchmark's generated library.

Relevance pages rank a set of candidates (SearchBackend.CANDIDATES newest matches, as many newest
title matches, the exact titles): a query matching more ranks those only. This compares, for the
benchmark's heaviest query shapes (a word in a quarter of the books, prefixes, typos, NOT, OR,
a series word), the first page at each candidate count with the page ranked from every match:

- same books: the share of the exact page's books on the capped page;
- as relevant, place by place: the share of places whose rank (ts_rank, or bm25 on SQLite) is
  at least 97% of the exact page's rank at the same place (a different book as relevant counts).

    python benchmarks/search_quality.py --books 100000 --candidates 2000 1200
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/omni_bench python benchmarks/search_quality.py --books 100000

Prints figures only; asserts nothing."""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

HEAVY = {
    "dune",
    "the dark",
    "series:{series}",
    "{prefix}*",
    "{typo}",
    "{title_word} -{title_word2}",
    "{title_word} OR {title_word2}",
}
EVERY_MATCH = 10**7  # candidates: more than any library, so every match is ranked
PAGE = 50


def page_ids(q: str, candidates: int, titles: int | None = None) -> tuple[int, ...]:
    from media.search import SearchRequest, backends, run

    backends.SearchBackend.CANDIDATES = candidates
    backends.SearchBackend.TITLE_CANDIDATES = candidates if titles is None else titles
    return run(SearchRequest(q=q, page_size=PAGE)).ids


def page_ranks(q: str, ids: tuple[int, ...]) -> list[float]:
    """Each book's relevance to the query, best first: ts_rank on PostgreSQL, -bm25 on SQLite."""
    from django.db import connection

    from media.query import parse
    from media.search.backends import FTS, backend
    from media.search.engine import expand

    engine = backend()
    parsed = parse(q)
    expansions, _ = expand(engine, parsed)
    compiled = engine.compile(parsed.root, expansions)
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT item_id, ts_rank(document, querytree(to_tsquery('simple', %s))::tsquery) "
                f"FROM media_searchdocument WHERE item_id IN ({marks})",
                [engine._tsquery(compiled), *ids],
            )
        else:
            cursor.execute(
                f"SELECT rowid, -{engine.BM25} FROM {FTS} WHERE {FTS} MATCH %s AND rowid IN ({marks})",
                [compiled.match, *ids],
            )
        found = dict(cursor.fetchall())
    return sorted((found.get(i, 0.0) for i in ids), reverse=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--books", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=96, help="queries generated (16 shapes; the heavy kept)")
    parser.add_argument("--candidates", type=int, nargs="+", default=[2000, 1200])
    parser.add_argument(
        "--titles", type=int, nargs="+", help="title candidates to try with each candidate count (default: the same)"
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    from benchmarks.library_search_bench import QUERIES, make_queries, setup_django

    setup_django(args.books, fresh=False)
    from benchmarks.library_generate import ensure_library

    rng = random.Random(args.seed)
    facts, _ = ensure_library(args.books, rng)
    queries = sorted(
        {q for i, q in enumerate(make_queries(rng, facts, args.queries)) if QUERIES[i % len(QUERIES)] in HEAVY}
    )
    configs = [(c, t) for c in args.candidates for t in (args.titles or [c])]
    same = {c: [] for c in configs}
    relevant = {c: [] for c in configs}
    for q in queries:
        exact = page_ids(q, EVERY_MATCH)
        if len(exact) < PAGE:  # fewer matches than a page: every match is a candidate anyway
            continue
        exact_ranks = page_ranks(q, exact)
        for count in configs:
            ids = page_ids(q, *count)
            same[count].append(len(set(ids) & set(exact)) / len(exact))
            ranks = page_ranks(q, ids)
            relevant[count].append(sum(a >= 0.97 * b for a, b in zip(ranks, exact_ranks, strict=False)) / PAGE)
    from django.db import connection

    print(f"{connection.vendor}, {args.books:,} books, {len(same[configs[0]])} heavy queries with a full page")
    for count in configs:
        print(
            f"  {count[0]:>6} candidates, {count[1]:>6} title candidates: same books as ranking every match "
            f"{sum(same[count]) / len(same[count]):.3f}, as relevant place by place "
            f"{sum(relevant[count]) / len(relevant[count]):.3f}"
        )


if __name__ == "__main__":
    main()
