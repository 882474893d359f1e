"""Reading-list CSV parsing: each format detected from its header, rows mapped, hostile files refused or
defused."""

from __future__ import annotations

import pytest

from core.errors import InvalidInput
from readinglists import formats
from tests.readinglists import samples


def test_goodreads_export_is_detected_and_its_isbn_formulas_are_read_as_text():
    parsed = formats.parse(samples.goodreads())
    assert parsed.format == "goodreads"
    first = parsed.rows[0]
    assert (first.key, first.title, first.authors, first.isbn13, first.year) == (
        "gr:1001", "Use of Weapons", ("Iain M. Banks",), "9780316030571", 1990)
    assert first.shelves == ("to-read",)
    assert parsed.rows[2].shelves == ("read", "favorites")
    assert parsed.shelf_counts() == {"to-read": 3, "currently-reading": 1, "favorites": 1, "read": 1}
    assert parsed.rows[1].isbn13 == "" and parsed.rows[1].key == "gr:1002"


def test_storygraph_export_is_detected_with_isbn_or_asin_in_isbn_uid():
    parsed = formats.parse(samples.storygraph())
    assert parsed.format == "storygraph"
    assert [(r.key, r.isbn13, r.asin) for r in parsed.rows[:2]] == [
        ("isbn:9780316030571", "9780316030571", ""), ("uid:B08ZYQT962", "", "B08ZYQT962")]
    assert parsed.rows[2].shelves == ("read", "sci-fi", "classic")
    assert parsed.rows[3].shelves == ("did-not-finish",)


def test_plain_list_with_or_without_isbn_has_no_shelf_and_is_wanted_whole():
    parsed = formats.parse(samples.plain())
    assert parsed.format == "plain"
    assert [r.key for r in parsed.rows] == ["isbn:9780316030571", "t:zzyzx quonk almanac|nobody knownauthor",
                                            "isbn:9780306406157"]
    assert parsed.shelf_counts() == {"": 3}
    bad = formats.parse(b"Title,Author,ISBN\nSome Book,Some One,1234567890\n").rows[0]
    assert bad.isbn13 == "" and "not a valid ISBN" in bad.note and not bad.problem


def test_a_bom_and_windows_line_ends_are_fine_and_a_windows_1252_file_is_read_with_a_warning():
    assert formats.parse(b"\xef\xbb\xbf" + samples.plain()).format == "plain"
    parsed = formats.parse("title,author\r\nL'\u00c9tranger,Albert Camus\r\n".encode("cp1252"))
    assert parsed.rows[0].title == "L'\u00c9tranger" and "Windows-1252" in parsed.warnings[0]
    utf16 = formats.parse("title,author\nÉmile,Zola\n".encode("utf-16"))
    assert utf16.rows[0].title == "Émile"


@pytest.mark.parametrize("title", ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd",
                                   "-2+3+cmd|' /C calc'!A0", "\t=1+1"])
def test_formula_looking_cells_are_skipped_never_kept(title):
    data = samples._csv(["title", "author"], [{"title": title, "author": "X"}])
    row = formats.parse(data).rows[0]
    assert row.problem == "the title or author looks like a spreadsheet formula"


def test_a_title_with_a_dash_word_is_not_a_formula():
    assert not formats.parse(b"title,author\n-ism and More,Some One\n").rows[0].problem


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b"a,b\x00,c\n1,2,3\n", "NUL"),
    (b"name,year\nDune,1965\n", "not one of"),
    (b"title,author\n\"" + b"x" * 200_000 + b"\",y\n", "cannot be read"),
    (b"title,author\n" + b"x" * (formats.MAX_BYTES + 1), "larger than 5 MB"),
])
def test_hostile_files_are_refused_with_a_reason(data, message):
    with pytest.raises(InvalidInput, match=message):
        formats.parse(data)


def test_too_many_rows_are_refused(monkeypatch):
    monkeypatch.setattr(formats, "MAX_ROWS", 3)
    with pytest.raises(InvalidInput, match="more than 3 rows"):
        formats.parse(b"title,author\n" + b"a,b\n" * 4)


def test_long_values_are_cut_and_newlines_inside_fields_flattened():
    data = samples._csv(["title", "author"], [{"title": "Long " * 300 + "\nEnd", "author": "A\nB"}])
    row = formats.parse(data).rows[0]
    assert len(row.title) == 500 and "\n" not in row.title and row.authors == ("A B",)
