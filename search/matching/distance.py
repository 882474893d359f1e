"""Explainable distance between an item (what the files say) and a provider record:
a weighted average of named penalties in [0, 1], kept for the UI (after beets'
autotag distance), and the conflicts that say "this is another book" (a sequel's title,
another series position, issue, language, narrator...). Pure: no ORM."""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz

from core.text import comparison_key
from search.matching.titles import best_title_comparison, compare_titles, title_parts
from search.normalise import author_key
from search.providers.base import BookRecord

WEIGHTS: dict[str, float] = {
    "identifier": 6.0, "title": 3.0, "authors": 3.0, "series": 1.0, "series_index": 3.0, "year": 1.0,
    "language": 0.5, "format": 1.0, "narrators": 1.0, "duration": 1.0, "issue": 2.0, "volume_year": 1.0,
}
# A penalty at or above these limits says "another book", whatever the total: never applied alone.
CONFLICT_AT: dict[str, float] = {
    "series_index": 1.0, "language": 1.0, "format": 1.0, "issue": 1.0, "volume_year": 1.0, "narrators": 0.5,
    "duration": 1.0, "authors": 0.5,
}
YEAR_AGREES = 0.2  # one year apart at most


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
    asin_match: bool = False
    conflicts: tuple[str, ...] = ()  # why the record is another book (empty: nothing against it)

    @property
    def identifier_match(self) -> bool:
        return self.isbn_match or self.asin_match

    def penalty(self, name: str) -> float | None:
        value = self.penalties.get(name)
        return None if value is None else value["penalty"]

    @property
    def confidence(self) -> float:
        value = 1.0 - self.total
        return round(min(value, 0.5) if self.isbn_mismatch else value, 4)

    def total_without(self, name: str) -> float:
        rest = {k: v for k, v in self.penalties.items() if k != name}
        weight = sum(v["weight"] for v in rest.values())
        return round(sum(v["weight"] * v["penalty"] for v in rest.values()) / weight, 4) if weight else 1.0

    def explain(self) -> list[str]:
        weighted = sorted(self.penalties.items(), key=lambda kv: -kv[1]["penalty"] * kv[1]["weight"])
        return [f"{name}: {p['penalty']:.2f} x {p['weight']:g}" for name, p in weighted if p["penalty"]] + \
            [f"conflict: {c}" for c in self.conflicts]


def _similarity(a: str, b: str) -> float:
    ka, kb = comparison_key(a), comparison_key(b)
    if not ka or not kb:
        return 0.0
    return max(fuzz.token_sort_ratio(ka, kb), 0.95 * fuzz.token_set_ratio(ka, kb)) / 100.0


def _record_titles(record: BookRecord) -> tuple[str, ...]:
    return (record.title, f"{record.title}: {record.subtitle}") if record.subtitle else (record.title,)


def title_penalty(a: str, b: str) -> float:
    return compare_titles(a, b).penalty


def name_similarity(a: str, b: str) -> float:
    """Same surname and compatible given names ('J. R. R.' = 'John Ronald Reuel'); 'Brian Herbert'
    is not 'Frank Herbert'. Names of one word (or in scripts without spaces) compare whole."""
    ka, kb = author_key(a).split(), author_key(b).split()
    if not ka or not kb:
        return 0.0
    if len(ka) == 1 or len(kb) == 1:
        return fuzz.ratio(" ".join(ka), " ".join(kb)) / 100.0 if len(ka) == len(kb) else \
            (0.9 if ka[-1] == kb[-1] else 0.0)
    if fuzz.ratio(ka[-1], kb[-1]) < 90:
        return 0.0
    first_a, first_b = ka[0], kb[0]
    if len(first_a) == 1 or len(first_b) == 1:
        return 0.95 if first_a[0] == first_b[0] else 0.2
    return 1.0 if fuzz.ratio(first_a, first_b) >= 85 else 0.2


def names_penalty(wanted: tuple[str, ...], offered: tuple[str, ...]) -> float:
    if not offered:
        return 1.0
    scores = [max(name_similarity(w, o) for o in offered) for w in wanted]
    return round(1.0 - sum(scores) / len(scores), 4)


def _year_penalty(a: int, b: int) -> float:
    gap = abs(a - b)
    return 0.0 if gap == 0 else 0.2 if gap == 1 else min(1.0, gap / 10)


