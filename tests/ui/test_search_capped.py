"""Relevance pages of very common words rank a bounded set of candidates on both engines (SQLite:
FTS5 by rowid; PostgreSQL: a scan of the newest documents, then the RUM index): the newest matches,
the newest title matches and the exact titles. Here the bound is 8 so a small library shows it."""

from __future__ import annotations

import pytest

from media.models import MediaItem
from media.search import SearchFilters, SearchRequest, backends, pg_rum, run
from tests.ui.factories import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[0, 100], ids=["index", "probe"])
def capped(request, monkeypatch):
    """Eight candidates per set; the PostgreSQL probe samples the newest 10 documents and reads
    none (the RUM index answers) or up to 100 a match (enough: the probe answers)."""
    monkeypatch.setattr(backends.SqliteBackend, "CANDIDATES", 8)
    monkeypatch.setattr(backends.PostgresBackend, "CANDIDATES", 8)
    monkeypatch.setattr(pg_rum, "SAMPLE", 10)
    monkeypatch.setattr(pg_rum, "PROBE_PER_MATCH", request.param)
    monkeypatch.setattr(pg_rum, "SINGLE_PER_MATCH", request.param)


@pytest.fixture
def dunes():
    """Three old title matches, then twenty newer books that mention the word in the description."""
    make_item("Dune", authors=["Frank Herbert"], description="the desert planet arrakis", language="en")
    make_item("Children of Dune", authors=["Frank Herbert"], language="fr")
    make_item("Dune Road", authors=["Jane Roe"], language="en")
    for n in range(10, 30):
        language = "fr" if n == 12 else "en"
        make_item(f"Book {n}", authors=["Someone"], description="walking the dune sea", language=language)


def titles(q, **kwargs):
    outcome = run(SearchRequest(q=q, **kwargs))
    return [MediaItem.objects.get(pk=i).title for i in outcome.ids], outcome


def test_a_common_word_ranks_old_title_matches_above_newer_mentions(capped, dunes):
    found, outcome = titles("dune", page_size=5)
    # the exact title, a title starting with the word, a title holding it: then the newest
    # mentions (29 down to 22 are the candidates), in title order
    assert found == ["Dune", "Dune Road", "Children of Dune", "Book 22", "Book 23"]
    assert (outcome.total, outcome.total_estimated) == (23, False)


def test_an_excluded_word_also_excludes_old_title_matches(capped, dunes):
    found, _ = titles("dune -arrakis", page_size=5)
    assert found[:2] == ["Dune Road", "Children of Dune"] and "Dune" not in found


def test_a_filter_that_drops_the_candidates_falls_back_to_every_match(capped, dunes):
    found, outcome = titles("dune", page_size=5, filters=SearchFilters(language="fr"))
    assert found == ["Children of Dune", "Book 12"]  # Book 12 is older than every candidate
    assert outcome.total == 2


def test_a_full_page_reaches_past_the_candidates(capped, dunes):
    found, _ = titles("dune", page_size=50)
    assert len(found) == 23 and found[:4] == ["Dune", "Dune Road", "Children of Dune", "Book 10"]


def test_a_rare_word_is_ranked_among_all_its_matches(capped, dunes):
    found, outcome = titles("arrakis")
    assert found == ["Dune"] and outcome.total == 1


def test_an_excluded_word_does_not_flatten_the_ranking(dunes):
    """PostgreSQL ranked every match of "a & !b" 1e-20 (then by title): title matches sank."""
    found, _ = titles("dune -arrakis", page_size=50)
    assert found[:2] == ["Dune Road", "Children of Dune"] and len(found) == 22


def test_a_count_past_a_small_cap_with_a_filter_that_drops_most_is_exact(capped, dunes, monkeypatch):
    from media.search import engine

    monkeypatch.setattr(engine, "COUNT_CAP", 4)
    found, outcome = titles("dune", page_size=1, filters=SearchFilters(language="fr"))
    assert found == ["Children of Dune"] and (outcome.total, outcome.total_estimated) == (2, False)
    found, outcome = titles("dune", page_size=1)
    assert outcome.total_estimated and 20 <= outcome.total <= 26
