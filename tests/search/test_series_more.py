"""Series, continued (issue 24, spec §5 items 4-6): omnibus editions at several positions and in
several series (the gaps count a 1-3 omnibus as 1, 2 and 3), series description, genres books
inherit, cover chosen from a book, completion and per-user reading progress, and every series
change in a history that can revert it, without moving a file."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

from media.covers import store_image
from media.models import LibraryFile, MediaItem, Series, SeriesChange, SeriesMembership
from reading.models import ReadingProgress, ReadingStatus
from tests.ui.factories import make_item

pytestmark = pytest.mark.django_db


def _series(admin_client, books: dict[str, str], name: str = "Foundation") -> int:
    """Books (title: position) in one series through the API; the series' id."""
    for title, index in books.items():
        item = MediaItem.objects.get(title=title) if MediaItem.objects.filter(title=title).exists() else \
            make_item(title, authors=["Isaac Asimov"])
        reply = admin_client.post(f"/api/media/{item.pk}/fields/series", {"value": {"name": name, "index": index}},
                                  content_type="application/json")
        assert reply.status_code == 200, reply.content
    return Series.objects.get(title=name).pk


def _add(admin_client, series_id: int, item: MediaItem, position, end=None):
    return admin_client.post(f"/api/series/{series_id}/memberships",
                             {"item_id": item.pk, "position": position, "position_end": end},
                             content_type="application/json")


def test_an_omnibus_covers_its_range_and_shows_in_each_series(admin_client):
    series_id = _series(admin_client, {"Foundation's Edge": "4", "Foundation and Earth": "5"})
    page = admin_client.get(f"/series/{series_id}/").content.decode()
    assert "missing positions" in page  # 1, 2 and 3 are missing
    omnibus = make_item("The Foundation Trilogy", authors=["Isaac Asimov"])
    reply = _add(admin_client, series_id, omnibus, 1, 3)
    assert reply.status_code == 201, reply.content
    omnibus.refresh_from_db()
    assert omnibus.series_id == series_id and omnibus.series_index == Decimal("1")  # primary, kept in step
    page = admin_client.get(f"/series/{series_id}/").content.decode()
    assert "missing positions" not in page and "1\N{EN DASH}3" in page and "3 of 3 known" in page
    listing = admin_client.get("/series/?q=Foundation").content.decode()
    assert "3 of 3 known in the library" in listing and "missing positions" not in listing  # the same count
    # the same omnibus in a second series (the wider universe), at position 7
    robots = _series(admin_client, {"I, Robot": "1"}, name="Robot and Empire")
    assert _add(admin_client, robots, omnibus, 7).status_code == 201
    page = admin_client.get(f"/series/{robots}/").content.decode()
    assert ">The Foundation Trilogy</a>" in page and "missing positions" in page  # 2-6 missing
    omnibus.refresh_from_db()
    assert omnibus.series_id == series_id  # its primary series did not change
    # removing the extra membership: the book leaves that series only
    row = SeriesMembership.objects.get(item=omnibus, series_id=robots)
    assert admin_client.delete(f"/api/series/{robots}/memberships/{row.pk}").status_code == 200
    assert ">The Foundation Trilogy</a>" not in admin_client.get(f"/series/{robots}/").content.decode()
    assert MediaItem.objects.get(pk=omnibus.pk).series_id == series_id


def test_membership_input_is_validated_and_admin_only(admin_client, reader_user, client):
    series_id = _series(admin_client, {"Foundation": "1"})
    item = MediaItem.objects.get(title="Foundation")
    assert _add(admin_client, series_id, item, 3, 2).status_code == 422  # a range ends after it starts
    assert _add(admin_client, series_id, item, 1e12).status_code == 422
    assert _add(admin_client, series_id, item, 1).status_code == 409  # already there
    assert admin_client.post(f"/api/series/{series_id}/memberships", {"item_id": 999999, "position": 1},
                             content_type="application/json").status_code == 404
    client.force_login(reader_user)
    assert _add(client, series_id, item, 2).status_code == 403


def test_series_metadata_genres_inherited_cover_and_progress(admin_client, admin_user):
    series_id = _series(admin_client, {"Foundation": "1", "Foundation and Empire": "2"})
    first = MediaItem.objects.get(title="Foundation")
    reply = admin_client.patch(f"/api/series/{series_id}", {"description": "Psychohistory saves the galaxy.",
                                                            "genres": ["Science fiction", "science fiction", "Epic"],
                                                            "cover_item_id": first.pk},
                               content_type="application/json")
    assert reply.status_code == 200, reply.content
    assert reply.json()["data"]["genres"] == ["Science fiction", "Epic"]
    other = make_item("Unrelated", authors=["Somebody"])
    assert admin_client.patch(f"/api/series/{series_id}", {"cover_item_id": other.pk},
                              content_type="application/json").status_code == 422  # not one of its books
    book = admin_client.get(f"/library/{first.pk}/").content.decode()
    assert "Genres (from the series)" in book and "Science fiction, Epic" in book
    assert not first.tags.exists()  # shown, not written into the book
    ReadingProgress.objects.create(user=admin_user, item=first, status=ReadingStatus.READ, percent=100)
    MediaItem.objects.filter(pk=first.pk).update(cover_path="covers/ab/abcdef.jpg")
    page = admin_client.get(f"/series/{series_id}/").content.decode()
    assert "Psychohistory saves the galaxy." in page and 'id="series-cover"' in page
    assert f"/covers/{first.pk}/thumb" in page
    assert "2 of 2 known books" in page and "1 of 2 read" in page


