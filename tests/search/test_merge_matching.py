"""Pure merging and distance: tables of real-looking cases."""

from __future__ import annotations

import pytest

from search.matching.distance import ItemFacts, distance
from search.matching.recommend import Recommendation, Thresholds, decide
from search.merge import Candidate, group_records, resolve
from search.providers.base import AuthorRef, BookRecord


def c(value, source, trust, confidence, at=0.0, field="title"):
    return Candidate(field, value, source, trust, confidence, at)


def test_highest_trust_times_confidence_wins():
    result = resolve(
        "title",
        [
            c("Use of weapons", "filename", 0.3, 0.9),
            c("Use of Weapons", "openlibrary", 0.8, 0.95),
            c("Use Of Weapons (Culture)", "embedded_epub", 0.7, 0.8),
        ],
    )
    assert result.source in ("openlibrary", "filename") and result.value in ("Use of Weapons", "Use of weapons")
    assert result.agreeing == ("filename", "openlibrary")  # same normalised value: they reinforce each other
    assert result.score == pytest.approx(1 - (1 - 0.76) * (1 - 0.27), abs=1e-3)
    assert result.value == "Use of Weapons"  # the stronger candidate of the group gives the spelling


def test_agreement_beats_a_single_stronger_source():
    result = resolve(
        "publisher",
        [
            c("Orbit", "openlibrary", 0.8, 0.6),
            c("Orbit", "embedded_epub", 0.7, 0.6),
            c("Little, Brown", "googlebooks", 0.75, 0.8),
        ],
    )
    assert result.value == "Orbit" and result.reason == "2 sources agree"


def test_manual_value_always_wins_even_with_low_confidence():
    result = resolve(
        "title",
        [
            c("Dune", "manual", 1.0, 0.1),
            c("Dune - Editura Nemira", "googlebooks", 0.75, 1.0),
            c("Dune Messiah", "manual", 1.0, 0.1, at=5.0),
        ],
    )
    assert (result.value, result.source, result.score) == ("Dune Messiah", "manual", 1.0)


def test_empty_values_never_win():
    assert resolve("description", [c("", "openlibrary", 0.8, 1.0), c(None, "googlebooks", 0.7, 1.0)]) is None
    assert resolve(
        "authors",
        [c([], "openlibrary", 0.8, 1.0, field="authors"), c(["Iain M. Banks"], "filename", 0.3, 0.5, field="authors")],
    ).value == ["Iain M. Banks"]


def test_author_lists_agree_regardless_of_order_and_spelling():
    result = resolve(
        "authors",
        [
            c(["Max Gladstone", "Amal El-Mohtar"], "openlibrary", 0.8, 0.8, field="authors"),
            c(["El-Mohtar, Amal", "Gladstone, Max"], "opf", 0.85, 0.7, field="authors"),
            c(["Someone Else"], "googlebooks", 0.75, 0.9, field="authors"),
        ],
    )
    assert set(result.agreeing) == {"openlibrary", "opf"}


def record(provider, ext, title, authors=(), isbn13="", **kw):
    return BookRecord(
        provider=provider,
        external_id=ext,
        title=title,
        authors=tuple(AuthorRef(a) for a in authors),
        isbn13=isbn13,
        identifiers=((provider, ext),) + ((("isbn13", isbn13),) if isbn13 else ()),
        **kw,
    )


def test_search_results_group_by_identifier_then_title_and_author():
    records = [
        record("openlibrary", "OL1W", "Use of Weapons", ["Iain M. Banks"], "9780316030571", cover_url="http://c/1"),
        record("googlebooks", "g1", "Use of weapons: a Culture novel", ["Banks, Iain M."]),
        record("googlebooks", "g2", "Use of Weapons (Culture, #3)", ["Iain Banks"], "9780316030571"),
        record("googlebooks", "g3", "Excession", ["Iain M. Banks"]),
    ]
    merged = group_records(records, {"openlibrary": 10, "googlebooks": 20})
    assert len(merged) == 2
    first = merged[0]
    assert first.title == "Use of Weapons" and first.cover_url == "http://c/1"
    assert {s[1] for s in first.sources} == {"OL1W", "g1", "g2"}
    assert merged[1].title == "Excession"


# --- distance ---------------------------------------------------------------------------------------
WEAPONS = record(
    "openlibrary", "OL10426208M", "Use of Weapons", ["Iain M. Banks"], "9780316030571", year=2008, language="en"
)


