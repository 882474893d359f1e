"""Identification on the labelled evaluation set (tests/search/data/identification_pairs.json):
auto-apply precision and recall, review rate, per category, and every wrong automatic match.
Usage: python benchmarks/identification_eval.py [--strong 0.12 --medium 0.35 --min-gap 0.05] [--misses]"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search.matching.evaluation import Report, evaluate, load_cases
from search.matching.recommend import Thresholds


def _line(name: str, report: Report) -> str:
    return (f"{name:<12} {report.cases:>5} cases {report.with_answer:>4} with an answer  "
            f"applied {report.applied:>4}  wrong {len(report.wrong):>2}  precision {report.precision:6.1%}  "
            f"recall {report.recall:6.1%}  review {report.review_rate:6.1%}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    defaults = Thresholds()
    parser.add_argument("--strong", type=float, default=defaults.strong)
    parser.add_argument("--medium", type=float, default=defaults.medium)
    parser.add_argument("--min-gap", type=float, default=defaults.min_gap)
    parser.add_argument("--misses", action="store_true", help="also list right answers sent to review")
    args = parser.parse_args()
    report = evaluate(load_cases(), Thresholds(args.strong, args.medium, args.min_gap))
    by_category: dict[str, list] = defaultdict(list)
    for outcome in report.outcomes:
        by_category[outcome.category].append(outcome)
    for category, outcomes in sorted(by_category.items()):
        print(_line(category, Report(tuple(outcomes))))
    print(_line("ALL", report))
    for outcome in report.wrong:
        print(f"WRONG {outcome.case_id}: applied {outcome.chosen}, label {outcome.label} ({outcome.reason})")
    if args.misses:
        for outcome in report.outcomes:
            if outcome.label is not None and not outcome.right:
                print(f"review {outcome.case_id}: {outcome.recommendation} - {outcome.reason}")
    return 1 if report.wrong else 0


if __name__ == "__main__":
    sys.exit(main())
