"""The name-parsing corpus: every line of `data/*.jsonl` is one case, run by the one test below.

A line is `{"parser": P, "input": "...", "expect": {...}, "note": "..."}` where P is one of
`PARSERS`. Only the keys in `expect` are compared, each for equality with the parser's JSON
output (the same output the `manage.py parse_*` commands print), so a case states exactly what
it is about. `note` says which convention the case comes from."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


def _release(text: str) -> dict:
    return importlib.import_module("indexers.releases").parse_release(text).as_dict()


def _path(kind: str):
    def parse(text: str) -> dict:
        filename = importlib.import_module("scanning.extractors.filename")
        return filename.as_json(filename.parse_path(text, kind))

    return parse


def _author(text: str) -> dict:
    return importlib.import_module("core.authors").parse_author(text)


PARSERS = {
    "release": _release,
    "ebook": _path("ebook"),
    "comic": _path("comic"),
    "audiobook": _path("audiobook"),
    "author": _author,
}


def _cases() -> list:
    cases = []
    for data_file in sorted(DATA.glob("*.jsonl")):
        for number, line in enumerate(data_file.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            case = json.loads(line)
            cases.append(pytest.param(case, id=f"{data_file.stem}:{number}"))
    return cases


CASES = _cases()


def test_corpus_is_big_enough():
    """The issue's floor: at least 600 cases, every parser covered, every case well formed."""
    assert len(CASES) >= 600
    seen = {param.values[0]["parser"] for param in CASES}
    assert seen == set(PARSERS)
    for param in CASES:
        case = param.values[0]
        assert set(case) <= {"parser", "input", "expect", "note"} and case["expect"], param.id


@pytest.mark.parametrize("case", CASES)
def test_name_is_parsed(case):
    result = PARSERS[case["parser"]](case["input"])
    got = {key: result.get(key) for key in case["expect"]}
    assert got == case["expect"], f"{case['input']!r} ({case.get('note', '')})"
