"""Issue 24 item 15: the wizard's content step asks for the preferred formats per kind and keeps
them in each kind's default format profile (the one source Settings > Profiles shows)."""

from __future__ import annotations

import pytest

from core.wizard.models import WizardState
from indexers import profiles

pytestmark = pytest.mark.django_db


def test_the_content_step_changes_the_default_profiles(admin_client):
    page = admin_client.get("/wizard/content/").content.decode()
    # the current order is offered, read from the profiles
    assert 'name="ebook_formats"' in page and "epub_retail, epub, azw3, mobi, pdf" in page
    response = admin_client.post("/wizard/content/", {
        "kinds": ["ebook", "comic"], "ebook_formats": "EPUB, azw3", "audiobook_formats": "",
        "comic_formats": "cbr,cbz,pdf",
    })
    assert response["Location"] == "/wizard/metadata/"
    ebook, comic = profiles.default_profile("ebook"), profiles.default_profile("comic")
    assert ebook.qualities == ["epub", "azw3"] and ebook.cutoff == "azw3"  # old cutoff (pdf) left: the last
    assert comic.qualities == ["cbr", "cbz", "pdf"] and comic.cutoff == "cbr"  # the cutoff kept when still listed
    assert profiles.default_profile("audiobook").qualities == ["m4b", "mp3_320", "mp3"]  # empty: unchanged
    # the profiles page shows the same, and the review step lists them
    assert "AZW3" in admin_client.get("/settings/profiles/").content.decode()
    review = admin_client.get("/wizard/review/").content.decode()
    assert "Ebook formats</dt><dd>epub, azw3</dd>" in review
    assert "Comic formats</dt><dd>cbr, cbz, pdf</dd>" in review


def test_the_review_shows_the_profiles_as_they_are_now(admin_client):
    admin_client.post("/wizard/content/", {"kinds": ["ebook"], "ebook_formats": "epub, pdf"})
    profile = profiles.default_profile("ebook")
    profiles.save_profile({"name": profile.name, "qualities": ["pdf"], "cutoff": "pdf"}, profile)  # Settings > Profiles
    assert "Ebook formats</dt><dd>pdf</dd>" in admin_client.get("/wizard/review/").content.decode()
    assert "pdf" in admin_client.get("/wizard/content/").content.decode()


@pytest.mark.parametrize(("value", "error"), [
    ("epub, m4b", "Not ebook qualities: m4b"),
    ("epub, epub", "Each format may be listed once."),
    ("epub, ../../etc", "Not ebook qualities"),
])
def test_invalid_formats_are_refused_with_a_message(admin_client, value, error):
    before = list(profiles.default_profile("ebook").qualities)
    response = admin_client.post("/wizard/content/", {"kinds": ["ebook"], "ebook_formats": value})
    assert response.status_code == 422 and error in response.content.decode()
    assert profiles.default_profile("ebook").qualities == before
    assert "content" not in WizardState.load().data


def test_readers_cannot_change_the_profiles_through_the_wizard(reader_client):
    response = reader_client.post("/wizard/content/", {"kinds": ["ebook"], "ebook_formats": "pdf"})
    assert response.status_code == 403
    assert profiles.default_profile("ebook").qualities != ["pdf"]
