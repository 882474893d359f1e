"""Library search on the real database engine (SQLite FTS5 or PostgreSQL full-text,
whichever the test run uses): matching, ranking, filters, index sync."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from media import search_index
from media.models import LibraryFile, MediaItem, SearchDocument
from media.search import SearchFilters, SearchRequest, run
from tests.conftest import run_queued_jobs
from tests.ui.factories import make_item

pytestmark = pytest.mark.django_db


def titles(q="", **kwargs):
    filters = kwargs.pop("filters", SearchFilters())
    outcome = run(SearchRequest(q=q, filters=filters, **kwargs))
    return [MediaItem.objects.get(pk=i).title for i in outcome.ids]


@pytest.fixture
def shelf():
    return {
        "dune": make_item(
            "Dune",
            authors=["Frank Herbert"],
            series="Dune",
            index=1,
            year=1965,
            isbn13="9780441013593",
            files=[("epub", 1_000_000)],
            tags=["Science Fiction"],
            description="On the desert planet Arrakis",
            language="en",
            publisher="Chilton",
            cover_path="covers/dune.jpg",
        ),
        "messiah": make_item(
            "Dune Messiah",
            authors=["Frank Herbert"],
            series="Dune",
            index=2,
            year=1969,
            files=[("pdf", 5_000_000)],
            language="en",
        ),
        "miserables": make_item(
            "Les Misérables",
            authors=["Victor Hugo"],
            language="fr",
            year=1862,
            files=[("epub", 3_000_000, "missing")],
        ),
        "left": make_item(
            "The Left Hand of Darkness",
            authors=["Ursula K. Le Guin"],
            year=1969,
            files=[("mobi", 800_000)],
            tags=["Science Fiction"],
        ),
        "dunes": make_item("Sand Dunes of the World", authors=["A. Geographer"], year=2001, kind="comic"),
        "wanted": make_item("Dune Wanted Copy", authors=["Frank Herbert"], status="wanted"),
    }


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("dune", ["Dune", "Dune Messiah", "Sand Dunes of the World"]),
        ("DUNE messiah", ["Dune Messiah"]),
        ("miserables", ["Les Misérables"]),
        ("MISÉRABLES", ["Les Misérables"]),
        ("misér", ["Les Misérables"]),
        ("hugo OR guin", ["Les Misérables", "The Left Hand of Darkness"]),
        ("dune NOT messiah", ["Dune", "Sand Dunes of the World"]),
        ("dune -messiah -sand", ["Dune"]),
        ('"left hand"', ["The Left Hand of Darkness"]),
        ('"hand left"', []),
        ("author:herbert", ["Dune", "Dune Messiah"]),
        ("author:dune", []),
        ("series:dune", ["Dune", "Dune Messiah"]),
        ("isbn:978-0-441-01359-3", ["Dune"]),
        ("isbn:0441013597", ["Dune"]),
        ("arrakis", ["Dune"]),
        ("chilton", ["Dune"]),
        ("tag:fiction", ["Dune", "The Left Hand of Darkness"]),
        ("d?ne", ["Dune", "Dune Messiah"]),
        ("l*ft", ["The Left Hand of Darkness"]),
        ("herb*", ["Dune", "Dune Messiah"]),
    ],
)
def test_full_text_matches(shelf, q, expected):
    assert sorted(titles(q)) == sorted(expected)


def test_exact_title_match_ranks_first(shelf):
    assert titles("dune")[0] == "Dune"
    assert titles("dune messiah")[0] == "Dune Messiah"


@pytest.mark.parametrize(
    ("q", "corrected"), [("dnue", "dune"), ("herbrt", "herbert"), ("miserabels", "miserables")]
)
def test_typos_are_corrected_from_the_vocabulary(shelf, q, corrected):
    outcome = run(SearchRequest(q=q))
    assert corrected in outcome.corrections[q]
    assert outcome.ids


def test_no_results_gives_suggestions(shelf):
    outcome = run(SearchRequest(q="dune zebra", filters=SearchFilters(language="fr")))
    assert outcome.ids == ()
    labels = [s.label for s in outcome.suggestions]
    assert "Search without filters" in labels and "Match any of the words" in labels


def test_regex_search_and_fallback_on_invalid_pattern(shelf):
    assert titles("^dune m", regex=True) == ["Dune Messiah"]
    assert titles("h[uü]go$", regex=True) == ["Les Misérables"]
    outcome = run(SearchRequest(q="dune[", regex=True))
    assert outcome.mode == "fulltext" and "Not a valid regular expression" in outcome.notices[0]
    assert outcome.ids


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (SearchFilters(formats=("epub",)), ["Dune", "Les Misérables"]),
        (SearchFilters(language="fr"), ["Les Misérables"]),
        (SearchFilters(genre="science fiction"), ["Dune", "The Left Hand of Darkness"]),
        (SearchFilters(year_min=1960, year_max=1969), ["Dune", "Dune Messiah", "The Left Hand of Darkness"]),
        (SearchFilters(size_min=2_000_000), ["Dune Messiah"]),
        (SearchFilters(size_max=900_000, size_min=1), ["The Left Hand of Darkness"]),
        (SearchFilters(has_cover=True), ["Dune"]),
        (SearchFilters(has_series=True), ["Dune", "Dune Messiah"]),
        (SearchFilters(has_series=False, kind="comic"), ["Sand Dunes of the World"]),
        (SearchFilters(missing_files=True), ["Les Misérables"]),
        (SearchFilters(statuses=("wanted",)), ["Dune Wanted Copy"]),
        (SearchFilters(completeness_min=100), ["Dune"]),
        (SearchFilters(completeness_max=40), ["The Left Hand of Darkness", "Sand Dunes of the World"]),
    ],
)
def test_filters_apply_to_listing(shelf, filters, expected):
    assert sorted(titles(filters=filters)) == sorted(expected)


def test_filters_combine_with_full_text(shelf):
    assert titles("dune", filters=SearchFilters(formats=("pdf",))) == ["Dune Messiah"]
    assert titles("dune", filters=SearchFilters(kind="comic")) == ["Sand Dunes of the World"]


@pytest.mark.parametrize(
    ("sort", "first"),
    [
        ("title", "Dune"),
        ("author", "Sand Dunes of the World"),
        ("year", "Sand Dunes of the World"),
        ("size", "Dune Messiah"),
        ("added", "Sand Dunes of the World"),
        ("series", "Dune"),
    ],
)
def test_listing_sorts(shelf, sort, first):
    assert titles(sort=sort)[0] == first


def test_pages_know_whether_more_follow_without_counting(shelf):
    first = run(SearchRequest(page_size=2))
    last = run(SearchRequest(page_size=2, page=3))
    assert first.has_next and len(first.ids) == 2
    assert not last.has_next and len(last.ids) == 1


def test_index_follows_edits_renames_and_deletes(shelf):
    item = shelf["left"]
    item.title = "Winter on Gethen"
    item.save()
    assert titles("gethen") == ["Winter on Gethen"] and titles('"left hand"') == []
    author = item.contributions.get().author
    author.name = "Ursula Le Guin Renamed"
    author.save()
    assert titles("renamed") == ["Winter on Gethen"]
    LibraryFile.objects.filter(item=item).delete()
    assert SearchDocument.objects.get(item=item).total_size == 0
    item.delete()
    assert titles("gethen") == []


def test_deferred_reindexes_once_at_the_end(shelf):
    with search_index.deferred():
        item = make_item("Foundation", authors=["Isaac Asimov"])
        assert not SearchDocument.objects.filter(item=item).exists()
    assert titles("asimov") == ["Foundation"]


def test_rebuild_command_restores_a_wiped_index(shelf):
    SearchDocument.objects.all().delete()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM media_search_fts")
    assert titles("dune") == []
    call_command("rebuild_search_index", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert titles("dune")[0] == "Dune"
    assert titles("dnue")[0] == "Dune"


@pytest.mark.django_db(transaction=True)
def test_rebuild_job_runs_on_a_worker(broker, worker, admin_user):
    from core.jobs import submit_job
    from core.models import Job, JobState

    make_item("Foundation", authors=["Isaac Asimov"])
    SearchDocument.objects.all().delete()
    job = submit_job("media.rebuild_search_index", user=admin_user)
    run_queued_jobs(broker, worker)
    job = Job.objects.get(pk=job.pk)
    assert job.state == JobState.SUCCEEDED and job.result == {"indexed": 1}
    assert titles("asimov") == ["Foundation"]
