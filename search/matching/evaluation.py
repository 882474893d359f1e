"""Scores identification on a labelled set of cases (tests/search/data/identification_pairs.json):
each case is an item's facts as its files give them, the records a provider would return, and
the external id of the right record (or null when none is right). Pure: no ORM, no network."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path

from search.matching.distance import ItemFacts
from search.matching.recommend import Recommendation, Thresholds, decide
from search.providers.base import AuthorRef, BookRecord

PAIRS = Path(__file__).resolve().parents[2] / "tests" / "search" / "data" / "identification_pairs.json"
_ITEM_FIELDS = {f.name for f in fields(ItemFacts)}
_RECORD_FIELDS = {f.name for f in fields(BookRecord)} - {"authors"}


@dataclass(frozen=True)
class Outcome:
    case_id: str
    category: str
    label: str | None
    recommendation: str
    chosen: str | None  # the record applied automatically, if any
    reason: str

    @property
    def wrong(self) -> bool:
        return self.chosen is not None and self.chosen != self.label

    @property
    def right(self) -> bool:
        return self.chosen is not None and self.chosen == self.label


@dataclass(frozen=True)
class Report:
    outcomes: tuple[Outcome, ...] = field(default_factory=tuple)

    @property
    def cases(self) -> int:
        return len(self.outcomes)

    @property
    def with_answer(self) -> int:
        return sum(1 for o in self.outcomes if o.label is not None)

    @property
    def applied(self) -> int:
        return sum(1 for o in self.outcomes if o.chosen is not None)

    @property
    def wrong(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.wrong)

    @property
    def precision(self) -> float:
        return (self.applied - len(self.wrong)) / self.applied if self.applied else 1.0

    @property
    def recall(self) -> float:
        """Of the cases whose right record was offered, the share applied without asking."""
        return sum(1 for o in self.outcomes if o.right) / self.with_answer if self.with_answer else 1.0

    @property
    def review_rate(self) -> float:
        return (self.cases - self.applied) / self.cases if self.cases else 0.0


def item_facts(data: dict) -> ItemFacts:
    values = {k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items() if k in _ITEM_FIELDS}
    return ItemFacts(**values)


def book_record(data: dict) -> BookRecord:
    values = {k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items() if k in _RECORD_FIELDS}
    values["identifiers"] = tuple(tuple(pair) for pair in data.get("identifiers", []))
    return BookRecord(authors=tuple(AuthorRef(name) for name in data.get("authors", [])), **values)


def load_cases(path: Path = PAIRS) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cases"]


def run_case(case: dict, thresholds: Thresholds | None = None) -> Outcome:
    decision = decide(item_facts(case["item"]), [book_record(c) for c in case["candidates"]], thresholds)
    strong = decision.recommendation is Recommendation.STRONG
    return Outcome(case["id"], case["category"], case.get("label"), str(decision.recommendation),
                   decision.best.record.external_id if strong and decision.best else None, decision.reason)


def evaluate(cases: list[dict], thresholds: Thresholds | None = None) -> Report:
    return Report(tuple(run_case(case, thresholds) for case in cases))
