"""Kinds of one work: ebook, audiobook and comic editions are separate wanted/owned items
that share a Work; duplicates are refused per kind; identifiers given with a wanted item
are kept and searched for. Through the API, against the fake providers and a fake Prowlarr."""

from __future__ import annotations

import pytest

from indexers.models import IndexerConfig
from media.models import Identifier, MediaItem, MediaStatus, Work
from scanning.services import FolderInput, save_folder, scan_folder
from search.services import identify_item, record_candidates
from tests.acquisition.fakes import FakeProwlarr, FakeRelease
from tests.scanning import samples

pytestmark = pytest.mark.django_db

SABRIEL_WORK = "OL15832982W"  # recorded /works/OL15832982W.json
SABRIEL_EDITION = "OL22951843M"  # recorded /books/OL22951843M.json, whose work is OL15832982W
SABRIEL_ISBN10 = "0-06-027322-4"
SABRIEL_ISBN13 = "9780060273224"


def want(client, external_id=SABRIEL_WORK, kind="ebook", provider="openlibrary", **extra):
    return client.post("/api/media/wanted/", {"provider": provider, "external_id": external_id, "kind": kind,
                                              **extra}, content_type="application/json")


def wanted_item(client, **kwargs) -> MediaItem:
    reply = want(client, **kwargs)
    assert reply.status_code == 201, reply.json()
    return MediaItem.objects.get(pk=reply.json()["data"]["id"])


def test_owning_the_audiobook_does_not_block_wanting_the_ebook(live_providers, admin_client):
    audiobook = wanted_item(admin_client, kind="audiobook")
    MediaItem.objects.filter(pk=audiobook.pk).update(status=MediaStatus.IN_LIBRARY)
    reply = want(admin_client, kind="ebook")
    assert reply.status_code == 201, reply.json()
    ebook = MediaItem.objects.get(pk=reply.json()["data"]["id"])
    assert (ebook.kind, ebook.status, ebook.title) == ("ebook", MediaStatus.WANTED, "Sabriel")
    assert ebook.pk != audiobook.pk


def test_a_second_item_of_the_same_kind_is_refused_naming_the_existing_one(live_providers, admin_client):
    ebook = wanted_item(admin_client, kind="ebook", isbn13=SABRIEL_ISBN13)
    again = want(admin_client, kind="ebook")
    assert again.status_code == 409
    body = again.json()
    assert body["error"] == f"The ebook 'Sabriel' (#{ebook.pk}, Wanted) already has this provider record"
    by_isbn = want(admin_client, external_id="OL1M", kind="ebook", title="Sabriel", isbn13=SABRIEL_ISBN10)
    assert by_isbn.status_code == 409
    assert by_isbn.json()["error"] == f"The ebook 'Sabriel' (#{ebook.pk}, Wanted) already has this ISBN"
    assert MediaItem.objects.count() == 1
    status = admin_client.get("/api/media/status/", {"provider": "openlibrary", "external_id": SABRIEL_WORK,
                                                     "kind": "audiobook"}).json()["data"]
    assert status["exists"] is False  # the audiobook is still free to want
    assert want(admin_client, kind="audiobook").status_code == 201


def test_identifiers_given_with_a_wanted_item_are_kept_when_the_record_has_none(live_providers, reader_client):
    item = wanted_item(reader_client, isbn13=SABRIEL_ISBN10, asin="b000fc0sim")  # the work record has no ISBN
    assert item.isbn13 == SABRIEL_ISBN13
    assert set(item.identifiers.values_list("scheme", "value")) >= {
        ("isbn13", SABRIEL_ISBN13), ("asin", "B000FC0SIM"), ("openlibrary", SABRIEL_WORK)}
    fields = {f["field"]: f for f in reader_client.get(f"/api/media/{item.pk}/metadata").json()["data"]["fields"]}
    assert (fields["isbn13"]["value"], fields["isbn13"]["source"]) == (SABRIEL_ISBN13, "wanted_request")


@pytest.mark.parametrize("extra, message", [
    ({"isbn13": "0-06-027322-5"}, "not a valid ISBN"),
    ({"isbn13": "12345"}, "not a valid ISBN"),
    ({"asin": "B00-too-long-asin"}, "asin: String should match pattern"),  # refused by the schema
])
def test_invalid_identifiers_with_a_wanted_item_are_refused(live_providers, reader_client, extra, message):
    reply = want(reader_client, **extra)
    assert reply.status_code == 422 and message in reply.json()["error"]
    assert not MediaItem.objects.exists()


@pytest.fixture
def prowlarr(db):
    server = FakeProwlarr(releases=[
        # found only by its ISBN (indexers match an ISBN in the release's description)
        FakeRelease("Nix.G.-.Old.Kingdom.1.RETAIL.EPUB.eBook", "guid-sabriel", isbn=SABRIEL_ISBN13),
    ]).start()
    IndexerConfig.objects.create(name="Prowlarr", url=server.url, api_key=server.api_key, timeout_seconds=5)
    yield server
    server.stop()


def test_isbn_given_with_a_wanted_item_is_the_first_indexer_query(live_providers, prowlarr, admin_client):
    item = wanted_item(admin_client, isbn13=SABRIEL_ISBN10)
    reply = admin_client.post(f"/api/downloads/search/{item.pk}/", {"mode": "interactive"},
                              content_type="application/json")
    assert reply.status_code == 200, reply.json()
    data = reply.json()["data"]
    assert data["queries"][0] == SABRIEL_ISBN13
    searches = [q for path, q in prowlarr.requests if path == "/api/v1/search"]
    assert searches[0]["query"] == [SABRIEL_ISBN13] and searches[0]["categories"] == ["7020"]
    assert [(r["title"], r["query_label"]) for r in data["results"]] == [
        ("Nix.G.-.Old.Kingdom.1.RETAIL.EPUB.eBook", "isbn")]


