"""The labelled evaluation set of identification (issue 15): no wrong automatic match, and at
least 80 % of the cases whose right record is offered applied without asking."""

from __future__ import annotations

import json
import runpy

from search.matching.evaluation import PAIRS, evaluate, load_cases
from search.matching.recommend import Thresholds


def test_evaluation_set_has_no_wrong_automatic_match_and_recall_of_80_percent():
    cases = load_cases()
    assert len(cases) >= 300 and len({c["category"] for c in cases}) >= 9

    report = evaluate(cases)

    assert [o.case_id for o in report.wrong] == []
    assert report.recall >= 0.80, report.recall
    assert 0 < report.review_rate < 1


def test_a_stricter_strong_threshold_in_settings_applies_less():
    cases = load_cases()
    default, strict = evaluate(cases), evaluate(cases, Thresholds(strong=0.0, medium=0.35, min_gap=0.05))
    assert strict.applied < default.applied and not strict.wrong


def test_the_committed_set_is_what_its_script_builds(tmp_path, monkeypatch):
    script = PAIRS.with_name("make_identification_pairs.py")
    module = runpy.run_path(str(script), run_name="not_main")
    monkeypatch.setitem(module["main"].__globals__, "OUT", tmp_path / "pairs.json")
    module["main"]()
    assert json.loads((tmp_path / "pairs.json").read_text()) == json.loads(PAIRS.read_text())
