"""Format profiles: releases scored by the profile's order (formats outside it rejected, a
minimum score, upgrades only), books below the cutoff stay wanted for an upgrade and are
searched periodically, the pages and the API validate, readers are refused."""

from __future__ import annotations

import pytest

from core.errors import InvalidInput
from downloaders.automation import due_wanted_items
from indexers import profiles
from indexers.clients.base import Release
from indexers.models import FormatProfile, ItemProfile
from indexers.releases import parse_release
from indexers.scoring import ScoringPrefs, WantedBook, score_release
from media.models import FileState, LibraryFile, MediaStatus
from tests.processing.conftest import make_item

EBOOK = ("epub_retail", "epub", "azw3", "mobi", "pdf")
AUDIO = ("m4b", "mp3_320", "mp3")


def _score(title: str, prefs: ScoringPrefs, kind: str = "ebook", size: int = 2_000_000):
    wanted = WantedBook(kind, "Dune", ("Frank Herbert",))
    release = Release(title=title, guid="g", protocol="usenet", indexer="i", size=size, age_days=5)
    return score_release(wanted, release, parse_release(title), prefs)


def test_releases_score_in_the_profile_order():
    prefs = ScoringPrefs(EBOOK)
    totals = [
        _score(t, prefs).total
        for t in (
            "Frank.Herbert-Dune.RETAIL.EPUB.eBook-GRP",
            "Frank.Herbert-Dune.EPUB.eBook-GRP",
            "Frank.Herbert-Dune.AZW3.eBook-GRP",
            "Frank.Herbert-Dune.MOBI.eBook-GRP",
            "Frank.Herbert-Dune.PDF.eBook-GRP",
        )
    ]
    assert totals == sorted(totals, reverse=True) and len(set(totals)) == 5
    # the profile's order wins over the usual one
    reversed_prefs = ScoringPrefs(("pdf", "epub"))
    pdf, epub = (_score(f"Frank Herbert - Dune [{f}]", reversed_prefs).total for f in ("pdf", "epub"))
    assert pdf > epub


def test_a_plain_format_in_the_profile_takes_its_narrower_qualities_too():
    score = _score("Frank.Herbert-Dune.RETAIL.EPUB.eBook-GRP", ScoringPrefs(("epub",)))
    assert score.accepted and "EPUB is preference #1" in str(score.breakdown())


@pytest.mark.parametrize(
    ("title", "prefs", "reason"),
    [
        ("Frank Herbert - Dune [fb2]", ScoringPrefs(EBOOK), "FB2 is not in the format profile (EPUB retail > EPUB"),
        ("Frank Herbert - Dune [pdf]", ScoringPrefs(("epub", "azw3")), "PDF is not in the format profile"),
        ("Frank Herbert - Dune [epub]", ScoringPrefs(EBOOK, min_score=99), "below the profile's minimum 99"),
        ("Frank Herbert - Dune [pdf]", ScoringPrefs(EBOOK, beat="pdf"), "not an upgrade: PDF is no better"),
        ("Frank Herbert - Dune [epub]", ScoringPrefs(EBOOK, beat="epub"), "not an upgrade"),
        ("Frank Herbert - Dune", ScoringPrefs(EBOOK, beat="pdf"), "format unknown"),
    ],
)
def test_profile_rejections_say_why(title, prefs, reason):
    score = _score(title, prefs)
    assert not score.accepted
    assert reason in " ".join(score.rejections)


def test_an_upgrade_over_the_file_in_the_library_is_accepted():
    assert _score("Frank Herbert - Dune [epub]", ScoringPrefs(EBOOK, beat="pdf")).accepted
    assert _score("Frank.Herbert-Dune.RETAIL.EPUB.eBook-GRP", ScoringPrefs(EBOOK, beat="epub")).accepted


def test_audiobook_bitrates_rank_as_the_profile_says():
    prefs = ScoringPrefs(AUDIO)
    size = 300 * 1024**2
    m4b = _score("Frank Herbert - Dune [M4B]", prefs, "audiobook", size)
    high = _score("Frank Herbert - Dune {MP3 320 kbps}", prefs, "audiobook", size)
    low = _score("Frank Herbert - Dune [MP3 64kbps]", prefs, "audiobook", size)
    assert m4b.accepted and high.accepted and low.accepted
    assert m4b.total > high.total > low.total
    only_good = ScoringPrefs(("m4b", "mp3_320"))
    refused = _score("Frank Herbert - Dune [MP3 64kbps]", only_good, "audiobook", size)
    assert "MP3 is not in the format profile" in " ".join(refused.rejections)
    assert _score("Frank Herbert - Dune {MP3 320 kbps}", only_good, "audiobook", size).accepted


