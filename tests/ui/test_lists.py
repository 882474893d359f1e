"""Issue 20, defect 8: lists with page numbers and totals, sortable headers, one Status default,
the series list's completion as the series page counts it, series and author lists with search
and images, and the library's bulk actions through their API operations."""

from __future__ import annotations

import re

import pytest
from django.http import QueryDict
from django.test import Client

from media.models import MediaItem, RecycleEntry
from search.models import ResolvedField
from tests.ui.factories import make_item

pytestmark = pytest.mark.django_db


def _options(html: str, select_id: str) -> list[str]:
    select = re.search(rf'<select id="{select_id}".*?</select>', html, re.S).group(0)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


def test_the_status_filter_has_no_two_options_that_read_the_same(admin_client):
    labels = [re.sub(r" \((about )?[\d,]+\)$", "", label) for label in  # without the facet counts
              _options(admin_client.get("/library/").content.decode(), "f-status")]
    plain = [re.sub(r"\b(the|a)\b|\s+", "", label.lower()) for label in labels]
    assert len(plain) == len(set(plain)), labels
    assert "In library" in labels


@pytest.mark.parametrize(
    ("page", "total", "has_next", "estimated", "numbers"),
    [
        (1, 20, False, False, (1,)),
        (1, 500, True, False, (1, 2, 3, None, 10)),
        (6, 500, True, False, (1, None, 4, 5, 6, 7, 8, None, 10)),
        (10, 500, False, False, (1, None, 8, 9, 10)),
        (4, 5000, True, True, (1, 2, 3, 4, 5)),  # an estimate: no last page to link to
    ],
)
def test_page_numbers(page, total, has_next, estimated, numbers):
    from core.lists import pager

    found = pager(QueryDict("q=x&page=3"), page=page, page_size=50, total=total, has_next=has_next, estimated=estimated)
    assert found.numbers == numbers and found.query == "q=x"


