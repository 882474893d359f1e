"""Rank candidates and decide: strong (apply), medium or low (review queue), none."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from search.matching.distance import Distance, ItemFacts, distance
from search.providers.base import BookRecord


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


def decide(item: ItemFacts, records: list[BookRecord], thresholds: Thresholds | None = None) -> Decision:
    t = thresholds or Thresholds()
    matches = tuple(rank(item, records))
    if not matches:
        return Decision(Recommendation.NONE, (), "no provider returned a candidate")
    best = matches[0]
    d = best.distance
    gap = matches[1].distance.total - d.total if len(matches) > 1 else 1.0
    title_ok = d.penalties.get("title", {"penalty": 0.0})["penalty"] <= 0.3
    if d.isbn_match and title_ok:
        return Decision(Recommendation.STRONG, matches, "same ISBN-13 and a matching title")
    if d.isbn_mismatch:
        level = Recommendation.MEDIUM if d.total_without("identifier") <= t.medium else Recommendation.LOW
        return Decision(level, matches, f"ISBN differs ({best.record.isbn13}); never applied automatically")
    if d.total <= t.strong and gap >= t.min_gap:
        return Decision(Recommendation.STRONG, matches, f"distance {d.total:.2f} <= {t.strong:.2f}")
    if d.total <= t.strong:
        return Decision(Recommendation.MEDIUM, matches, f"runner-up too close (gap {gap:.2f} < {t.min_gap:.2f})")
    if d.total <= t.medium:
        return Decision(Recommendation.MEDIUM, matches, f"distance {d.total:.2f} above {t.strong:.2f}")
    return Decision(Recommendation.LOW, matches, f"distance {d.total:.2f} above {t.medium:.2f}")
