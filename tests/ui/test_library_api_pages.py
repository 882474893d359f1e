"""Library JSON endpoints and pages: search envelope, export, covers, detail, dashboard."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.conf import settings
from PIL import Image

from core.models import Job, JobState
from tests.ui.factories import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def books():
    covers = settings.DATA_DIR / "covers"
    covers.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (600, 900), (200, 30, 30)).save(covers / "dune.jpg")
    dune = make_item(
        "Dune",
        authors=["Frank Herbert"],
        series="Dune",
        index=1,
        year=1965,
        files=[("epub", 1000)],
        cover_path="covers/dune.jpg",
    )
    other = make_item(
        "Les Misérables", authors=["Victor Hugo"], language="fr", files=[("pdf", 10, "corrupt")]
    )
    return dune, other


def test_search_endpoint_returns_highlighted_rows_in_the_envelope(reader_client, books):
    body = reader_client.get("/api/library/search", {"q": "dune", "format": "epub"}).json()
    assert body["success"] and body["data"]["mode"] == "fulltext"
    row = body["data"]["items"][0]
    assert row["title"] == "Dune" and row["authors"] == ["Frank Herbert"] and row["formats"] == ["epub"]
    assert row["highlights"]["title"] == "<mark>Dune</mark>"
    assert row["cover_url"] == f"/covers/{books[0].pk}/thumb?v={books[0].cover_version}" and row["series_index"] == "1"
    assert body["data"]["has_next"] is False and body["data"]["total"] == len(body["data"]["items"])


def test_search_endpoint_validates_input(reader_client, books):
    response = reader_client.get("/api/library/search", {"sort": "bogus"})
    assert response.status_code == 422 and response.json()["success"] is False
    assert reader_client.get("/api/library/search", {"year_min": "x"}).status_code == 422


def test_search_endpoint_needs_authentication(client, books):
    assert client.get("/api/library/search", {"q": "dune"}).status_code == 401


def test_items_endpoint_lists_and_shows_one(reader_client, books):
    listing = reader_client.get("/api/library/items", {"sort": "title", "order": "desc"}).json()["data"]
    assert [r["title"] for r in listing["items"]] == ["Les Misérables", "Dune"]
    detail = reader_client.get(f"/api/library/items/{books[0].pk}").json()["data"]
    assert detail["files"][0]["format"] == "epub"
    assert {f["name"]: f["value"] for f in detail["fields"]}["authors"] == ["Frank Herbert"]
    assert reader_client.get("/api/library/items/999999").status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_writes_the_result_set(reader_client, books, fmt):
    response = reader_client.get("/api/library/export", {"fmt": fmt, "q": "hugo"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    rows = json.loads(text) if fmt == "json" else list(csv.DictReader(io.StringIO(text)))
    assert [r["title"] for r in rows] == ["Les Misérables"]
    assert rows[0]["authors"] == "Victor Hugo"


def test_library_page_renders_grid_with_lazy_thumbnails_and_tabs(admin_client, books):
    html = admin_client.get("/library/", {"q": "dune"}).content.decode()
    assert 'loading="lazy"' in html and f"/covers/{books[0].pk}/thumb" in html
    assert "<mark>Dune</mark>" in html and 'aria-current="page">All' in html
    table = admin_client.get("/library/", {"view": "table", "kind": "ebook"}).content.decode()
    assert "<table" in table and "Les Misérables" in table


def test_library_page_shows_suggestions_and_ignores_bad_filters(admin_client, books):
    html = admin_client.get("/library/", {"q": "dnue zzzzz", "year_min": "abc"}).content.decode()
    assert "No books match" in html and "Ignored an invalid value for year_min" in html
    assert "Did you mean" in html


def test_cover_views_serve_images_and_refuse_paths_outside_data_dir(admin_client, books):
    full = admin_client.get(f"/covers/{books[0].pk}")
    assert full.status_code == 200 and full["Content-Type"] == "image/jpeg"
    thumb = admin_client.get(f"/covers/{books[0].pk}/thumb")
    image = Image.open(io.BytesIO(b"".join(thumb.streaming_content)))
    assert image.size[0] <= 240 and image.size[1] <= 360
    for bad in ("../../etc/passwd", "/etc/hostname", "covers/../../x.jpg", "covers/missing.jpg"):
        books[1].cover_path = bad
        books[1].save()
        assert admin_client.get(f"/covers/{books[1].pk}").status_code == 404


def test_covers_need_login(client, books):
    assert client.get(f"/covers/{books[0].pk}").status_code == 302


def test_dashboard_shows_counts_recent_and_problems(admin_client, books):
    Job.objects.create(kind="core.selftest", state=JobState.FAILED, last_error="boom")
    html = admin_client.get("/").content.decode()
    assert "Dashboard" in html and "Recently added" in html and "Dune" in html
    assert "failed background jobs" in html and "corrupt files" in html and "boom" in html
    assert 'id="running-jobs"' in html


def test_detail_series_and_author_pages(admin_client, books):
    dune = books[0]
    html = admin_client.get(f"/library/{dune.pk}/").content.decode()
    assert (
        'id="field-title"' in html and "Edit metadata" in html and "Delete to recycle folder" in html
    )
    assert admin_client.get("/library/999999/").status_code == 404
    assert "Dune" in admin_client.get(f"/series/{dune.series_id}/").content.decode()
    author = dune.contributions.get().author
    assert "Dune" in admin_client.get(f"/authors/{author.pk}/").content.decode()
    assert "Herbert, Frank" in admin_client.get("/authors/").content.decode()


def test_reader_sees_detail_read_only(reader_client, books):
    html = reader_client.get(f"/library/{books[0].pk}/").content.decode()
    assert 'id="field-title"' not in html and "Delete to recycle folder" not in html