def test_library_pages_show_numbers_a_total_and_sortable_headers(admin_client):
    for n in range(120):
        make_item(f"Book {n:03}", authors=["Anon"], year=1900 + n)
    html = admin_client.get("/library/", {"view": "table", "page": 2}).content.decode()
    assert "51\N{EN DASH}100 of 120 books" in html
    assert 'aria-label="Page 3"' in html and 'aria-current="page" href="?view=table&amp;page=2"' in html
    assert re.search(
        r'<th scope="col" aria-sort="ascending"><a class="sort-link" href="\?view=table&amp;'
        r'sort=title&amp;order=desc">Title',
        html,
    )
    year_link = re.search(r'href="(\?[^"]*sort=year[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "order=desc" in year_link and "page" not in year_link  # newest first, back to page 1
    by_year = admin_client.get("/library/" + year_link).content.decode()
    assert by_year.index("Book 119") < by_year.index("Book 118")
    assert 'aria-sort="descending"' in by_year


def test_the_series_list_counts_gaps_as_the_series_page_does(admin_client):
    book = make_item("Fifth", series="Cycle", index=5, status="in_library")
    listing = admin_client.get("/series/").content.decode()
    page = admin_client.get(f"/series/{book.series_id}/").content.decode()
    assert "missing positions: 1\N{EN DASH}4" in listing
    assert 'missing positions: <strong class="warning">1\N{EN DASH}4</strong>' in page


def test_series_and_author_lists_search_and_show_images(admin_client):
    make_item("Dune", authors=["Frank Herbert"], series="Dune", index=1, cover_path="covers/dune.jpg")
    make_item("Mort", authors=["Terry Pratchett"], series="Discworld", index=4)
    series = admin_client.get("/series/", {"q": "disc"}).content.decode()
    assert "Discworld" in series and ">Dune<" not in series and "1 series" in series
    assert 'class="initials"' in series  # Discworld has no cover: its initial
    assert "/thumb" in admin_client.get("/series/", {"q": "dune"}).content.decode()
    authors = admin_client.get("/authors/", {"q": "pratch"}).content.decode()
    assert "Pratchett, Terry" in authors and "Herbert" not in authors
    assert '<span class="initials" aria-hidden="true">TP</span>' in authors
    by_books = admin_client.get("/authors/", {"sort": "books", "order": "desc"}).content.decode()
    assert 'aria-sort="descending"' in by_books


def test_bulk_edit_previews_then_sets_one_field_on_many_books(admin_client):
    books = [make_item(f"Book {n}", publisher="Old" if n else "New") for n in range(3)]
    ids = [b.pk for b in books]
    body = {"item_ids": ids, "field": "publisher", "value": "New", "dry_run": True}
    preview = admin_client.post("/api/media/bulk-edit", body, content_type="application/json").json()["data"]
    assert (preview["selected"], preview["would_change"], preview["unchanged"], preview["changed"]) == (3, 2, 1, 0)
    assert MediaItem.objects.filter(publisher="New").count() == 1  # a preview writes nothing
    body["dry_run"] = False
    done = admin_client.post("/api/media/bulk-edit", body, content_type="application/json").json()["data"]
    assert done["changed"] == 2 and MediaItem.objects.filter(publisher="New").count() == 3
    assert ResolvedField.objects.filter(field="publisher", locked=True).count() == 2


def test_bulk_edit_refuses_bad_input_and_changes_nothing(admin_client):
    book = make_item("Book", publisher="Old")
    bad_field = {"item_ids": [book.pk], "field": "cover", "value": "x"}
    response = admin_client.post("/api/media/bulk-edit", bad_field, content_type="application/json")
    assert response.status_code == 422 and "cannot be edited" in response.json()["error"]
    missing = {"item_ids": [book.pk, 999_999], "field": "publisher", "value": "New"}
    assert admin_client.post("/api/media/bulk-edit", missing, content_type="application/json").status_code == 404
    assert MediaItem.objects.get(pk=book.pk).publisher == "Old"


def test_bulk_delete_moves_each_book_to_the_recycle_bin(admin_client, settings, tmp_path):
    settings.RECYCLE_DIR = str(tmp_path / "recycle")
    file = tmp_path / "lib" / "a.epub"
    file.parent.mkdir()
    file.write_bytes(b"epub")
    keep, gone = make_item("Keep"), make_item("Gone", files=[("epub", 4)])
    gone.files.update(path=str(file))
    answer = admin_client.post(
        "/api/library/items/delete", {"item_ids": [gone.pk, 999_999]}, content_type="application/json"
    ).json()["data"]
    assert [e["item_id_was"] for e in answer["recycled"]] == [gone.pk]
    assert answer["failed"][0]["id"] == 999_999
    assert not file.exists() and list((tmp_path / "recycle").rglob("*.epub"))
    assert list(MediaItem.objects.values_list("pk", flat=True)) == [keep.pk]
    assert RecycleEntry.objects.get().item_id_was == gone.pk


def test_bulk_operations_are_for_admins(reader_client):
    body = {"item_ids": [1], "field": "publisher", "value": "x"}
    assert reader_client.post("/api/media/bulk-edit", body, content_type="application/json").status_code == 403
    assert (
        reader_client.post("/api/library/items/delete", {"item_ids": [1]}, content_type="application/json").status_code
        == 403
    )


def test_the_library_offers_readers_only_the_shelf_bulk_action(admin_client, reader_user):
    make_item("Dune")
    admin_page = admin_client.get("/library/").content.decode()
    assert 'id="bulk-form"' in admin_page and 'value="delete"' in admin_page and 'value="shelf"' in admin_page
    reader = Client()
    reader.force_login(reader_user)
    page = reader.get("/library/").content.decode()
    assert 'id="bulk-form"' in page and 'value="shelf"' in page  # their own shelves
    assert 'value="delete"' not in page and 'value="edit"' not in page and 'id="bulk-field"' not in page
