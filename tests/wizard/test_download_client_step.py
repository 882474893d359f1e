"""The wizard's download client step (issue 18, defect 5)."""

from __future__ import annotations

import pytest

from core.wizard.models import WizardState

pytestmark = pytest.mark.django_db
FRESH_SABNZBD_CATEGORIES = ["*", "movies", "tv", "audio", "software"]  # real 5.0: get_cats.json


def test_default_categories_of_kinds_the_user_did_not_pick_do_not_block_saving(admin_client, fake_sabnzbd):
    fake_sabnzbd.categories = [*FRESH_SABNZBD_CATEGORIES, "books"]
    state = WizardState.load()
    state.data["content"] = {"kinds": ["ebook"]}
    state.save()
    response = admin_client.post("/wizard/downloads/", {
        "sabnzbd_url": fake_sabnzbd.url, "sabnzbd_api_key": fake_sabnzbd.api_key,
        "sabnzbd_category_ebook": "books", "sabnzbd_category_audiobook": "audiobooks",
        "sabnzbd_category_comic": "comics"})
    assert response["Location"] == "/wizard/naming/"
