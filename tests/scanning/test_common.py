"""Small helpers shared by the extractors."""

from __future__ import annotations

import re

import pytest

from scanning.extractors.base import FrozenMap
from scanning.extractors.common import clean_text


def test_clean_text_treats_every_unicode_space_as_the_regex_does():
    for code in range(0x10000):  # every space character Unicode has lies in the first plane
        raw = f" a{chr(code) * 2}b "
        assert clean_text(raw) == re.sub(r"\s+", " ", raw).strip(), hex(code)


@pytest.mark.parametrize(
    ("raw", "limit", "clean"),
    [(None, 500, ""), ("", 500, ""), ("\u2003 a \n\t b\u3000", 500, "a b"), ("abc  def", 5, "abc d")],
)
def test_clean_text(raw, limit, clean):
    assert clean_text(raw, limit) == clean


def test_frozen_map_get_and_in_answer_like_a_dict():
    confidence = FrozenMap({"title": 0.9})
    assert confidence.get("title") == 0.9 and confidence.get("cover") is None and confidence.get("cover", 0.0) == 0.0
    assert "title" in confidence and "cover" not in confidence