def _issue_key(value: str) -> str:
    return value.strip().lstrip("0").lower() or "0"


def _index(explicit: float | None, title: str) -> float | None:
    if explicit is not None:
        return float(explicit)
    number = title_parts(title).number
    return float(number) if number is not None else None


def _asin(record: BookRecord) -> str:
    return next((v for k, v in record.identifiers if k.lower() == "asin"), "")


def _identifier_penalties(item: ItemFacts, record: BookRecord, p: dict[str, float]) -> tuple[bool, bool, bool]:
    isbn_match = bool(item.isbn13 and record.isbn13 and item.isbn13 == record.isbn13)
    isbn_mismatch = bool(item.isbn13 and record.isbn13 and item.isbn13 != record.isbn13)
    asin = _asin(record)
    asin_match = bool(item.asin and asin and item.asin.upper() == asin.upper())
    if item.isbn13 and record.isbn13:
        p["identifier"] = 0.0 if isbn_match else 1.0
    elif item.asin and asin:
        p["identifier"] = 0.0 if asin_match else 1.0
    return isbn_match, isbn_mismatch, asin_match


def _book_penalties(item: ItemFacts, record: BookRecord, p: dict[str, float]) -> None:
    if item.authors:
        p["authors"] = names_penalty(item.authors, record.author_names)
    if item.series and record.series:
        p["series"] = round(1.0 - _similarity(item.series, record.series), 4)
    item_index, record_index = _index(item.series_index, item.title), _index(record.series_index, record.title)
    if item_index is not None and record_index is not None:
        p["series_index"] = 0.0 if item_index == record_index else 1.0
    if item.year and record.year:
        p["year"] = _year_penalty(item.year, record.year)
    if item.language and record.language:
        p["language"] = 0.0 if item.language == record.language else 1.0
    if item.kind and record.kind and ("comic" in (item.kind, record.kind)):
        p["format"] = 0.0 if item.kind == record.kind else 1.0


def _edition_penalties(item: ItemFacts, record: BookRecord, p: dict[str, float]) -> None:
    """Audiobook narrators and length, comic issue and volume year."""
    if item.narrators and record.narrators:
        p["narrators"] = names_penalty(item.narrators, record.narrators)
    if item.duration_seconds and record.duration_seconds:
        rel = abs(item.duration_seconds - record.duration_seconds) / max(item.duration_seconds, record.duration_seconds)
        p["duration"] = round(min(1.0, rel / 0.1), 4)
    if item.issue_number and record.issue_number:
        p["issue"] = 0.0 if _issue_key(item.issue_number) == _issue_key(record.issue_number) else 1.0
    elif item.kind == record.kind == "comic" and (item.issue_number or record.issue_number):
        p["issue"] = 1.0  # a single issue against a collected volume (TPB)
    if item.volume_year and record.volume.isdigit():
        p["volume_year"] = 0.0 if abs(item.volume_year - int(record.volume)) <= 1 else 1.0


def _conflicts(p: dict[str, float], title_conflicts: tuple[str, ...], isbn_mismatch: bool) -> tuple[str, ...]:
    found = [f"title: {c}" for c in title_conflicts]
    found += [f"{name} differs" for name, limit in CONFLICT_AT.items() if p.get(name, 0.0) >= limit]
    if isbn_mismatch:
        found.append("ISBN differs")
    return tuple(found)


def distance(item: ItemFacts, record: BookRecord) -> Distance:
    p: dict[str, float] = {}
    isbn_match, isbn_mismatch, asin_match = _identifier_penalties(item, record, p)
    title_conflicts: tuple[str, ...] = ()
    if item.title:
        title = best_title_comparison(item.title, _record_titles(record))
        p["title"], title_conflicts = title.penalty, title.conflicts
    _book_penalties(item, record, p)
    _edition_penalties(item, record, p)
    weight = sum(WEIGHTS[k] for k in p)
    total = sum(WEIGHTS[k] * v for k, v in p.items()) / weight if weight else 1.0
    return Distance(round(total, 4), {k: {"penalty": v, "weight": WEIGHTS[k]} for k, v in p.items()},
                    isbn_match=isbn_match, isbn_mismatch=isbn_mismatch, asin_match=asin_match,
                    conflicts=_conflicts(p, title_conflicts, isbn_mismatch))