# --- cutoff and the periodic search ----------------------------------------------------------
def _file(item, name: str, fmt: str) -> LibraryFile:
    return LibraryFile.objects.create(item=item, path=f"/library/{item.pk}/{name}", size=1, mtime_ns=1, format=fmt)


@pytest.fixture
def dune(db):
    item = make_item(title="Dune", authors=("Frank Herbert",))
    item.status = MediaStatus.POST_PROCESSED_SUCCESS
    item.save(update_fields=["status"])
    return item


def _set_cutoff(kind: str, cutoff: str) -> FormatProfile:
    profile = profiles.default_profile(kind)
    return profiles.save_profile({**profiles.public(profile), "cutoff": cutoff}, profile)


def test_a_book_below_the_cutoff_stays_wanted_and_is_searched_until_a_better_file_arrives(dune):
    _file(dune, "Dune.pdf", "pdf")
    state = profiles.set_item_profile(dune.pk, None)
    assert not state.upgrade_wanted  # the default's cutoff is its last format: no upgrades
    assert dune.pk not in due_wanted_items()

    _set_cutoff("ebook", "epub")
    state = profiles.item_state(dune.pk)
    assert state.upgrade_wanted and state.message == "upgrade wanted: has PDF, cutoff EPUB"
    assert ItemProfile.objects.get(item=dune).upgrade_wanted
    assert dune.pk in due_wanted_items()

    epub = _file(dune, "Dune.epub", "epub")
    state = profiles.refresh_item(dune.pk)
    assert state and not state.upgrade_wanted and state.message == "cutoff met: has EPUB (cutoff EPUB)"
    assert dune.pk not in due_wanted_items()

    LibraryFile.objects.filter(pk=epub.pk).update(state=FileState.MISSING)
    assert profiles.refresh_item(dune.pk).upgrade_wanted


def test_the_search_asks_for_an_upgrade_over_the_file_the_book_has(dune):
    _file(dune, "Dune.mobi", "mobi")
    rules, beat = profiles.scoring_inputs(dune)
    assert rules.qualities == EBOOK and beat == "mobi"
    wanted = make_item(title="Children of Dune", authors=("Frank Herbert",))
    assert profiles.scoring_inputs(wanted)[1] == ""


def test_a_book_not_followed_for_upgrades_is_not_searched(dune):
    _file(dune, "Dune.pdf", "pdf")
    _set_cutoff("ebook", "epub_retail")
    assert not ItemProfile.objects.filter(item=dune).exists()
    assert dune.pk not in due_wanted_items()


def test_a_chosen_profile_of_another_kind_is_refused(dune):
    audio = FormatProfile.objects.create(name="Audio", kind="audiobook", qualities=["m4b"], cutoff="m4b")
    with pytest.raises(InvalidInput, match=r"Audio is an audiobook profile; item \d+ is an ebook"):
        profiles.set_item_profile(dune.pk, audio.pk)


# --- API --------------------------------------------------------------------------------------
def _post(client, body):
    return client.post("/api/v1/profiles/", body, content_type="application/json")


def test_api_creates_lists_changes_and_deletes_profiles(admin_client, db):
    made = _post(admin_client, {"name": "Retail only", "kind": "ebook", "qualities": ["epub_retail", "azw3"],
                                "cutoff": "epub_retail", "min_score": 60})
    assert made.status_code == 201, made.content
    data = made.json()["data"]
    assert data["labels"] == ["EPUB retail", "AZW3"] and data["min_score"] == 60 and not data["is_default"]
    listed = admin_client.get("/api/v1/profiles/").json()["data"]
    assert {p["kind"] for p in listed if p["is_default"]} == {"ebook", "audiobook", "comic"}
    changed = admin_client.put(f"/api/v1/profiles/{data['id']}", {"name": "Retail", "qualities": ["azw3"],
                               "cutoff": "azw3"}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["data"]["kind"] == "ebook"
    assert admin_client.delete(f"/api/v1/profiles/{data['id']}").status_code == 200
    default = profiles.default_profile("ebook")
    refused = admin_client.delete(f"/api/v1/profiles/{default.pk}")
    assert refused.status_code == 409 and not refused.json()["success"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"kind": "ebook", "qualities": ["mp3"], "cutoff": "mp3"}, 422, "qualities"),
        ({"kind": "ebook", "qualities": ["epub", "pdf"], "cutoff": "mobi"}, 422, "cutoff"),
        ({"kind": "ebook", "qualities": ["epub", "epub"], "cutoff": "epub"}, 422, "qualities"),
        ({"kind": "ebook", "qualities": [], "cutoff": "epub"}, 422, ""),
        ({"kind": "ebook", "qualities": ["epub"], "cutoff": "epub", "min_score": 101}, 422, ""),
        ({"kind": "manga", "qualities": ["epub"], "cutoff": "epub"}, 422, ""),
        ({"kind": "ebook", "qualities": ["docx"], "cutoff": "docx"}, 422, ""),
    ],
)
def test_api_refuses_invalid_profiles(admin_client, db, body, status, field):
    response = _post(admin_client, {"name": "Bad", **body})
    assert response.status_code == status, response.content
    assert not FormatProfile.objects.filter(name="Bad").exists()
    if field:
        assert field in response.json()["details"]["errors"]


