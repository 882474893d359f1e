"""Issue 24 item 7, filter counts within the JSON budget: exact for small result sets, "about"
past the sample, bounded in queries and time; the library page counts only when asked."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from media.models import MediaStatus
from media.search import facets as facets_module
from media.search.filters import SearchFilters, filter_sql
from tests.ui.test_search_memory import books, counts, search  # noqa: F401 (books: a fixture)

pytestmark = pytest.mark.django_db
FACET_SQL = "sd.completeness, CASE WHEN"  # the read of the sampled items' facet values


def values(data, facet):
    return {v["value"]: (v["count"], v["estimated"]) for v in data["facets"][facet]}


def test_a_small_result_set_is_exact_while_broad_dimensions_are_about(reader_client, books, monkeypatch):  # noqa: F811
    monkeypatch.setattr(facets_module, "FACET_CAP", 2)  # 4 books in the listing: past the sample
    data = search(reader_client, language="fr", facets="true")
    # the one French book: its own sample holds every match, so the other facets are exact
    assert values(data, "kind")["ebook"] == (1, False) and values(data, "kind")["comic"] == (0, False)
    assert values(data, "format") == {"pdf": (1, False)}
    # the language facet leaves its own filter out: 4 books, more than the sample, so "about"
    assert values(data, "language")["fr"][1] and values(data, "language")["en"][1]


def test_past_the_time_budget_a_rare_dimension_is_estimated(reader_client, books, monkeypatch):  # noqa: F811
    monkeypatch.setattr(facets_module, "FACET_CAP", 2)
    asked = {"language": "fr", "format": "pdf", "facets": "true"}
    # the format facet drops its own filter: French books, too rare among the broad sample's
    # newest three to estimate, so sampled on their own: exact
    assert values(search(reader_client, **asked), "format") == {"pdf": (1, False)}
    monkeypatch.setattr(facets_module, "EXACT_BUDGET", 0.0)
    data = search(reader_client, **asked)
    # no time left: the one French book among the newest three is extrapolated to "about 2"
    assert values(data, "format") == {"pdf": (2, True)}
    # the search's own matches were all read by its count: exact without another look-up
    assert values(data, "kind")["ebook"] == (1, False)
    assert [row["title"] for row in data["items"]] == ["Les Misérables"]


def test_counts_from_one_sample_agree_with_each_filter_applied(reader_client, books):  # noqa: F811
    data = search(reader_client, format="epub", has_cover="false", facets="true")
    # each number is what choosing that option (keeping the other filter) finds
    for facet, param, value in [
        ("format", "format", "pdf"),
        ("has_cover", "has_cover", "true"),
        ("kind", "kind", "ebook"),
        ("has_series", "has_series", "true"),
    ]:
        filters = {"format": "epub", "has_cover": "false", param: value}
        assert counts(data, facet)[value] == search(reader_client, **filters)["total"], facet


def test_facets_cost_a_few_queries_not_one_per_facet(reader_client, books):  # noqa: F811
    with CaptureQueriesContext(connection) as plain:
        search(reader_client, q="dune")
    with CaptureQueriesContext(connection) as counted:
        search(reader_client, q="dune", facets="true")
    # one sample, its items' rows, their files' formats (under the cap: no estimate needed)
    assert len(counted) - len(plain) <= 3


def test_every_status_asked_adds_no_status_clause():
    # an IN over every status made SQLite sort the whole library by the status index
    where, _ = filter_sql(SearchFilters(statuses=tuple(MediaStatus.values)))
    assert not [clause for clause in where if "status" in clause]
    where, _ = filter_sql(SearchFilters())
    assert [clause for clause in where if "m.status NOT IN" in clause]


def test_the_library_page_counts_only_when_asked(reader_client, books):  # noqa: F811
    with CaptureQueriesContext(connection) as queries:
        page = reader_client.get("/library/", {"q": "dune"}).content.decode()
    assert not [q for q in queries if FACET_SQL in q["sql"]]
    assert 'EPUB<span class="facet-count" data-facet="format" data-value="epub"></span>' in page
    # the panel's link: the page again with counts (without JS), or the API search (the script's)
    assert '<a id="show-counts" href="?q=dune&amp;counts=1"' in page
    assert 'data-url="/api/v1/library/search?q=dune&amp;facets=true&amp;page_size=1"' in page
    with CaptureQueriesContext(connection) as queries:
        page = reader_client.get("/library/", {"q": "dune", "counts": "1"}).content.decode()
    assert [q for q in queries if FACET_SQL in q["sql"]]
    assert 'data-value="epub"> (2)</span>' in page and 'id="show-counts"' not in page


def test_the_scripts_api_address_carries_the_pages_filters(reader_client, books):  # noqa: F811
    page = reader_client.get("/library/", {"q": "dune", "format": "epub", "size_min_mb": "1", "complete": "no"})
    address = page.content.decode().split('data-url="')[1].split('"')[0].replace("&amp;", "&")
    data = reader_client.get(address).json()["data"]
    assert data["page_size"] == 1 and data["facets"] is not None
    # the same filters as the page: sizes in bytes, "incomplete" as a completeness bound
    assert "size_min=1048576" in address and "completeness_max=99" in address and "format=epub" in address