def test_editions_of_one_work_are_linked_and_listed(live_providers, admin_client):
    audiobook = wanted_item(admin_client, kind="audiobook")  # the work record
    ebook = wanted_item(admin_client, external_id=SABRIEL_EDITION, kind="ebook")  # an edition of it
    other = wanted_item(admin_client, provider="googlebooks", external_id="GjASzgEACAAJ")  # no work id
    audiobook.refresh_from_db()
    ebook.refresh_from_db()
    other.refresh_from_db()
    work = Work.objects.get()
    assert (work.provider, work.external_id, work.title) == ("openlibrary", SABRIEL_WORK, "Sabriel")
    assert audiobook.work_id == ebook.work_id == work.pk and other.work_id is None
    assert want(admin_client, kind="comic").json()["data"]["work_id"] == work.pk  # the wanted reply says so

    detail = admin_client.get(f"/api/library/items/{ebook.pk}").json()["data"]
    assert detail["work"]["id"] == work.pk and detail["work"]["external_id"] == SABRIEL_WORK
    assert detail["work"]["authors"] == ["George Elliott"]
    assert [e["kind"] for e in detail["work"]["editions"]] == ["audiobook", "comic"]  # every other kind
    assert detail["work"]["editions"][:1] == [{"id": audiobook.pk, "kind": "audiobook", "kind_label": "Audiobook",
                                           "title": "Sabriel", "status": "wanted", "status_label": "Wanted",
                                           "url": f"/library/{audiobook.pk}/"}]
    assert admin_client.get(f"/api/library/items/{other.pk}").json()["data"]["work"] is None
    page = admin_client.get(f"/library/{ebook.pk}/").content.decode()
    assert "Other editions of this work" in page and f'href="/library/{audiobook.pk}/"' in page
    assert "Other editions of this work" not in admin_client.get(f"/library/{other.pk}/").content.decode()


def test_identification_links_the_item_to_its_work(live_providers, admin_client):
    audiobook = wanted_item(admin_client, kind="audiobook", external_id="OL20639540W",
                            title="This Is How You Lose the Time War", authors=["Amal El-Mohtar"])
    scanned = MediaItem.objects.create(title="Time War", sort_title="Time War")
    record_candidates(scanned, "embedded_epub", {"title": "Time War", "authors": ["Max Gladstone"]}, 0.8)
    review_id = identify_item(scanned.pk).review_id
    assert admin_client.post(f"/api/review/{review_id}/accept", {"index": 0},
                             content_type="application/json").status_code == 200
    scanned.refresh_from_db()
    audiobook.refresh_from_db()
    assert scanned.work_id is not None and scanned.work_id == audiobook.work_id
    assert scanned.work.external_id == "OL20639540W"


def test_scan_links_a_book_carrying_the_work_id_and_never_guesses_from_titles(live_providers, reader_client,
                                                                              tmp_path):
    audiobook = wanted_item(reader_client, kind="audiobook")
    samples.make_epub(tmp_path / "lib" / "Sabriel.epub", samples.Book(
        "Sabriel", authors=(("Garth Nix", "Nix, Garth"),), extra_identifiers=(("OPENLIBRARY", SABRIEL_WORK),)))
    samples.make_epub(tmp_path / "lib" / "Other" / "Sabriel.epub", samples.Book(  # same title, another book
        "Sabriel", authors=(("Ann Other", "Other, Ann"),), uuid="5b0e8a9e-0000-4000-8000-000000000002"))
    scan_folder(save_folder(FolderInput(path=str(tmp_path / "lib"), content_type="mixed")).pk)
    with_id = Identifier.objects.get(scheme="openlibrary", item__kind="ebook").item
    without = MediaItem.objects.exclude(pk__in=[with_id.pk, audiobook.pk]).get()
    audiobook.refresh_from_db()
    assert with_id.work_id == audiobook.work_id is not None
    assert without.title == "Sabriel" and without.work_id is None  # same title, no certain link


def test_a_deleted_and_restored_item_is_linked_to_its_work_again(live_providers, admin_client, settings, tmp_path):
    settings.RECYCLE_DIR = tmp_path / "recycle"
    audiobook = wanted_item(admin_client, kind="audiobook")
    ebook = wanted_item(admin_client, external_id=SABRIEL_EDITION)
    entry = admin_client.delete(f"/api/library/items/{ebook.pk}").json()["data"]
    assert admin_client.get(f"/api/library/items/{audiobook.pk}").json()["data"]["work"]["editions"] == []
    restored = admin_client.post(f"/api/library/recycle/{entry['id']}/restore").json()["data"]
    editions = admin_client.get(f"/api/library/items/{audiobook.pk}").json()["data"]["work"]["editions"]
    assert [e["id"] for e in editions] == [restored["id"]]


def test_metadata_search_marks_a_result_as_owned_only_for_the_kind_owned(live_providers, reader_client):
    audiobook = wanted_item(reader_client, kind="audiobook", external_id="OL20639540W",
                            title="This Is How You Lose the Time War")
    MediaItem.objects.filter(pk=audiobook.pk).update(status=MediaStatus.IN_LIBRARY)

    def marked(kind):
        results = reader_client.get("/api/metadata/search", {"q": "time war", "kind": kind}).json()["data"]["results"]
        return next(r["in_library"] for r in results if r["sources"][0]["external_id"] == "OL20639540W")

    assert marked("audiobook")["item_id"] == audiobook.pk
    assert marked("ebook") is None  # the search page offers "Add to wanted" for the ebook
