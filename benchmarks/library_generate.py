"""Synthetic library for benchmarks: pronounceable words with a skewed (Zipf-like)
frequency, so common words match thousands of books and rare ones a handful."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from core.isbn import to_isbn13

SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "dra",
    "ven",
    "tor",
    "el",
    "sa",
    "rin",
    "go",
    "thal",
    "mor",
    "wen",
    "ar",
    "is",
    "ul",
    "fen",
    "bri",
    "cor",
    "dun",
    "ne",
    "shi",
    "val",
    "ra",
    "qu",
    "zen",
    "or",
    "pe",
    "ly",
    "sto",
]
COMMON = [
    "the",
    "of",
    "and",
    "dark",
    "night",
    "king",
    "dune",
    "shadow",
    "fire",
    "sea",
    "star",
    "house",
    "war",
    "city",
    "blood",
    "queen",
    "lost",
    "last",
    "world",
    "heart",
    "sorcerer",
    "stone",
    "winter",
    "river",
]
FIRST = [
    "Anna",
    "Frank",
    "Ursula",
    "Isaac",
    "Terry",
    "Robin",
    "Neil",
    "Ann",
    "Brandon",
    "Lois",
    "Octavia",
    "Gene",
    "Iain",
    "Jo",
    "Arthur",
    "Mary",
    "Victor",
    "Émile",
    "Jules",
    "Agatha",
    "Liu",
    "N. K.",
    "China",
]
GENRES = [
    "Fantasy",
    "Science Fiction",
    "Mystery",
    "Romance",
    "History",
    "Biography",
    "Horror",
    "Poetry",
    "Thriller",
    "Classics",
    "Young Adult",
    "Humour",
    "Travel",
    "Cooking",
    "Philosophy",
    "Comics",
]
LANGS = ["en"] * 8 + ["fr", "de", "es", "it"]
FORMATS = ["epub", "epub", "epub", "pdf", "mobi", "azw3"]


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    words = set(COMMON)
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3, 3, 4)))))
    return list(words)


_CUMULATIVE: dict[int, list[float]] = {}


def _zipf_pick(rng: random.Random, words: list[str]) -> str:
    """Zipf's law (frequency ~ 1/rank), as in natural text: the top word is ~9% of all words."""
    weights = _CUMULATIVE.get(len(words))
    if weights is None:
        total, weights = 0.0, []
        for rank in range(1, len(words) + 1):
            total += 1 / rank
            weights.append(total)
        _CUMULATIVE[len(words)] = weights
    return rng.choices(words, cum_weights=weights)[0]


def _isbn(n: int) -> str:
    return to_isbn13(f"97800{n:07d}0") or ""


def ensure_library(books: int, rng: random.Random) -> tuple[dict, dict[str, float]]:
    from media.models import MediaItem, SearchDocument

    words = _vocabulary(rng, 30_000)
    words = COMMON + sorted(set(words) - set(COMMON))
    rng.shuffle(words)
    facts = {"title_words": [w for w in words[:400]], "authors": [], "series": [], "phrases": [], "isbns": []}
    timings: dict[str, float] = {}
    existing = MediaItem.objects.count()
    if existing < books:
        start = time.perf_counter()
        _generate(books - existing, existing, rng, words)
        timings["generate catalogue rows (bulk)"] = time.perf_counter() - start
    if SearchDocument.objects.count() < books:
        from media.search_index import rebuild_all

        start = time.perf_counter()
        rebuild_all()
        timings["build search index (rebuild_all)"] = time.perf_counter() - start
        _analyze()
    sample = MediaItem.objects.order_by("?").select_related("series").prefetch_related("contributions__author")[:300]
    for item in sample:
        facts["authors"] += [c.author.name for c in item.contributions.all()]
        if item.series_id:
            facts["series"].append(item.series.title)
        facts["phrases"].append(" ".join(item.title.split()[:2]))
        if item.isbn13:
            facts["isbns"].append(item.isbn13)
    return facts, timings


def _analyze() -> None:
    """PostgreSQL plans a freshly bulk-loaded library without statistics until autovacuum
    comes by (measured at 100k books: a filtered listing's facets took 1.3 s before ANALYZE,
    76 ms after); a library that grew by scans has them. VACUUM too: the index build inserts
    each search row, then updates it (one dead row per book until autovacuum comes by, which a
    server with autovacuum off, as this development machine's, never does)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def _generate(count: int, offset: int, rng: random.Random, words: list[str]) -> None:
    from django.db import transaction

    from core.text import author_sort_name, fold, sort_title
    from media.models import Author, Contribution, ItemTag, LibraryFile, MediaItem, Series

    surnames = [w.capitalize() for w in words[500:8500]]
    with transaction.atomic():
        authors = Author.objects.bulk_create(
            [
                Author(
                    name=(n := f"{rng.choice(FIRST)} {surnames[i % len(surnames)]}"),
                    sort_name=author_sort_name(n),
                    normalized=fold(n),
                )
                for i in range(max(50, count // 5))
            ],
            batch_size=2000,
        )
        series = Series.objects.bulk_create(
            [
                Series(
                    title=(t := f"The {_zipf_pick(rng, words).capitalize()} {rng.choice(words).capitalize()}"),
                    normalized=fold(t),
                )
                for _ in range(max(20, count // 12))
            ],
            batch_size=2000,
        )
    base = datetime(2020, 1, 1, tzinfo=UTC)
    for start in range(0, count, 5000):
        with transaction.atomic():
            batch = []
            for n in range(start, min(count, start + 5000)):
                title = " ".join(_zipf_pick(rng, words) for _ in range(rng.randint(1, 5))).title()
                in_series = rng.random() < 0.4
                batch.append(
                    MediaItem(
                        title=title,
                        sort_title=sort_title(title),
                        year=rng.randint(1850, 2025),
                        language=rng.choice(LANGS),
                        publisher=f"{rng.choice(words).capitalize()} Press",
                        isbn13=_isbn(offset + n),
                        description=" ".join(_zipf_pick(rng, words) for _ in range(rng.randint(20, 60))).capitalize(),
                        series=rng.choice(series) if in_series else None,
                        series_index=Decimal(rng.randint(1, 12)) if in_series else None,
                        cover_path="covers/sample.jpg" if rng.random() < 0.8 else "",
                        added_at=base + timedelta(minutes=offset + n),
                    )
                )
            items = MediaItem.objects.bulk_create(batch, batch_size=1000)
            Contribution.objects.bulk_create(
                [
                    Contribution(item=item, author=a, position=p)
                    for item in items
                    for p, a in enumerate(rng.sample(authors, rng.choice((1, 1, 1, 2))))
                ],
                batch_size=2000,
            )
            LibraryFile.objects.bulk_create(
                [
                    LibraryFile(
                        item=item,
                        path=f"/library/{item.pk}/{item.pk}.{fmt}",
                        size=rng.randint(10**5, 10**8),
                        mtime_ns=1,
                        format=fmt,
                    )
                    for item in items
                    for fmt in {rng.choice(FORMATS)}
                ],
                batch_size=2000,
            )
            ItemTag.objects.bulk_create(
                [
                    ItemTag(item=item, name=g, normalized=fold(g))
                    for item in items
                    for g in rng.sample(GENRES, rng.randint(0, 2))
                ],
                batch_size=2000,
                ignore_conflicts=True,
            )