@pytest.mark.parametrize(
    ("facts", "max_total", "min_total", "worst"),
    [
        (ItemFacts(title="Use of Weapons", authors=("Iain M. Banks",), isbn13="9780316030571"), 0.0, 0.0, None),
        (ItemFacts(title="use of weapons", authors=("Banks, Iain M.",), year=2008), 0.02, 0.0, None),
        (ItemFacts(title="Use of Weapons (Culture, #3)", authors=("Iain M. Banks",)), 0.02, 0.0, None),
        (ItemFacts(title="Use of Weapons", authors=("Iain Banks",), year=1990), 0.2, 0.05, "year"),
        (ItemFacts(title="Use of Weapons", authors=("Iain M. Banks",), language="fr"), 0.15, 0.05, "language"),
        (ItemFacts(title="Use of Weapons", isbn13="9780000000002"), 0.8, 0.5, "identifier"),
        (ItemFacts(title="Consider Phlebas", authors=("Iain M. Banks",)), 0.6, 0.2, "title"),
        (ItemFacts(title="Use of Weapons", authors=("Stephen King",)), 0.7, 0.2, "authors"),
    ],
)
def test_distance_cases(facts, max_total, min_total, worst):
    d = distance(facts, WEAPONS)
    assert min_total <= d.total <= max_total, d
    if worst:
        assert max(d.penalties, key=lambda k: d.penalties[k]["penalty"] * d.penalties[k]["weight"]) == worst
        assert d.explain()[0].startswith(worst)


def test_comic_issue_number_and_format_penalties():
    issue = BookRecord(
        provider="comicvine",
        external_id="4000-1",
        title="Anda's Game",
        kind="comic",
        series="Cory Doctorow's Futuristic Tales of the Here and Now",
        series_index=1.0,
        issue_number="1",
    )
    same = distance(ItemFacts(kind="comic", title="Anda's Game", issue_number="001"), issue)
    other = distance(ItemFacts(kind="comic", title="Anda's Game", issue_number="2"), issue)
    book = distance(ItemFacts(kind="ebook", title="Anda's Game"), issue)
    assert (
        same.total == 0.0 and other.penalties["issue"]["penalty"] == 1.0 and book.penalties["format"]["penalty"] == 1.0
    )


def test_audiobook_duration_and_narrator():
    book = BookRecord(provider="x", external_id="1", title="Dune", duration_seconds=76_000, narrators=("Scott Brick",))
    close = distance(
        ItemFacts(kind="audiobook", title="Dune", duration_seconds=75_500, narrators=("Scott Brick",)), book
    )
    far = distance(ItemFacts(kind="audiobook", title="Dune", duration_seconds=40_000, narrators=("Simon Vance",)), book)
    assert (
        close.total < 0.02
        and far.penalties["duration"]["penalty"] == 1.0
        and far.penalties["narrators"]["penalty"] > 0.3
    )


# --- recommendation ----------------------------------------------------------------------------------
def test_same_isbn_is_strong():
    decision = decide(ItemFacts(title="Use of Weapons", isbn13="9780316030571"), [WEAPONS])
    assert decision.recommendation is Recommendation.STRONG


def test_isbn_mismatch_caps_confidence_and_is_never_strong():
    dune = record("googlebooks", "kL", "Dune", ["Frank Herbert"], "9786067580648")
    decision = decide(ItemFacts(title="Dune", authors=("Frank Herbert",), isbn13="9786064312617"), [dune])
    assert decision.recommendation is Recommendation.MEDIUM
    assert decision.best.distance.confidence <= 0.5


def test_close_runner_up_makes_it_medium():
    a = record("openlibrary", "1", "The Hobbit", ["J.R.R. Tolkien"], year=1937)
    b = record("googlebooks", "2", "The Hobbit", ["J. R. R. Tolkien"], year=1937)
    decision = decide(ItemFacts(title="The Hobbit", authors=("Tolkien, J.R.R.",), year=1937), [a, b])
    assert decision.recommendation is Recommendation.MEDIUM and "runner-up" in decision.reason


@pytest.mark.parametrize(
    ("title", "authors", "year", "expected"),
    [
        ("Use of Weapons", ("Iain M. Banks",), 2008, Recommendation.STRONG),
        ("Use of Weapons: A Culture Novel", ("Iain Banks",), 2005, Recommendation.MEDIUM),
        ("Weapons", ("Banks",), 2008, Recommendation.LOW),
    ],
)
def test_thresholds_split_strong_medium_low(title, authors, year, expected):
    decision = decide(ItemFacts(title=title, authors=authors, year=year), [WEAPONS], Thresholds(0.05, 0.2))
    assert decision.recommendation is expected


def test_no_candidates_is_none():
    assert decide(ItemFacts(title="x"), []).recommendation is Recommendation.NONE
