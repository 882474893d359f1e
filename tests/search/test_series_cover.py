"""A series' cover (issue 24 item 5): the generated mosaic by default, one of its books' covers,
or an uploaded image, which is hostile input: checked (Pillow verify, size in bytes and pixels,
shorter edge), re-encoded as a JPEG and stored content-addressed, never under the name it was
sent with. Every cover change is in the series' history and reverts; the series page offers all
three to admins only."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from media.covers import cover_file, store_image
from media.models import MediaItem, Series, SeriesChange
from search.services.cover_images import MAX_COVER_BYTES
from tests.ui.factories import make_item

pytestmark = pytest.mark.django_db


def _image(colour, size=(400, 600), fmt="JPEG", mode="RGB", **options) -> bytes:
    out = BytesIO()
    Image.new(mode, size, colour).save(out, fmt, **options)
    return out.getvalue()


def _series(admin_client, titles: list[str]) -> int:
    for n, title in enumerate(titles, start=1):
        item = make_item(title, authors=["Ursula K. Le Guin"])
        item.cover_path = store_image(_image(("red", "green", "blue")[n % 3]), "jpg")
        item.save(update_fields=["cover_path"])
        reply = admin_client.post(
            f"/api/media/{item.pk}/fields/series",
            {"value": {"name": "Earthsea", "index": n}},
            content_type="application/json",
        )
        assert reply.status_code == 200, reply.content
    return Series.objects.get(title="Earthsea").pk


def _upload(client, series_id: int, data: bytes, name: str = "cover.png"):
    return client.post(f"/api/series/{series_id}/cover/upload", {"file": SimpleUploadedFile(name, data)})


def _served(client, series_id: int) -> Image.Image:
    reply = client.get(f"/series/{series_id}/cover")
    assert reply.status_code == 200
    image = Image.open(BytesIO(b"".join(reply.streaming_content)))
    image.load()
    return image


def test_an_uploaded_cover_is_re_encoded_stored_by_content_and_reverts(admin_client):
    series_id = _series(admin_client, ["A Wizard of Earthsea", "The Tombs of Atuan"])
    # a PNG with transparency, a text chunk and bytes after its end, sent under a hostile name
    upload = _image((250, 200, 0, 0), fmt="PNG", mode="RGBA", pnginfo=_text_chunk()) + b"<?php echo 1; ?>"
    reply = _upload(admin_client, series_id, upload, name="../../../etc/evil.php.png")
    assert reply.status_code == 200, reply.content
    assert reply.json()["data"] | {"cover_url": None} == {
        "series_id": series_id,
        "cover": "uploaded",
        "cover_item_id": None,
        "cover_url": None,
    }
    series = Series.objects.get(pk=series_id)
    stored = cover_file(series.cover_path)
    assert stored is not None and stored.suffix == ".jpg" and "evil" not in series.cover_path
    assert Path(settings.COVERS_DIR) in stored.parents
    kept = stored.read_bytes()
    assert kept.startswith(b"\xff\xd8") and b"php" not in kept and b"secret" not in kept  # only its pixels
    with Image.open(stored) as image:
        assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (400, 600))
        assert image.getpixel((10, 10))[0] > 240  # transparency flattened on white, not black
    served = _served(admin_client, series_id)
    assert min(served.getpixel((10, 10))) > 240  # the upload wins over the mosaic
    page = admin_client.get(f"/series/{series_id}/").content.decode()
    assert "Now: an uploaded image" in page and 'id="series-cover"' in page
    change = SeriesChange.objects.get(series_id=series_id, action="metadata")
    assert change.old_value["cover_path"] == "" and change.new_value["cover_path"] == series.cover_path
    assert admin_client.post(f"/api/series/changes/{change.pk}/revert").status_code == 200
    assert Series.objects.get(pk=series_id).cover_path == ""
    assert "Now: a mosaic of its books" in admin_client.get(f"/series/{series_id}/").content.decode()
    assert cover_file(series.cover_path) is not None  # the stored image stays (content-addressed)


def _text_chunk():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "secret")
    return info


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"GIF89a not really", "not an image"),
        (_image("blue")[:400], "not an image"),  # a truncated JPEG
        (_image("blue", size=(100, 150)), "too small"),
        (_image(1, size=(8000, 8000), fmt="PNG", mode="1"), "too many pixels"),  # 64 megapixels, a small file
        (_image(1, size=(15000, 15000), fmt="PNG", mode="1"), "not an image"),  # Pillow's decompression bomb
        (_image("blue", fmt="TIFF"), "TIFF"),
        (b"\xff\xd8" + b"\x00" * (MAX_COVER_BYTES + 10), "larger than"),
    ],
)
def test_a_hostile_or_unusable_upload_is_refused_and_changes_nothing(admin_client, data, message):
    series_id = _series(admin_client, ["A Wizard of Earthsea"])
    reply = _upload(admin_client, series_id, data)
    assert reply.status_code == 422 and message in reply.json()["error"], reply.content
    assert Series.objects.get(pk=series_id).cover_path == ""
    assert not SeriesChange.objects.filter(series_id=series_id, action="metadata").exists()


def test_uploading_is_for_admins_and_a_missing_series_is_404(admin_client, reader_user):
    series_id = _series(admin_client, ["A Wizard of Earthsea"])
    assert _upload(admin_client, 987654, _image("blue")).status_code == 404
    client = Client()
    client.force_login(reader_user)
    assert _upload(client, series_id, _image("blue")).status_code == 403
    assert Series.objects.get(pk=series_id).cover_path == ""
    page = client.get(f"/series/{series_id}/").content.decode()
    assert 'id="series-cover"' in page and 'id="series-cover-edit"' not in page  # sees it, cannot change it


def test_the_series_page_chooses_a_book_uploads_or_goes_back_to_the_mosaic(admin_client):
    series_id = _series(admin_client, ["A Wizard of Earthsea", "The Tombs of Atuan"])
    second = MediaItem.objects.get(title="The Tombs of Atuan")
    page = admin_client.get(f"/series/{series_id}/").content.decode()
    for control in (
        '<label for="series-cover-book">',
        'id="series-cover-book"',
        '<label for="series-cover-file">',
        'id="series-cover-file"',
        f'<option value="{second.pk}">The Tombs of Atuan</option>',
    ):
        assert control in page
    assert "Now: a mosaic of its books" in page and 'id="series-cover-mosaic"' not in page
    # what the page's script sends: the book's cover, then an upload, then back to the mosaic
    reply = admin_client.patch(
        f"/api/series/{series_id}", {"cover_item_id": second.pk}, content_type="application/json"
    )
    assert reply.status_code == 200 and reply.json()["data"]["cover"] == "book"
    page = admin_client.get(f"/series/{series_id}/").content.decode()
    assert "Now: the cover of one of its books" in page and 'id="series-cover-mosaic"' in page
    assert f'<option value="{second.pk}" selected>' in page
    assert _upload(admin_client, series_id, _image("black")).status_code == 200
    assert Series.objects.get(pk=series_id).cover_item_id is None  # the upload replaced the book's cover
    reply = admin_client.patch(f"/api/series/{series_id}", {"default_cover": True}, content_type="application/json")
    assert reply.status_code == 200 and reply.json()["data"]["cover"] == "mosaic"
    assert Series.objects.get(pk=series_id).cover_path == ""
    # three changes in the history, each with a Revert button; reverting the last brings the upload back
    page = admin_client.get(f"/series/{series_id}/").content.decode()
    assert page.count('class="series-revert"') == 3
    latest = SeriesChange.objects.filter(series_id=series_id, action="metadata").first()
    assert admin_client.post(f"/api/series/changes/{latest.pk}/revert").status_code == 200
    assert max(_served(admin_client, series_id).getpixel((10, 10))) < 40  # black: the upload is back
