"""core.authors beyond the corpus: hostile input, and the one-rule-set promise (core.text and
search.normalise answer exactly what core.authors does)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from core.authors import parse_author, parse_name
from core.text import author_display_name, author_sort_name
from search.normalise import author_sort_key, split_authors

HOSTILE = ["((((", "[]]][[", "-" * 500, "\x00\x01 & \u202e", "a" * 5000, "and and and", " & & ; ; ",
           ", " * 2000, "Jane Doe et al. et al. et al." * 50, "(" * 3000 + "Jane", "by by by", "Dr. Dr. Dr."]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_lines_give_an_answer_quickly(text):
    start = time.perf_counter()
    result = parse_author(text)
    assert time.perf_counter() - start < 0.5
    assert set(result) == {"display", "sort", "authors"} and isinstance(result["display"], str)


AUTHOR_INPUTS = [json.loads(line)["input"] for line in
                 (Path(__file__).parent / "data" / "author_names.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("text", [t for t in AUTHOR_INPUTS if "&" not in t and ";" not in t and " and " not in t])
def test_core_text_uses_the_same_rules(text):
    person = parse_name(text)
    assert (author_display_name(text), author_sort_name(text), author_sort_key(text)) == (
        person.display, person.sort, person.sort)


def test_split_authors_lists_the_writers_of_a_line():
    assert split_authors("Haruki Tamsin & Bo Roe, translated by Ollie Brand") == ["Haruki Tamsin", "Bo Roe"]
    assert split_authors("Lee, Ann, Roe, Bo") == ["Ann Lee", "Bo Roe"]
    assert split_authors("Translated by Ollie Brand") == ["Ollie Brand"]  # nobody else to file it under
