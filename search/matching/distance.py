"""Explainable distance between an item (what the files say) and a provider record:
a weighted average of named penalties in [0, 1], kept for the UI (after beets'
autotag distance). Pure: no ORM."""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz

from core.text import comparison_key
from search.normalise import author_key, detect_series
from search.providers.base import BookRecord

WEIGHTS: dict[str, float] = {
    "identifier": 6.0, "title": 3.0, "authors": 3.0, "series": 1.0, "series_index": 1.0, "year": 1.0,
    "language": 0.5, "format": 1.0, "narrators": 1.0, "duration": 1.0, "issue": 2.0, "volume_year": 1.0,
}


@dataclass(frozen=True)
class ItemFacts:
    kind: str = "ebook"
    title: str = ""
    authors: tuple[str, ...] = ()
    series: str = ""
    series_index: float | None = None
    year: int | None = None
    language: str = ""
    isbn13: str = ""
    asin: str = ""
    narrators: tuple[str, ...] = ()
    duration_seconds: int | None = None
    issue_number: str = ""
    volume_year: int | None = None


@dataclass(frozen=True)
class Distance:
    total: float
    penalties: dict[str, dict[str, float]] = field(default_factory=dict)  # name -> {penalty, weight}
    isbn_match: bool = False
    isbn_mismatch: bool = False

    @property
    def confidence(self) -> float:
        value = 1.0 - self.total
        return round(min(value, 0.5) if self.isbn_mismatch else value, 4)

    def total_without(self, name: str) -> float:
        rest = {k: v for k, v in self.penalties.items() if k != name}
        weight = sum(v["weight"] for v in rest.values())
        return round(sum(v["weight"] * v["penalty"] for v in rest.values()) / weight, 4) if weight else 1.0

    def explain(self) -> list[str]:
        return [f"{name}: {p['penalty']:.2f} x {p['weight']:g}" for name, p in
                sorted(self.penalties.items(), key=lambda kv: -kv[1]["penalty"] * kv[1]["weight"]) if p["penalty"]]


def _similarity(a: str, b: str) -> float:
    ka, kb = comparison_key(a), comparison_key(b)
    if not ka or not kb:
        return 0.0
    return max(fuzz.token_sort_ratio(ka, kb), 0.95 * fuzz.token_set_ratio(ka, kb)) / 100.0


def _bare_title(title: str) -> str:
    guess = detect_series(title)
    return guess.title if guess else title


def title_penalty(a: str, b: str) -> float:
    a, b = _bare_title(a), _bare_title(b)
    full = _similarity(a, b)
    main = _similarity(a.split(":")[0], b.split(":")[0])  # subtitles are often missing on one side
    return round(1.0 - max(full, 0.9 * main), 4)


def names_penalty(wanted: tuple[str, ...], offered: tuple[str, ...]) -> float:
    if not offered:
        return 1.0
    keys = [author_key(o) for o in offered]
    scores = [max(fuzz.ratio(author_key(w), k) for k in keys) / 100.0 for w in wanted]
    return round(1.0 - sum(scores) / len(scores), 4)


def _year_penalty(a: int, b: int) -> float:
    gap = abs(a - b)
    return 0.0 if gap == 0 else 0.2 if gap == 1 else min(1.0, gap / 10)


def _issue_key(value: str) -> str:
    return value.strip().lstrip("0").lower() or "0"


def distance(item: ItemFacts, record: BookRecord) -> Distance:
    p: dict[str, float] = {}
    isbn_match = bool(item.isbn13 and record.isbn13 and item.isbn13 == record.isbn13)
    isbn_mismatch = bool(item.isbn13 and record.isbn13 and item.isbn13 != record.isbn13)
    if item.isbn13 and record.isbn13:
        p["identifier"] = 0.0 if isbn_match else 1.0
    if item.title:
        p["title"] = title_penalty(item.title, record.title)
    if item.authors:
        p["authors"] = names_penalty(item.authors, record.author_names)
    if item.series and record.series:
        p["series"] = round(1.0 - _similarity(item.series, record.series), 4)
    if item.series_index is not None and record.series_index is not None:
        p["series_index"] = 0.0 if float(item.series_index) == float(record.series_index) else 1.0
    if item.year and record.year:
        p["year"] = _year_penalty(item.year, record.year)
    if item.language and record.language:
        p["language"] = 0.0 if item.language == record.language else 1.0
    if item.kind and record.kind and ("comic" in (item.kind, record.kind)):
        p["format"] = 0.0 if item.kind == record.kind else 1.0
    if item.narrators and record.narrators:
        p["narrators"] = names_penalty(item.narrators, record.narrators)
    if item.duration_seconds and record.duration_seconds:
        rel = abs(item.duration_seconds - record.duration_seconds) / max(item.duration_seconds, record.duration_seconds)
        p["duration"] = round(min(1.0, rel / 0.1), 4)
    if item.issue_number and record.issue_number:
        p["issue"] = 0.0 if _issue_key(item.issue_number) == _issue_key(record.issue_number) else 1.0
    if item.volume_year and record.volume.isdigit():
        p["volume_year"] = 0.0 if abs(item.volume_year - int(record.volume)) <= 1 else 1.0
    weight = sum(WEIGHTS[k] for k in p)
    total = sum(WEIGHTS[k] * v for k, v in p.items()) / weight if weight else 1.0
    return Distance(round(total, 4), {k: {"penalty": v, "weight": WEIGHTS[k]} for k, v in p.items()},
                    isbn_match=isbn_match, isbn_mismatch=isbn_mismatch)