def test_api_refuses_a_name_taken(admin_client, db):
    profiles.default_profile("ebook")
    response = _post(admin_client, {"name": "Ebooks", "kind": "ebook", "qualities": ["epub"], "cutoff": "epub"})
    assert response.status_code == 409


def test_api_sets_a_books_profile_and_shows_its_upgrade_state(admin_client, dune):
    _file(dune, "Dune.pdf", "pdf")
    strict = FormatProfile.objects.create(name="EPUB wanted", kind="ebook", qualities=["epub", "pdf"], cutoff="epub")
    response = admin_client.put(f"/api/v1/profiles/items/{dune.pk}", {"profile_id": strict.pk},
                                content_type="application/json")
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["chosen"] and data["upgrade_wanted"] and data["message"] == "upgrade wanted: has PDF, cutoff EPUB"
    assert admin_client.get(f"/api/v1/profiles/items/{dune.pk}").json()["data"]["profile_name"] == "EPUB wanted"
    back = admin_client.put(f"/api/v1/profiles/items/{dune.pk}", {"profile_id": None}, content_type="application/json")
    assert back.json()["data"]["chosen"] is False and back.json()["data"]["upgrade_wanted"] is False
    assert admin_client.get("/api/v1/profiles/items/999999").status_code == 404


def test_readers_are_refused_profiles_everywhere(reader_client, dune):
    profile = profiles.default_profile("ebook")
    assert reader_client.get("/api/v1/profiles/").status_code == 403
    body = {"name": "R", "kind": "ebook", "qualities": ["epub"], "cutoff": "epub"}
    assert _post(reader_client, body).status_code == 403
    assert reader_client.put(f"/api/v1/profiles/items/{dune.pk}", {"profile_id": None},
                             content_type="application/json").status_code == 403
    assert reader_client.get("/settings/profiles/").status_code == 403
    assert reader_client.post(f"/settings/profiles/{profile.pk}/", {"name": "x"}).status_code == 403
    assert reader_client.post(f"/library/{dune.pk}/profile/", {"profile_id": ""}).status_code == 403
    assert "Format profile" not in reader_client.get(f"/library/{dune.pk}/").content.decode()
    assert not ItemProfile.objects.exists() and FormatProfile.objects.get(pk=profile.pk).name == "Ebooks"


# --- pages ------------------------------------------------------------------------------------
def test_profile_page_saves_the_order_cutoff_and_minimum(admin_client, db):
    profile = profiles.default_profile("ebook")
    assert "Ebooks" in admin_client.get("/settings/profiles/").content.decode()
    form = {"name": "Ebooks", "kind": "ebook", "accept_pdf": "1", "position_pdf": "1", "accept_epub": "1",
            "position_epub": "2", "accept_mobi": "1", "position_mobi": "", "cutoff": "epub", "min_score": "40"}
    response = admin_client.post(f"/settings/profiles/{profile.pk}/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    profile.refresh_from_db()
    assert (profile.qualities, profile.cutoff, profile.min_score) == (["pdf", "epub", "mobi"], "epub", 40.0)


def test_profile_page_shows_what_is_wrong(admin_client, db):
    response = admin_client.post("/settings/profiles/add/", {"name": "X", "kind": "comic", "accept_cbz": "1",
                                                              "position_cbz": "1", "cutoff": "cbr"})
    assert response.status_code == 422
    assert "The cutoff must be one of the accepted formats." in response.content.decode()
    assert not FormatProfile.objects.filter(name="X").exists()


def test_book_page_picker_chooses_a_profile_and_shows_the_upgrade_state(admin_client, dune):
    _file(dune, "Dune.pdf", "pdf")
    strict = FormatProfile.objects.create(name="EPUB wanted", kind="ebook", qualities=["epub", "pdf"], cutoff="epub")
    page = admin_client.get(f"/library/{dune.pk}/").content.decode()
    assert "Format profile" in page and "no upgrade" not in page
    response = admin_client.post(f"/library/{dune.pk}/profile/", {"profile_id": str(strict.pk)})
    assert response.status_code == 302
    page = admin_client.get(f"/library/{dune.pk}/").content.decode()
    assert "upgrade wanted: has PDF, cutoff EPUB" in page
    assert admin_client.post(f"/library/{dune.pk}/profile/", {"profile_id": "99999999"}).status_code == 404
