"""The wizard's download client step (issue 18, defect 5): unpicked kinds' categories never
block saving, missing categories are created when the user agrees, the addresses people type
are understood and the API key is never shown again."""

from __future__ import annotations

import pytest

from core.wizard.models import WizardState
from downloaders.models import DownloadClientConfig
from tests.acquisition.fakes import FakeSabnzbd

pytestmark = pytest.mark.django_db
FRESH_SABNZBD_CATEGORIES = ["*", "movies", "tv", "audio", "software"]  # real 5.0: get_cats.json


def _pick(*kinds: str) -> None:
    state = WizardState.load()
    state.data["content"] = {"kinds": list(kinds)}
    state.save()


def _post(client, sab, **extra):
    answers = {
        "client_kind": "sabnzbd",
        "client_url": sab.url,
        "client_api_key": sab.api_key,
        "client_category_ebook": "books",
        "client_category_audiobook": "audiobooks",
        "client_category_comic": "comics",
        **extra,
    }
    return client.post("/wizard/downloads/", answers)


def test_default_categories_of_kinds_the_user_did_not_pick_do_not_block_saving(admin_client, fake_sabnzbd):
    fake_sabnzbd.categories = [*FRESH_SABNZBD_CATEGORIES, "books"]
    _pick("ebook")
    assert _post(admin_client, fake_sabnzbd)["Location"] == "/wizard/naming/"
    assert DownloadClientConfig.objects.get().category_comic == "comics"  # kept for later, not checked
    assert fake_sabnzbd.categories == [*FRESH_SABNZBD_CATEGORIES, "books"]  # nothing created unasked


def test_missing_categories_of_picked_kinds_are_created_when_the_user_agrees(admin_client, fake_sabnzbd):
    fake_sabnzbd.categories = list(FRESH_SABNZBD_CATEGORIES)
    _pick("ebook", "comic")
    test = admin_client.post(
        "/wizard/test/client",
        {
            "kind": "sabnzbd",
            "url": fake_sabnzbd.url,
            "api_key": fake_sabnzbd.api_key,
            "category_ebook": "books",
            "category_comic": "comics",
        },
        content_type="application/json",
    ).json()
    assert test["level"] == "warning" and "SABnzbd has no categories books, comics" in test["text"]
    response = _post(admin_client, fake_sabnzbd, client_create_categories="on")
    assert response["Location"] == "/wizard/naming/"
    assert fake_sabnzbd.categories == [*FRESH_SABNZBD_CATEGORIES, "books", "comics"]


def test_a_missing_category_left_alone_is_a_warning_and_setup_continues(admin_client, fake_sabnzbd):
    fake_sabnzbd.categories = list(FRESH_SABNZBD_CATEGORIES)
    _pick("ebook")
    response = admin_client.post(
        "/wizard/downloads/",
        {
            "client_kind": "sabnzbd",
            "client_url": fake_sabnzbd.url,
            "client_api_key": fake_sabnzbd.api_key,
            "client_category_ebook": "books",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/wizard/naming/"
    assert "SABnzbd has no category books" in response.content.decode()


@pytest.fixture
def sab_with_url_base(tmp_path):
    (tmp_path / "complete").mkdir()
    server = FakeSabnzbd(complete_dir=tmp_path / "complete", base_path="/sabnzbd").start()
    yield server
    server.stop()


@pytest.mark.parametrize("form", ["pasted_api_url", "host_port_base"])
def test_the_addresses_people_type_are_understood(admin_client, sab_with_url_base, form):
    sab = sab_with_url_base
    host_port = sab.url.removeprefix("http://")
    typed = {
        "pasted_api_url": {
            "client_url": f"{sab.url}/sabnzbd/api?mode=queue&output=json&apikey={sab.api_key}",
            "client_api_key": "",
        },
        "host_port_base": {"client_url": f"{host_port}/sabnzbd"},
    }[form]
    response = _post(admin_client, sab, **typed)
    assert response["Location"] == "/wizard/naming/"
    config = DownloadClientConfig.objects.get()
    assert (config.url, config.base_path, config.api_key, config.last_test_ok) == (sab.url, "/sabnzbd", "sab-key", True)


def test_the_api_key_is_masked_and_an_empty_one_keeps_it(admin_client, fake_sabnzbd):
    fake_sabnzbd.api_key = "0123456789abcdef-secret-key-7890"
    _post(admin_client, fake_sabnzbd)
    html = admin_client.get("/wizard/downloads/").content.decode()
    assert fake_sabnzbd.api_key not in html and "Stored: ••••7890" in html
    assert _post(admin_client, fake_sabnzbd, client_api_key="")["Location"] == "/wizard/naming/"
    assert DownloadClientConfig.objects.get().api_key == fake_sabnzbd.api_key


def test_a_wrong_address_is_refused_with_its_reason(admin_client, fake_sabnzbd):
    response = _post(admin_client, fake_sabnzbd, client_url="ftp://nas:8080")
    assert response.status_code == 422 and "must start with http" in response.content.decode()
    assert not DownloadClientConfig.objects.exists()
