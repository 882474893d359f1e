"""The template language: every token, padding, empty-segment collapsing, validation."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from core.naming import (
    PREDEFINED,
    SAMPLE_CONTEXT,
    TOKEN_NAMES,
    TOKENS,
    MissingMetadata,
    NamingContext,
    TemplateError,
    parse_template,
    render,
)

FULL = NamingContext(
    title="Dune Messiah",
    authors=("Frank Herbert", "Brian Herbert"),
    author_sort_names=("Herbert, Frank", "Herbert, Brian"),
    narrators=("Scott Brick", "Katherine Kellgren"),
    series_title="The Dune Chronicles",
    series_index=Decimal("2.50"),
    year=1969,
    language="en",
    format="epub",
    category="Ebooks",
    genre="Science Fiction",
    publisher="Putnam",
    isbn="9780593098233",
    issue="7",
    volume="2",
    ext="EPUB",
    original_filename="dune_messiah_v2",
    kind="ebook",
)


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("title", "Dune Messiah"),
        ("author", "Frank Herbert"),
        ("author.fullname", "Frank Herbert"),
        ("author.sortname", "Herbert, Frank"),
        ("author.lastname", "Herbert"),
        ("author.firstname", "Frank"),
        ("authors", "Frank Herbert & Brian Herbert"),
        ("bookseries.title", "The Dune Chronicles"),
        ("bookseries.number", "02.5"),
        ("bookseries.titleSortable", "Dune Chronicles, The"),
        ("publicationyear", "1969"),
        ("year", "1969"),
        ("decade", "1960s"),
        ("language", "en"),
        ("format", "EPUB"),
        ("category", "Ebooks"),
        ("genre", "Science Fiction"),
        ("publisher", "Putnam"),
        ("isbn", "9780593098233"),
        ("narrator", "Scott Brick & Katherine Kellgren"),
        ("issue", "007"),
        ("volume", "2"),
        ("ext", "epub"),
        ("originalFilename", "dune_messiah_v2"),
    ],
)
def test_every_token_renders_its_value(token, expected):
    if token == "ext":
        assert str(render("x/${title} [${ext}]", FULL)) == "x/Dune Messiah [epub].epub"
        return
    assert str(render(f"x/${{{token}}}.${{ext}}", FULL)) == f"x/{expected}.epub"


def test_table_covers_every_documented_token():
    assert {t.lower() for t in TOKEN_NAMES} == set(TOKENS)


@pytest.mark.parametrize(
    ("index", "pad", "expected"),
    [
        (Decimal("1"), None, "01"),
        (Decimal("2.5"), None, "02.5"),
        (Decimal("2.50"), None, "02.5"),
        (Decimal("12"), None, "12"),
        (Decimal("100"), None, "100"),
        (Decimal("3"), 3, "003"),
        ("0.5", None, "00.5"),
    ],
)
def test_series_number_is_zero_padded_and_keeps_decimals(index, pad, expected):
    spec = f":{pad}" if pad else ""
    assert (
        str(render(f"${{bookseries.number{spec}}} ${{title}}", replace(FULL, series_index=index)))
        == f"{expected} Dune Messiah.epub"
    )


def test_author_parts_of_single_and_multiple_names():
    ctx = replace(FULL, authors=("Plato",), author_sort_names=("Plato",))
    assert (
        str(render("${author.lastname} - ${author.firstname} - ${title}", ctx)) == "Plato - Dune Messiah.epub"
    )
    three = replace(FULL, authors=("A One", "B Two", "C Three"))
    assert str(render("${authors}", three)) == "A One, B Two & C Three.epub"


def test_issue_keeps_non_numeric_values():
    assert str(render("${issue}", replace(FULL, issue="Annual 1"))) == "Annual 1.epub"


STANDALONE = replace(
    FULL, series_title="", series_index=None, year=None, narrators=(), isbn="", issue="", volume=""
)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("${author.sortname}/${bookseries.title}/${title}.${ext}", "Herbert, Frank/Dune Messiah.epub"),
        ("${author} - ${bookseries.title} - ${title}.${ext}", "Frank Herbert - Dune Messiah.epub"),
        ("${bookseries.title} ${bookseries.number} - ${title}.${ext}", "Dune Messiah.epub"),
        ("${title} (${year}).${ext}", "Dune Messiah.epub"),
        ("${title} [${isbn}] (${year}).${ext}", "Dune Messiah.epub"),
        ("${author}/${bookseries.title} #${issue}/${title}.${ext}", "Frank Herbert/Dune Messiah.epub"),
        ("${year}/${decade}/${author} - ${title}", "Frank Herbert - Dune Messiah.epub"),
        ("${narrator} - ${isbn} - ${title}", "Dune Messiah.epub"),
        ("${title} - ${narrator} - ${author}", "Dune Messiah - Frank Herbert.epub"),
    ],
)
def test_empty_tokens_drop_their_folder_and_separators(template, expected):
    assert str(render(template, STANDALONE)) == expected


def test_literal_folder_is_kept_and_literal_group_with_value_stays():
    assert str(render("Books/${title} (${year})", FULL)) == "Books/Dune Messiah (1969).epub"


def test_extension_is_added_when_template_forgets_it():
    assert str(render("${author}/${title}", FULL)) == "Frank Herbert/Dune Messiah.epub"


def test_missing_title_is_reported():
    with pytest.raises(MissingMetadata):
        render("${author}/${title}.${ext}", replace(FULL, title=""))
    with pytest.raises(MissingMetadata):
        render("${title}.${ext}", replace(FULL, title="..."))


@pytest.mark.parametrize(
    ("template", "position", "fragment"),
    [
        ("${author}/${autor}.${ext}", 10, "Unknown token ${autor}"),
        ("${title", 0, "Unclosed token"),
        ("Books/${title}/${nope:2}", 15, "Unknown token"),
        ("/${title}", 0, "relative"),
        ("${author}//${title}", 10, "Empty"),
        ("${author}/../${title}", 10, "'..'"),
        ("${author}/${ext}", 10, "besides"),
        ("", 0, "empty"),
    ],
)
def test_invalid_templates_report_the_position(template, position, fragment):
    with pytest.raises(TemplateError) as info:
        parse_template(template)
    assert info.value.position == position
    assert info.value.details["position"] == position
    assert fragment in info.value.message


def test_tokens_are_case_insensitive():
    assert str(render("${TITLE} ${Bookseries.Number}", FULL)) == "Dune Messiah 02.5.epub"


@pytest.mark.parametrize("entry", PREDEFINED, ids=lambda p: p.key)
def test_predefined_templates_parse_and_render(entry):
    rendered = render(entry.template, replace(SAMPLE_CONTEXT, issue="12"))
    assert str(rendered).endswith(".epub")


def test_predefined_per_kind_layouts():
    by_key = {p.key: p for p in PREDEFINED}
    audio = replace(FULL, ext="m4b", original_filename="Part 01", kind="audiobook")
    assert (
        str(render(by_key["audiobook"].template, audio))
        == "Herbert, Frank/The Dune Chronicles/02.5 - Dune Messiah/Part 01.m4b"
    )
    comic = replace(FULL, series_title="Saga", year=2012, issue="7", ext="cbz")
    assert str(render(by_key["comic"].template, comic)) == "Saga (2012)/Saga #007.cbz"
    assert (
        str(render(by_key["comprehensive"].template, FULL))
        == "Herbert, Frank/The Dune Chronicles/Dune Messiah.epub"
    )