def test_every_series_change_is_in_the_history_and_reverts(admin_client):
    series_id = _series(admin_client, {"Foundation": "1"})
    other_id = _series(admin_client, {"Second Foundation": "3"}, name="Foundation Saga")
    book = LibraryFile.objects.create(item=MediaItem.objects.get(title="Foundation"), path="/lib/Foundation.epub",
                                      size=1, mtime_ns=1, format="epub")
    assert admin_client.post(f"/api/series/{series_id}/rename", {"name": "The Foundation"},
                             content_type="application/json").status_code == 200
    admin_client.post(f"/api/series/{series_id}/shared-universe", {"shared_universe": True},
                      content_type="application/json")
    admin_client.patch(f"/api/series/{series_id}", {"description": "About", "genres": ["SF"]},
                       content_type="application/json")
    omnibus = make_item("Omnibus", authors=["Isaac Asimov"])
    _add(admin_client, series_id, omnibus, 2, 3)
    history = admin_client.get(f"/api/series/{series_id}/history").json()["data"]
    assert [c["action"] for c in history] == ["add_book", "metadata", "shared_universe", "rename"]
    for change in history:  # newest first, each reverted
        assert admin_client.post(f"/api/series/changes/{change['id']}/revert").status_code == 200, change
    series = Series.objects.get(pk=series_id)
    assert (series.title, series.shared_universe, series.description, series.genres) == ("Foundation", False, "", [])
    omnibus.refresh_from_db()
    assert omnibus.series_id is None and not SeriesMembership.objects.filter(item=omnibus).exists()
    assert admin_client.post(f"/api/series/changes/{history[0]['id']}/revert").status_code == 409  # once only
    # a merge is recorded on the series that stays, and its revert brings the other one back
    reply = admin_client.post(f"/api/series/{other_id}/rename", {"name": "Foundation", "confirm_merge": True},
                              content_type="application/json")
    assert reply.status_code == 200 and not Series.objects.filter(pk=other_id).exists()
    merge = SeriesChange.objects.get(series_id=series_id, action="merge")
    assert admin_client.post(f"/api/series/changes/{merge.pk}/revert").status_code == 200
    back = MediaItem.objects.get(title="Second Foundation").series
    assert back.pk != series_id and back.title == "Foundation Saga"
    assert LibraryFile.objects.get(pk=book.pk).path == "/lib/Foundation.epub"  # no change moved a file
    page = admin_client.get(f"/series/{series_id}/").content.decode()
    assert 'id="series-history"' in page and "(reverted)" in page


def _jpeg(colour: str) -> bytes:
    out = BytesIO()
    Image.new("RGB", (300, 450), colour).save(out, "JPEG")
    return out.getvalue()


def test_the_default_series_cover_is_a_mosaic_of_its_books_covers(admin_client, settings):
    colours = ["red", "green", "blue", "yellow", "black"]
    series_id = _series(admin_client, {f"Book {n}": str(n) for n in range(1, 6)})
    for n, colour in enumerate(colours, start=1):
        MediaItem.objects.filter(title=f"Book {n}").update(cover_path=store_image(_jpeg(colour), ".jpg"))
    assert 'id="series-cover"' in admin_client.get(f"/series/{series_id}/").content.decode()
    reply = admin_client.get(f"/series/{series_id}/cover")
    assert reply.status_code == 200
    with Image.open(BytesIO(b"".join(reply.streaming_content))) as image:
        width, height = image.size
        corners = [image.getpixel((width // 4, height // 4)), image.getpixel((3 * width // 4, 3 * height // 4))]
    assert corners[0][0] > 200 and corners[0][1] < 60  # book 1 (red) top left
    assert corners[1][0] > 200 and corners[1][1] > 200 and corners[1][2] < 60  # book 4 (yellow) bottom right
    mosaics = list(Path(settings.COVERS_DIR, "mosaics").rglob("*.jpg"))
    admin_client.get(f"/series/{series_id}/cover")
    assert list(Path(settings.COVERS_DIR, "mosaics").rglob("*.jpg")) == mosaics  # cached by the covers' hashes
    # a cover chosen from one book replaces the mosaic
    book = MediaItem.objects.get(title="Book 5")
    admin_client.patch(f"/api/series/{series_id}", {"cover_item_id": book.pk}, content_type="application/json")
    with Image.open(BytesIO(b"".join(admin_client.get(f"/series/{series_id}/cover").streaming_content))) as image:
        assert max(image.getpixel((10, 10))) < 40  # black
