"""Issue 20, defect 6: a changed cover shows at once. Cover URLs carry the cover's version
(?v=...); a versioned URL is cached for a year, any other is checked again at each use."""

from __future__ import annotations

import re

import pytest

from media.covers import store_image
from tests.scanning.samples import noise_jpeg
from tests.ui.factories import make_item

pytestmark = pytest.mark.django_db


def _cover_src(client, page: str, item_id: int) -> str:
    html = client.get(page).content.decode()
    found = re.findall(rf'src="(/covers/{item_id}/thumb[^"]*)"', html)
    assert found, f"no cover of item {item_id} on {page}"
    return found[0].replace("&amp;", "&")


def test_a_changed_cover_gets_a_new_url_in_the_library_and_on_the_dashboard(admin_client):
    item = make_item("Dune", cover_path=store_image(noise_jpeg(1), ".jpg"))
    before = {page: _cover_src(admin_client, page, item.pk) for page in ("/library/", "/")}
    item.cover_path = store_image(noise_jpeg(2), ".jpg")
    item.save()
    after = {page: _cover_src(admin_client, page, item.pk) for page in ("/library/", "/")}
    for page in before:
        assert "?v=" in after[page] and before[page] != after[page], page


def test_only_the_current_versioned_url_is_cached_for_long(admin_client):
    item = make_item("Emma", cover_path=store_image(noise_jpeg(3), ".jpg"))
    current = admin_client.get(f"/covers/{item.pk}/thumb?v={item.cover_version}")
    assert current.status_code == 200 and "max-age=31536000" in current["Cache-Control"]
    for url in (f"/covers/{item.pk}", f"/covers/{item.pk}/thumb?v=stale", f"/covers/{item.pk}?v=0"):
        response = admin_client.get(url)
        assert response.status_code == 200 and response["Cache-Control"] == "private, no-cache", url
    b"".join(current.streaming_content)
