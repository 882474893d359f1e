"""Issue 24, search (spec §7): filter counts, regex with a time limit and case, completeness
filters, remembered searches and preferences, and what to relax when nothing matches. All
through the JSON API (/api/v1/library/...) or the library page, on the real database engine."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from media.models import MediaStatus, SearchHistory
from media.search import facets as facets_module
from media.search import patterns
from tests.ui.factories import make_item

pytestmark = pytest.mark.django_db
API = "/api/v1/library"


@pytest.fixture
def books():
    return {
        "dune": make_item(
            "Dune",
            authors=["Frank Herbert"],
            series="Dune",
            index=1,
            year=1965,
            isbn13="9780441013593",
            description="On the desert planet Arrakis",
            language="en",
            files=[("epub", 1000), ("pdf", 2000)],
            cover_path="covers/dune.jpg",
        ),
        "messiah": make_item(
            "Dune Messiah", authors=["Frank Herbert"], series="Dune", index=2, language="en", files=[("epub", 1000)]
        ),
        "misérables": make_item(
            "Les Misérables", authors=["Victor Hugo"], language="fr", files=[("pdf", 10)], description="Paris"
        ),
        "watchmen": make_item("Watchmen", authors=["Alan Moore"], kind="comic", files=[("cbz", 10)]),
        "wanted": make_item("Dune Wanted", status=MediaStatus.WANTED, files=[("epub", 1)]),
    }


def search(client, **params):
    response = client.get(f"{API}/search", params)
    assert response.status_code == 200, response.content
    return response.json()["data"]


def titles(data):
    return [row["title"] for row in data["items"]]


def counts(data, facet):
    return {v["value"]: v["count"] for v in data["facets"][facet]}


# 7. filter counts ---------------------------------------------------------------------------


def test_facets_are_opt_in_and_count_what_each_option_would_give(reader_client, books):
    assert search(reader_client, q="dune")["facets"] is None
    data = search(reader_client, q="dune", format="epub", facets="true")
    assert titles(data) == ["Dune", "Dune Messiah"]
    # the format facet leaves out its own filter: choosing pdf instead would give 1
    assert counts(data, "format") == {"epub": 2, "pdf": 1}
    # the others keep it: both epub matches are ebooks, one has a cover, both are in a series
    assert counts(data, "kind")["ebook"] == 2 and counts(data, "kind")["comic"] == 0
    assert counts(data, "has_cover") == {"true": 1, "false": 1}
    assert counts(data, "has_series") == {"true": 2, "false": 0}
    assert counts(data, "has_isbn") == {"true": 1, "false": 1}
    # status counts every status, the wanted book included (it is not in the default listing)
    assert counts(data, "status")[MediaStatus.WANTED] == 1
    assert counts(data, "status")[MediaStatus.IN_LIBRARY] == 2
    assert not any(v["estimated"] for values in data["facets"].values() for v in values)


def test_facets_of_the_listing_and_of_languages(reader_client, books):
    data = search(reader_client, facets="true")
    assert counts(data, "language") == {"en": 2, "fr": 1}
    assert counts(data, "kind")["comic"] == 1
    assert counts(data, "complete")["false"] == 4


def test_facets_past_the_cap_are_estimated(reader_client, books, monkeypatch):
    monkeypatch.setattr(facets_module, "FACET_CAP", 2)
    data = search(reader_client, facets="true")
    kinds = {v["value"]: v for v in data["facets"]["kind"]}
    assert kinds["ebook"]["estimated"] is True and kinds["ebook"]["count"] >= 1


def test_library_page_shows_counts_next_to_the_options(reader_client, books):
    # asked for (the filter panel's link without JS; the page script fetches the same from the API)
    page = reader_client.get("/library/", {"q": "dune", "counts": "1"}).content.decode()
    assert 'EPUB<span class="facet-count" data-facet="format" data-value="epub"> (2)</span>' in page
    assert "Has a cover (1)</option>" in page and "Missing ISBN (1)</option>" in page
    assert 'Comics<span class="facet-count" data-facet="kind" data-value="comic"> (0)</span>' in page


# 8. regex: fallback, time limit, case ---------------------------------------------------------


def test_regex_case_sensitive_is_an_option_per_query(reader_client, books):
    assert titles(search(reader_client, q="^dune", regex="true")) == ["Dune", "Dune Messiah"]
    assert titles(search(reader_client, q="^dune", regex="true", case_sensitive="true")) == []
    assert titles(search(reader_client, q="^Dune M", regex="true", case_sensitive="true")) == ["Dune Messiah"]
    # case-sensitive reads the own text, accents included; insensitive folds them
    assert titles(search(reader_client, q="Misérables", regex="true", case_sensitive="true")) == ["Les Misérables"]
    assert titles(search(reader_client, q="Herbert$", regex="true", case_sensitive="true")) == ["Dune", "Dune Messiah"]


def test_case_sensitive_words(reader_client, books):
    assert titles(search(reader_client, q="dune messiah")) == ["Dune Messiah"]
    assert titles(search(reader_client, q="dune messiah", case_sensitive="true")) == []
    assert titles(search(reader_client, q="Dune Messiah", case_sensitive="true")) == ["Dune Messiah"]


def test_regex_past_its_time_limit_falls_back_to_literal_search(reader_client, books, monkeypatch):
    monkeypatch.setattr(patterns, "TIME_LIMIT", 0.0)
    data = search(reader_client, q="messiah", regex="true")
    assert data["mode"] == "fulltext" and titles(data) == ["Dune Messiah"]
    assert "took longer than" in data["notices"][0]


def test_invalid_regex_still_falls_back(reader_client, books):
    data = search(reader_client, q="dune[", regex="true")
    assert data["mode"] == "fulltext" and "Not a valid regular expression" in data["notices"][0]


# 9. completeness --------------------------------------------------------------------------------


def test_missing_isbn_no_description_and_completeness_sort(reader_client, books):
    assert titles(search(reader_client, has_isbn="false", kind="ebook", sort="title")) == [
        "Dune Messiah",
        "Les Misérables",
    ]
    assert titles(search(reader_client, has_description="false", sort="title")) == ["Dune Messiah", "Watchmen"]
    by_completeness = titles(search(reader_client, sort="completeness", order="desc"))
    assert by_completeness[0] == "Dune"
    assert titles(search(reader_client, has_cover="false", has_isbn="true")) == []


# 10. remembered searches, recently opened, preferences -------------------------------------------


def test_page_and_api_keep_a_per_user_search_history(client, reader_client, reader_user, books):
    reader_client.get("/library/", {"q": "dune"})
    search(reader_client, q="hugo", remember="true")
    search(reader_client, q="not kept")
    history = reader_client.get(f"{API}/history").json()["data"]
    assert [h["q"] for h in history] == ["hugo", "dune"]
    page = reader_client.get("/library/", {"q": "x"}).content.decode()
    assert '<datalist id="search-history">' in page and '<option value="hugo">' in page
    other = get_user_model().objects.create_user("other", password="pw-other-123")
    client.force_login(other)
    assert client.get(f"{API}/history").json()["data"] == []
    client.force_login(reader_user)
    assert client.delete(f"{API}/history").json()["data"] == {"deleted": 3}


def test_history_keeps_the_last_twenty(reader_client, reader_user, books):
    for n in range(25):
        search(reader_client, q=f"word{n}", remember="true")
    rows = SearchHistory.objects.filter(user=reader_user)
    assert rows.count() == 20 and rows.order_by("-searched_at", "-pk").first().q == "word24"


def test_recently_opened_books_rank_a_little_higher_for_that_user(client, reader_client, reader_user, books):
    alpha = make_item("Star Alpha", files=[("epub", 1)])
    beta = make_item("Star Beta", files=[("epub", 1)])
    assert titles(search(reader_client, q="star")) == ["Star Alpha", "Star Beta"]
    assert reader_client.get(f"/library/{beta.pk}/").status_code == 200
    assert titles(search(reader_client, q="star")) == ["Star Beta", "Star Alpha"]
    assert titles(search(reader_client, q="star")) == ["Star Beta", "Star Alpha"]  # deterministic
    # a title match still wins over a recent book; another user's ranking is untouched
    assert titles(search(reader_client, q="star alpha"))[0] == "Star Alpha"
    other = get_user_model().objects.create_user("other", password="pw-other-123")
    client.force_login(other)
    assert titles(search(client, q="star")) == ["Star Alpha", "Star Beta"]
    assert alpha.pk


def test_sort_view_and_filters_are_kept_across_sessions(client, reader_user, books):
    client.force_login(reader_user)
    client.get("/library/", {"sort": "year", "order": "asc", "view": "table", "format": "epub"})
    client.logout()
    client.force_login(reader_user)
    response = client.get("/library/")
    assert response.status_code == 302
    location = response["Location"]
    assert all(part in location for part in ("sort=year", "order=asc", "view=table", "format=epub"))
    kept = client.get(f"{API}/preferences").json()["data"]
    assert kept == {
        "sort": "year",
        "order": "asc",
        "view": "table",
        "filters": "format=epub",
        "theme": "",
        "page_size": 50,
    }
    changed = client.put(f"{API}/preferences", {"sort": "title", "filters": ""}, content_type="application/json")
    assert changed.json()["data"] == {
        "sort": "title",
        "order": "asc",
        "view": "table",
        "filters": "",
        "theme": "",
        "page_size": 50,
    }
    assert client.put(f"{API}/preferences", {"sort": "bogus"}, content_type="application/json").status_code == 422


# 11. no results: what to relax -----------------------------------------------------------------------


def test_no_results_suggest_a_broader_field(reader_client, books):
    data = search(reader_client, q="title:arrakis")
    assert data["items"] == []
    broader = next(s for s in data["suggestions"] if s["q"] == "arrakis")
    assert broader["label"] == "title: found nothing; “arrakis” anywhere finds 1 book" and broader["total"] == 1


def test_no_results_suggest_dropping_one_filter_with_its_count(reader_client, books):
    data = search(reader_client, q="messiah", format="pdf", language="en")
    assert data["items"] == []
    dropped = {s["drop"]: s for s in data["suggestions"] if s["drop"]}
    assert set(dropped) == {"format"} and dropped["format"]["label"] == "Without the format filter: 1 book"
    page = reader_client.get("/library/", {"q": "messiah", "format": "pdf", "language": "en"}).content.decode()
    assert 'href="?q=messiah&amp;language=en">Without the format filter: 1 book</a>' in page or (
        'href="?language=en&amp;q=messiah">Without the format filter: 1 book</a>' in page
    )
