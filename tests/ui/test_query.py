"""The query language parser and its compilers: pure, table-driven."""

from __future__ import annotations

import pytest

from media.query import And, Not, Or, Term, literal_query, parse
from media.search.compile import to_fts5, to_tsquery
from media.search.highlight import highlight, spans


def T(*words, field=None, phrase=None, prefix=True, pattern=""):
    return Term(tuple(words), field, phrase if phrase is not None else len(words) > 1, prefix, pattern)


@pytest.mark.parametrize(
    ("text", "root"),
    [
        ("dune", T("dune")),
        ("Émile ZOLA", And((T("emile"), T("zola")))),
        ("dune AND herbert", And((T("dune"), T("herbert")))),
        ("dune OR herbert", Or((T("dune"), T("herbert")))),
        ("dune || herbert", Or((T("dune"), T("herbert")))),
        ("dune NOT messiah", And((T("dune"), Not(T("messiah"))))),
        ("dune -messiah", And((T("dune"), Not(T("messiah"))))),
        ('"left hand"', T("left", "hand", phrase=True, prefix=False)),
        ('author:"le guin"', T("le", "guin", field="author", phrase=True, prefix=False)),
        ("by:asimov", T("asimov", field="author")),
        ("series:foundation", T("foundation", field="series")),
        ("isbn:978-0-441-01359-3", Or((T("9780441013593", field="isbn"), T("0441013597", field="isbn")))),
        ("isbn:0-441-01359-X", T("044101359x", field="isbn")),
        ("genre:horror", T("horror", field="tag")),
        ("found*", T("found")),
        ("fo?nd*", T("fond", prefix=False, pattern="fo?nd*")),
        ("f*tion", T("ftion", prefix=False, pattern="f*tion")),
        ("(a OR b) c", And((Or((T("a"), T("b"))), T("c")))),
        ("foo:bar", T("foo", "bar")),
        ("le-guin", T("le", "guin")),
    ],
)
def test_parse_builds_the_expected_tree(text, root):
    assert parse(text).root == root


@pytest.mark.parametrize("text", ["", "   ", "OR", "NOT", "AND OR", "()", "(((", '"', "-", "!!!", "author:"])
def test_parse_degrades_to_empty_without_raising(text):
    assert parse(text).is_empty


@pytest.mark.parametrize(
    ("text", "root"),
    [
        ("dune)", T("dune")),
        ("(dune", T("dune")),
        ('"unbalanced quote', T("unbalanced", "quote", phrase=True, prefix=False)),
        ("dune OR", T("dune")),
        ("NOT NOT dune", Not(Not(T("dune")))),
    ],
)
def test_parse_tolerates_broken_syntax(text, root):
    assert parse(text).root == root


def test_free_text_and_positive_terms_skip_negations_and_other_fields():
    parsed = parse("The Hobbit -movie author:tolkien")
    assert parsed.free_text == "the hobbit"
    assert [t.text for t in parsed.terms] == ["the", "hobbit", "tolkien"]


def test_parse_caps_the_number_of_terms():
    assert len(parse(" ".join(f"w{i}" for i in range(100))).terms) == 24


def test_literal_query_ignores_operators_and_regex_syntax():
    assert literal_query("[dune OR (").root == And((T("dune"), T("or")))


@pytest.mark.parametrize(
    ("text", "fts", "ts"),
    [
        ("dune", '"dune"*', "'dune':*"),
        ('"left hand" OR herbert', '("left hand" OR "herbert"*)', "(('left' <-> 'hand') | 'herbert':*)"),
        ("dune -messiah", '("dune"*) NOT (("messiah"*))', "('dune':*) & !(('messiah':*))"),
        ("author:herbert", 'authors : "herbert"*', "'herbert':*B"),
        ("series:dune", 'series : "dune"*', "'dune':*C"),
        (
            "isbn:9780441013593",  # a valid ISBN is looked up in both forms
            '(identifiers : "9780441013593"* OR identifiers : "0441013597"*)',
            "('9780441013593':*D | '0441013597':*D)",
        ),
        ("isbn:12345", 'identifiers : "12345"*', "'12345':*D"),
        ('title:"dune messiah"', 'title : "dune messiah"', "('dune':A <-> 'messiah':A)"),
    ],
)
def test_compilers_emit_engine_syntax(text, fts, ts):
    root = parse(text).root
    assert to_fts5(root).match == fts
    assert to_tsquery(root).match == ts


def test_only_negative_query_compiles_to_an_exclusion():
    compiled = to_fts5(parse("-messiah").root)
    assert compiled.match is None and compiled.exclude == '"messiah"*'


def test_expansions_replace_terms_and_empty_expansion_matches_nothing():
    parsed = parse("dnue herbert")
    typo = parsed.terms[0]
    assert to_fts5(parsed.root, {typo: ("dune", "dunes")}).match == '(("dune" OR "dunes") AND "herbert"*)'
    assert to_fts5(parsed.root, {typo: ()}).nothing
    either = parse("dnue OR herbert")
    assert to_fts5(either.root, {either.terms[0]: ()}).match == '("herbert"*)'


@pytest.mark.parametrize(
    ("text", "words", "html"),
    [
        ("Les Misérables", [("miserables", False)], "Les <mark>Misérables</mark>"),
        ("Dune Messiah", [("dun", True)], "<mark>Dune</mark> Messiah"),
        ("Dune Messiah", [("une", True)], "Dune Messiah"),
        ("<b>Dune</b>", [("dune", False)], "&lt;b&gt;<mark>Dune</mark>&lt;/b&gt;"),
        ("Straße", [("strasse", False)], "<mark>Straße</mark>"),
        ("Fondation", [("fo?d*", False)], "<mark>Fondation</mark>"),
        ("Left Hand", [("left", False), ("hand", False)], "<mark>Left</mark> <mark>Hand</mark>"),
    ],
)
def test_highlight_is_accent_insensitive_word_anchored_and_escaped(text, words, html):
    assert highlight(text, words) == html


def test_highlight_spans_merge_overlaps():
    assert spans("Dune", [("du", True), ("dune", False)]) == [(0, 4)]


def test_index_tokens_are_the_words_of_the_folded_text():
    """tokens_of skips fold's space tidying for ASCII: same tokens, for every kind of text."""
    import random
    import re

    from core.text import fold
    from media.query import tokens_of

    rng = random.Random(5)
    alphabet = "abcXYZ019 _-.,'\t\n\x0b\x0c\r\x1c\x1f\x85\xa0éÉßøæ\u0301\u3000日本"
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert tokens_of(text) == re.findall(r"[^\W_]+", fold(text)), repr(text)
