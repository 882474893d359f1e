"""One grid thumbnail per cover: the one the cover job makes is the one the library grid is
served (it used to make a second, per-item copy of its own on the first view)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from media.covers import store_image, thumbnail_path
from scanning.services.jobs import make_thumbnails
from tests.scanning.samples import noise_jpeg
from tests.ui.factories import make_item

pytestmark = pytest.mark.django_db


def _served(client, item) -> bytes:
    response = client.get(f"/covers/{item.pk}/thumb?v={item.cover_version}")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    return b"".join(response.streaming_content)


def test_the_grid_serves_the_thumbnail_the_cover_job_made(admin_client):
    item = make_item("Dune", cover_path=store_image(noise_jpeg(11, size=(900, 1400)), ".jpg"))
    make_thumbnails()
    made = thumbnail_path(item.cover_path)
    assert _served(admin_client, item) == made.read_bytes()
    assert not (Path(settings.DATA_DIR) / "cache" / "thumbs").exists()  # no second copy


def test_a_cover_without_a_thumbnail_yet_gets_it_on_first_view_and_books_share_it(admin_client):
    cover = store_image(noise_jpeg(12, size=(900, 1400)), ".jpg")
    first, second = make_item("Emma", cover_path=cover), make_item("Emma (again)", cover_path=cover)
    served = _served(admin_client, first)
    assert served == thumbnail_path(cover).read_bytes() == _served(admin_client, second)
    with Image.open(thumbnail_path(cover)) as image:
        assert image.width <= 240 and image.height <= 360


def test_an_undecodable_cover_is_served_as_it_is(admin_client):
    item = make_item("Broken", cover_path=store_image(b"\xff\xd8\xff not really a jpeg", ".jpg"))
    assert _served(admin_client, item).startswith(b"\xff\xd8\xff not")
    assert not thumbnail_path(item.cover_path).exists()


def test_the_library_page_shows_the_cover_jobs_progress_while_it_runs(admin_client):
    from core.models import Job
    from media.dashboard import COVER_JOB_KIND
    from scanning.services.jobs import THUMBNAIL_KIND

    assert COVER_JOB_KIND == THUMBNAIL_KIND  # media names the scanning app's job kind by its string
    idle = admin_client.get("/library/").content.decode()
    assert 'id="scan-progress"' in idle and "Reading covers" in idle
    assert re.search(r'<section id="scan-progress"[^>]*\bhidden\b', idle)
    Job.objects.create(kind=THUMBNAIL_KIND, state="running", progress_done=1200, progress_total=5600,
                       message="1200 covers stored")
    busy = admin_client.get("/library/").content.decode()
    assert not re.search(r'<section id="scan-progress"[^>]*\bhidden\b', busy)
    assert f'data-kind="{THUMBNAIL_KIND}"' in busy and "1200 covers stored" in busy  # the embedded first screen
