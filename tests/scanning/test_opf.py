"""The OPF parser against real OPF files recorded from other projects (tests/fixtures/opf)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanning.extractors.opf import parse_opf

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "opf"


def _parse(name: str):
    return parse_opf((FIXTURES / name).read_bytes())


def test_calibre_metadata_opf_sidecar():
    doc = _parse("calibre_metadata_opf2_lazylibrarian_testdata.opf")
    meta = doc.metadata
    assert meta.title == "Test Title" and [(p.name, p.file_as) for p in meta.authors] == [
        ("Bob Builder", "Builder, Bob")
    ]
    assert meta.isbn13 == "9782123456803" and ("asin", "123456789") in meta.identifiers
    assert (meta.series, meta.series_index, meta.language) == ("The Testers", 1.0, "en")
    assert meta.publisher == "Testing, Inc" and meta.year is None  # calibre's 0101 placeholder date
    assert meta.description == "This is a very exciting book!"
    assert not any(p.name.startswith("calibre") for p in meta.people)  # book producer is not a person
    assert doc.cover_href == "cover.jpg"


def test_epub3_refines_give_role_and_file_as():
    meta = _parse("abs_author_epub3_refines.opf").metadata
    assert [(p.name, p.role, p.file_as) for p in meta.people] == [("Nevil Shute", "author", "Shute, Nevil")]


@pytest.mark.parametrize(
    ("name", "series", "index"),
    [
        ("abs_series_one.opf", "Serie", 1.0),
        ("abs_series_three_in_order.opf", "Serie 1", 1.0),
        ("abs_series_odd_index_values.opf", "Serie 1", None),
        ("abs_series_empty.opf", "", None),
        ("abs_series_ns0_prefix.opf", "Serie 1", None),
    ],
)
def test_calibre_series_variants(name, series, index):
    text = (FIXTURES / name).read_text()
    meta = parse_opf(text.encode()).metadata
    assert (meta.series, meta.series_index) == (series, index)
