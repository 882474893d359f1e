"""Rank candidates and decide: strong (apply), medium or low (review queue), none.
A record is applied automatically only when independent facts agree and nothing conflicts."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from search.matching.distance import YEAR_AGREES, Distance, ItemFacts, distance
from search.providers.base import BookRecord

AGREEING_TITLE = 0.15  # a subtitle on one side only (0.1) still agrees
AGREEING_AUTHORS = 0.15
IDENTIFIER_TITLE = 0.3


class Recommendation(StrEnum):
    STRONG = "strong"
    MEDIUM = "medium"
    LOW = "low"
    NONE = "none"


@dataclass(frozen=True)
class Thresholds:
    strong: float = 0.12
    medium: float = 0.35
    min_gap: float = 0.05


@dataclass(frozen=True)
class Match:
    record: BookRecord
    distance: Distance


@dataclass(frozen=True)
class Decision:
    recommendation: Recommendation
    matches: tuple[Match, ...]
    reason: str

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None


def rank(item: ItemFacts, records: list[BookRecord]) -> list[Match]:
    matches = [Match(r, distance(item, r)) for r in records]
    return sorted(matches, key=lambda m: (m.distance.total, -m.record.confidence))


def agreement(d: Distance) -> str:
    """Why a record may be applied without asking (independent facts agree), or '' when it may not:
    the same ISBN/ASIN with a compatible title, or title AND authors AND (series position or year)."""
    if d.conflicts:
        return ""
    title, authors = d.penalty("title"), d.penalty("authors")
    if d.identifier_match and (title is None or title <= IDENTIFIER_TITLE):
        return "same ISBN-13 and a matching title" if d.isbn_match else "same ASIN and a matching title"
    if title is None or authors is None or title > AGREEING_TITLE or authors > AGREEING_AUTHORS:
        return ""
    return _third_fact(d)


def _third_fact(d: Distance) -> str:
    """Beyond title and authors, one more independent fact: the series position (a comic's issue
    number), the year (a comic volume's start year), or an audiobook's narrator."""
    if d.penalty("series_index") == 0.0 or d.penalty("issue") == 0.0:
        return "title, authors and series position agree"
    year, volume_year = d.penalty("year"), d.penalty("volume_year")
    if (year is not None and year <= YEAR_AGREES) or volume_year == 0.0:
        return "title, authors and year agree"
    narrators = d.penalty("narrators")
    if narrators is not None and narrators <= AGREEING_AUTHORS:
        return "title, authors and narrator agree"
    return ""


def _missing(d: Distance) -> str:
    title, authors = d.penalty("title"), d.penalty("authors")
    lacking = [name for name, value, limit in (("title", title, AGREEING_TITLE), ("authors", authors,
                                                                                     AGREEING_AUTHORS))
               if value is None or value > limit]
    if not lacking:
        lacking.append("series position, year or narrator")
    return "not enough agrees on its own (" + ", ".join(lacking) + ")"


def _review_reason(d: Distance, agreed: str, gap: float, t: Thresholds) -> str:
    if d.isbn_mismatch:
        return f"ISBN differs; never applied automatically. {'; '.join(d.conflicts)}"
    if d.conflicts:
        return "another book? " + "; ".join(d.conflicts)
    if not agreed:
        return _missing(d) + f"; distance {d.total:.2f}"
    if d.total > t.strong:
        return f"distance {d.total:.2f} above {t.strong:.2f}"
    return f"runner-up too close (gap {gap:.2f} < {t.min_gap:.2f})"


def decide(item: ItemFacts, records: list[BookRecord], thresholds: Thresholds | None = None) -> Decision:
    """Strong (applied) only on independent agreement with nothing against it; everything else
    goes to review with the reasons (conflicts first)."""
    t = thresholds or Thresholds()
    matches = tuple(rank(item, records))
    if not matches:
        return Decision(Recommendation.NONE, (), "no provider returned a candidate")
    d = matches[0].distance
    gap = matches[1].distance.total - d.total if len(matches) > 1 else 1.0
    agreed = agreement(d)
    if agreed and (d.identifier_match or (d.total <= t.strong and gap >= t.min_gap)):
        return Decision(Recommendation.STRONG, matches, f"{agreed} (distance {d.total:.2f})")
    score = d.total_without("identifier") if d.isbn_mismatch else d.total
    level = Recommendation.MEDIUM if score <= t.medium else Recommendation.LOW
    return Decision(level, matches, _review_reason(d, agreed, gap, t)[:500])
