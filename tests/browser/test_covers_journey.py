"""Cover management in a real browser: the detail page lists the candidates, a cover is
fetched from a URL (local image server), a too-small upload is refused with the server's
message, and an earlier cover is put back with 'Use this'."""

from __future__ import annotations

import pytest

from media.covers import cover_file
from media.models import MediaItem
from tests.browser.conftest import log_in
from tests.search.test_covers import BIG, SMALL, images, make_item  # noqa: F401 (fixture)


@pytest.mark.django_db(transaction=True)
def test_choose_fetch_and_upload_a_cover(page, screenshot, admin_user, images, tmp_path):  # noqa: F811
    item = make_item("Excession")
    extracted = item.cover_path
    log_in(page, "admin", "pw-admin-123")
    page.goto(f"/library/{item.pk}/?edit=1")  # the cover panel is part of Edit mode (issue 20)
    candidates = page.locator("#cover-candidates li")
    candidates.first.wait_for()
    assert candidates.count() == 1 and page.get_by_text("Current cover").is_visible()

    page.get_by_label("Fetch from a URL").fill(f"{images}/big.jpg")
    page.get_by_role("button", name="Fetch and use").click()
    page.get_by_text("Cover changed.").wait_for()
    assert candidates.count() == 2
    assert cover_file(MediaItem.objects.get(pk=item.pk).cover_path).read_bytes() == BIG

    small = tmp_path / "small.jpg"
    small.write_bytes(SMALL)
    page.get_by_label("Upload an image").set_input_files(str(small))
    page.get_by_role("button", name="Upload and use").click()
    page.get_by_text("too small").wait_for()
    screenshot(page, "cover-panel")

    page.get_by_role("button", name="Use this").click()  # the extracted cover
    page.get_by_text("Cover changed.").wait_for()
    assert MediaItem.objects.get(pk=item.pk).cover_path == extracted
