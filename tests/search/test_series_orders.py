"""Series as first-class objects (issue 24, spec §5): publication and chronological order with
decimal and negative positions, conflicts flagged with a fix (same position, authors who
disagree unless the series is a shared universe), and same-name series kept apart."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from media.models import MediaItem, Series
from scanning.extractors.common import parse_number
from search.services.apply import apply_value
from search.services.catalogue import get_or_create_series
from tests.ui.factories import make_item

pytestmark = pytest.mark.django_db


def _set_series(client, item, value):
    reply = client.post(f"/api/media/{item.pk}/fields/series", {"value": value}, content_type="application/json")
    assert reply.status_code == 200, reply.content
    return MediaItem.objects.get(pk=item.pk)


def _order(page: str, titles: list[str]) -> list[str]:
    return sorted(titles, key=lambda t: page.index(f">{t}</a>"))


def test_decimal_and_negative_positions_in_both_orders(admin_client):
    books = {t: make_item(t, authors=["Frank Herbert"]) for t in ("Dune", "Prequel", "Interlude", "Messiah")}
    # (publication, chronological): the prequel came out later but happens first
    for title, index, chrono in (("Dune", "1", "1"), ("Prequel", "-1", "-1"), ("Interlude", "1.5", "0.5"),
                                 ("Messiah", "2", None)):
        books[title] = _set_series(admin_client, books[title], {"name": "Dune", "index": index, "chrono": chrono})
    assert books["Prequel"].series_index == Decimal("-1") and books["Interlude"].series_chrono_index == Decimal("0.5")
    assert books["Messiah"].series_chrono_index is None
    series_id = books["Dune"].series_id
    publication = admin_client.get(f"/series/{series_id}/").content.decode()
    assert _order(publication, list(books)) == ["Prequel", "Dune", "Interlude", "Messiah"]
    assert 'aria-current="true">Publication order' in publication and ">-1<" in publication
    chronological = admin_client.get(f"/series/{series_id}/?order=chronological").content.decode()
    assert _order(chronological, list(books)) == ["Prequel", "Interlude", "Dune", "Messiah"]  # no position: last
    assert 'aria-current="true">Chronological order' in chronological and ">0.5<" in chronological
    # a source's value (no "chrono") keeps the chronological position; the book page can edit it
    apply_value(books["Interlude"], "series", {"name": "Dune", "index": 1.5})
    assert MediaItem.objects.get(pk=books["Interlude"].pk).series_chrono_index == Decimal("0.5")
    assert 'id="field-series-chrono" name="series_chrono" value="0.5"' in admin_client.get(
        f"/library/{books['Interlude'].pk}/").content.decode()
    bad = admin_client.post(f"/api/media/{books['Dune'].pk}/fields/series",
                            {"value": {"name": "Dune", "index": 1, "chrono": "first"}}, content_type="application/json")
    assert bad.status_code == 422 and "-1" in bad.json()["error"]


def test_embedded_metadata_keeps_a_negative_series_position():
    assert parse_number("-1") == -1.0 and parse_number("0,5") == 0.5 and parse_number("abc") is None


def test_two_books_at_the_same_position_are_flagged_with_a_fix(admin_client):
    for title, index in (("Dune", "1"), ("Dune Messiah", "2"), ("Dune (Deluxe)", "2")):
        _set_series(admin_client, make_item(title, authors=["Frank Herbert"]), {"name": "Dune", "index": index})
    page = admin_client.get(f"/series/{Series.objects.get().pk}/").content.decode()
    assert 'id="series-conflicts"' in page
    assert "Dune (Deluxe) and Dune Messiah are both #2: one of them is probably #2.5" in page


def test_authors_who_disagree_are_flagged_unless_the_series_is_a_shared_universe(admin_client, reader_user):
    reader_client = Client()
    reader_client.force_login(reader_user)
    for title, author in (("Foundation", "Isaac Asimov"), ("Foundation and Empire", "Isaac Asimov"),
                          ("Foundation's Fear", "Gregory Benford")):
        _set_series(admin_client, make_item(title, authors=[author]), {"name": "Foundation", "index": None})
    series = Series.objects.get()
    url = f"/series/{series.pk}/"
    page = admin_client.get(url).content.decode()
    assert "Foundation&#x27;s Fear is by Gregory Benford, not by the series&#x27; author (Isaac Asimov)" in page
    assert "series-shared" in page
    api = f"/api/series/{series.pk}/shared-universe"
    assert reader_client.post(api, {"shared_universe": True}, content_type="application/json").status_code == 403
    reply = admin_client.post(api, {"shared_universe": True}, content_type="application/json")
    assert reply.status_code == 200 and reply.json()["data"]["shared_universe"] is True
    page = admin_client.get(url).content.decode()
    assert "Gregory Benford, not by" not in page and 'id="shared-universe"' in page
    admin_client.post(api, {"shared_universe": False}, content_type="application/json")
    assert "Gregory Benford, not by" in admin_client.get(url).content.decode()


def test_same_name_series_are_kept_apart_on_confirmation_and_listed_with_authors_and_years(admin_client):
    asimov = [make_item(t, authors=["Isaac Asimov"], year=y)
              for t, y in (("Foundation", 1951), ("Foundation's Edge", 1982), ("Foundation and Earth", 1986))]
    for book in asimov:
        _set_series(admin_client, book, {"name": "Foundation", "index": None})
    reboot = _set_series(admin_client, make_item("Foundation Reborn", authors=["Ann Roe"], year=2020),
                         {"name": "Foundation (reboot)", "index": 1})
    url = f"/api/series/{reboot.series_id}/rename"
    refused = admin_client.post(url, {"name": "Foundation"}, content_type="application/json")
    assert refused.status_code == 409 and "keep them apart" in refused.json()["hint"]
    assert Series.objects.count() == 2  # nothing merged without confirmation
    kept = admin_client.post(url, {"name": "Foundation", "keep_apart": True}, content_type="application/json")
    assert kept.status_code == 200 and kept.json()["data"]["id"] == reboot.series_id
    assert sorted(Series.objects.values_list("title", flat=True)) == ["Foundation", "Foundation"]
    listing = admin_client.get("/series/").content.decode()
    assert "(Isaac Asimov, 1951\N{EN DASH}1986)" in listing and "(Ann Roe, 2020)" in listing
    # a book names the series: it joins the one of its author, not the first of that name
    sequel = make_item("Foundation Returns", authors=["Ann Roe"])
    assert get_or_create_series("Foundation", "ebook", item=sequel).pk == reboot.series_id
    first = MediaItem.objects.get(pk=asimov[0].pk)
    assert get_or_create_series("Foundation", "ebook", item=first).pk == first.series_id != reboot.series_id


def test_a_name_without_a_letter_or_digit_is_refused_by_the_schema(admin_client):
    from media.models import Author

    author = Author.objects.create(name="Frank Herbert", sort_name="Herbert, Frank", normalized="frank herbert")
    refused = admin_client.post(f"/api/v1/authors/{author.pk}/rename", {"name": "; "}, content_type="application/json")
    assert refused.status_code == 422 and "name" in refused.json()["error"]
    kept = admin_client.post(f"/api/v1/authors/{author.pk}/rename", {"name": "Фрэнк Герберт"},
                             content_type="application/json")
    assert kept.status_code == 200 and kept.json()["data"]["name"] == "Фрэнк Герберт"
