"""A series' cover in a real browser: the admin uploads an image on the series page (a PNG, kept
as a re-encoded JPEG), an unusable file is refused with the server's message, a book's cover is
chosen, the mosaic comes back, and a change is reverted from the history (after a confirm)."""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image

from media.covers import store_image
from media.models import Series
from tests.browser.conftest import log_in
from tests.ui.factories import make_item


def _image(colour: str, size=(400, 600), fmt="PNG") -> bytes:
    out = BytesIO()
    Image.new("RGB", size, colour).save(out, fmt)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_upload_choose_and_revert_a_series_cover(page, screenshot, admin_user, tmp_path):
    first = make_item("A Wizard of Earthsea", authors=["Ursula K. Le Guin"], series="Earthsea", index=1)
    make_item("The Tombs of Atuan", authors=["Ursula K. Le Guin"], series="Earthsea", index=2)
    type(first).objects.filter(series=first.series).update(cover_path=store_image(_image("red", fmt="JPEG"), "jpg"))
    series = first.series
    log_in(page, "admin", "pw-admin-123")
    page.goto(f"/series/{series.pk}/")
    assert page.locator("#series-cover-source").inner_text().startswith("Now: a mosaic")

    tiny = tmp_path / "tiny.png"
    tiny.write_bytes(_image("blue", size=(50, 50)))
    page.get_by_label("Upload an image").set_input_files(str(tiny))
    page.get_by_role("button", name="Upload and use").click()
    page.get_by_text("too small").wait_for()

    cover = tmp_path / "cover.png"
    cover.write_bytes(_image("blue"))
    page.get_by_label("Upload an image").set_input_files(str(cover))
    page.get_by_role("button", name="Upload and use").click()
    page.get_by_text("Now: an uploaded image").wait_for()
    assert Series.objects.get(pk=series.pk).cover_path.endswith(".jpg")

    page.get_by_label("Use the cover of").select_option(label="The Tombs of Atuan")
    page.get_by_role("button", name="Use this book's cover").click()
    page.get_by_text("Now: the cover of one of its books").wait_for()
    page.get_by_role("button", name="Back to the mosaic").click()
    page.get_by_text("Now: a mosaic of its books' covers").wait_for()
    screenshot(page, "series-cover-card")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("button.series-revert").first.click()  # the newest: back from the mosaic to the book's cover
    page.get_by_text("Now: the cover of one of its books").wait_for()
    assert Series.objects.get(pk=series.pk).cover_item.title == "The Tombs of Atuan"
