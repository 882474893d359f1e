"""Data sources that earn their trust (spec §8): a second source of an existing kind, added,
tested and retired without losing what it gave; accuracy from corrections and locks;
probation; automatic adjustment within bounds (audit log, revert); bulk changes with
rollback; completeness of each source's answers. Through the JSON API and the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from media.models import MediaItem
from search.models import DataSource, FieldCandidate, ResolvedField
from search.services import identify_item, record_candidates
from search.services.trust import MIN_FEEDBACK

pytestmark = pytest.mark.django_db
JSON = "application/json"


def scanned(title, authors=(), isbn13="", source="embedded_epub", **extra):
    item = MediaItem.objects.create(title=title, sort_title=title)
    values = {"title": title, "authors": list(authors), **extra}
    if isbn13:
        values["isbn13"] = isbn13
    record_candidates(item, source, values, 0.8)
    return item


def sources(client) -> dict[str, dict]:
    reply = client.get("/api/metadata/sources")
    assert reply.status_code == 200, reply.content
    return {s["name"]: s for s in reply.json()["data"]}


def add(client, **payload):
    return client.post("/api/providers/", payload, content_type=JSON)


def test_a_second_open_library_is_added_tested_used_and_retired_keeping_its_values(live_providers, admin_client):
    reply = add(admin_client, kind="openlibrary", name="ol-mirror", label="Open Library mirror",
                base_url=live_providers.base_url("openlibrary"))
    assert reply.status_code == 201, reply.content
    assert reply.json()["data"]["kind"] == "openlibrary" and reply.json()["data"]["retired"] is False
    assert add(admin_client, kind="openlibrary", name="ol-mirror", label="again",
               base_url="https://example.org").status_code == 409
    assert add(admin_client, kind="nosuch", name="x-y", label="x", base_url="https://example.org").status_code == 422
    assert add(admin_client, kind="googlebooks", name="gb-x", label="x", base_url="javascript:1").status_code == 422
    assert add(admin_client, kind="openlibrary", name="ol-x", label="x", base_url="https://example.org",
               priority=False).status_code == 422
    keyless = add(admin_client, kind="comicvine", name="cv-x", label="CV", base_url="https://cv.example.org")
    assert keyless.status_code == 201 and keyless.json()["data"]["enabled"] is False  # off until it has a key

    test = admin_client.post("/api/providers/ol-mirror/test", {}, content_type=JSON).json()["data"]
    assert test["ok"], test

    # only the mirror answers: its values are attributed to it, not to the built-in Open Library
    for name in ("openlibrary", "googlebooks"):
        admin_client.patch(f"/api/providers/{name}", {"enabled": False}, content_type=JSON)
    item = scanned("use of weapons", ["Banks, Iain"], "9780316030571")
    outcome = identify_item(item.pk)
    assert outcome.applied == "openlibrary:OL10426208M"
    publisher = ResolvedField.objects.select_related("source").get(item=item, field="publisher")
    assert publisher.value == "Orbit" and publisher.source.name == "ol-mirror"
    assert not FieldCandidate.objects.filter(item=item, source__name="openlibrary").exists()

    listed = sources(admin_client)["ol-mirror"]
    assert listed["probation"]["items_left"] == 19 and listed["effective_trust"] == pytest.approx(0.4)

    reply = admin_client.post("/api/providers/ol-mirror/retire")
    assert reply.status_code == 200 and reply.json()["data"]["retired"] is True
    assert admin_client.post("/api/providers/openlibrary/retire").status_code == 409  # built-ins switch off
    providers = {p["name"]: p for p in admin_client.get("/api/providers/").json()["data"]}
    assert providers["ol-mirror"]["status_text"] == "Open Library mirror: retired"

    # not asked any more ...
    other = scanned("use of weapons", ["Banks, Iain"], "9780316030571")
    assert identify_item(other.pk).applied == ""
    assert not FieldCandidate.objects.filter(item=other, source__name="ol-mirror").exists()
    # ... and what it gave stays, with its name
    metadata = admin_client.get(f"/api/media/{item.pk}/metadata").json()["data"]
    text = str(metadata)
    assert "'source': 'ol-mirror'" in text and "Open Library mirror" in text
    assert sources(admin_client)["ol-mirror"]["retired"] is True
    page = admin_client.get("/sources/").content.decode()
    assert "Open Library mirror" in page and "retired" in page


def test_corrections_count_against_a_source_and_locks_for_it(admin_client):
    items = [scanned(f"Book {n}", ["Ann Author"], source="googlebooks", publisher=f"Pub {n}") for n in range(4)]
    assert sources(admin_client)["googlebooks"]["measured_accuracy"] is None
    for item in items[:3]:
        reply = admin_client.post(f"/api/media/{item.pk}/fields/publisher", {"value": "Right"}, content_type=JSON)
        assert reply.status_code == 200
    gb = sources(admin_client)["googlebooks"]
    assert (gb["corrected"], gb["confirmed"], gb["measured_accuracy"]) == (3, 0, 0.0)
    admin_client.post(f"/api/media/{items[3].pk}/fields/publisher/lock", {"locked": True}, content_type=JSON)
    gb = sources(admin_client)["googlebooks"]
    assert (gb["corrected"], gb["confirmed"], gb["measured_accuracy"]) == (3, 1, 0.25)


def test_a_new_source_is_on_probation_for_n_items_or_d_days(admin_client):
    add(admin_client, kind="openlibrary", name="ol-new", label="New OL", base_url="https://ol.example.org")
    item = scanned("Dune", ["Frank Herbert"], publisher="Chilton")
    record_candidates(item, "ol-new", {"publisher": "Ace"}, 0.8)
    # 0.8 x 0.5 (probation) x 0.8 loses to EPUB metadata 0.7 x 0.8
    assert MediaItem.objects.get(pk=item.pk).publisher == "Chilton"
    state = sources(admin_client)["ol-new"]
    assert state["probation"]["items_left"] == 19 and state["probation"]["factor"] == 0.5
    page = admin_client.get("/sources/").content.decode()
    assert "probation" in page

    DataSource.objects.filter(name="ol-new").update(created_at=timezone.now() - timedelta(days=15))
    assert sources(admin_client)["ol-new"]["probation"] is None  # 14 days are over
    record_candidates(item, "ol-new", {"publisher": "Ace"}, 0.8)  # full trust now: it wins
    assert MediaItem.objects.get(pk=item.pk).publisher == "Ace"

    DataSource.objects.filter(name="ol-new").update(created_at=timezone.now(), probation_items=2)
    assert sources(admin_client)["ol-new"]["probation"]["items_left"] == 1
    record_candidates(scanned("Emma"), "ol-new", {"publisher": "Penguin"}, 0.8)
    assert sources(admin_client)["ol-new"]["probation"] is None  # its first 2 books are done


def test_trust_follows_accuracy_only_within_bounds_and_every_change_is_logged_and_revertable(admin_client):
    items = [scanned(f"Book {n}", source="googlebooks", publisher=f"Pub {n}") for n in range(MIN_FEEDBACK + 1)]
    for item in items[:MIN_FEEDBACK]:
        admin_client.post(f"/api/media/{item.pk}/fields/publisher", {"value": "Right"}, content_type=JSON)
    admin_client.post(f"/api/media/{items[-1].pk}/fields/publisher/lock", {"locked": True}, content_type=JSON)
    # off by default: nothing moves
    assert admin_client.post("/api/metadata/trust/auto-adjust").json()["data"] == []
    assert DataSource.objects.get(name="googlebooks").trust == 0.75

    unbounded = admin_client.put("/api/metadata/sources/googlebooks/bounds", {"auto_adjust": True},
                                 content_type=JSON).json()["data"]
    assert (unbounded["trust_min"], unbounded["trust_max"]) == (0.55, 0.95)  # within 0.2 of its trust
    inverted = {"auto_adjust": True, "trust_min": 0.9, "trust_max": 0.4}  # the range between, either order
    reply = admin_client.put("/api/metadata/sources/googlebooks/bounds", inverted, content_type=JSON)
    assert reply.status_code == 200 and reply.json()["data"]["auto_adjust"] is True
    assert (reply.json()["data"]["trust_min"], reply.json()["data"]["trust_max"]) == (0.4, 0.9)

    [change] = admin_client.post("/api/metadata/trust/auto-adjust").json()["data"]
    # accuracy 1/6 = 0.17, kept at the minimum the admin set
    assert (change["source"], change["old_trust"], change["new_trust"], change["reason"]) == (
        "googlebooks", 0.75, 0.4, "auto")
    assert DataSource.objects.get(name="googlebooks").trust == 0.4
    assert admin_client.post("/api/metadata/trust/auto-adjust").json()["data"] == []  # already there

    log = admin_client.get("/api/metadata/trust/changes").json()["data"]["items"]
    assert [c["id"] for c in log] == [change["id"]]
    reverted = admin_client.post(f"/api/metadata/trust/changes/{change['id']}/revert")
    assert reverted.status_code == 200 and reverted.json()["data"]["reverted_at"]
    assert DataSource.objects.get(name="googlebooks").trust == 0.75
    assert admin_client.post(f"/api/metadata/trust/changes/{change['id']}/revert").status_code == 409
    log = admin_client.get("/api/metadata/trust/changes").json()["data"]["items"]
    assert [c["reason"] for c in log] == ["revert", "auto"]

    # a hand-set trust is in the log too
    admin_client.patch("/api/metadata/sources/googlebooks", {"trust": 0.6}, content_type=JSON)
    assert admin_client.get("/api/metadata/trust/changes").json()["data"]["items"][0]["reason"] == "manual"


def test_bulk_trust_change_of_all_google_sources_and_its_rollback(admin_client, reader_user):
    add(admin_client, kind="googlebooks", name="gb-mine", label="My Google Books", base_url="https://g.example.org",
        api_key="k")
    payload = {"provider_kind": "googlebooks", "percent": -10}
    reader_client = Client()
    reader_client.force_login(reader_user)
    assert reader_client.post("/api/metadata/trust/bulk", payload, content_type=JSON).status_code == 403
    reply = admin_client.post("/api/metadata/trust/bulk", payload, content_type=JSON)
    assert reply.status_code == 200, reply.content
    batch = reply.json()["data"]
    assert sorted(c["source"] for c in batch["changes"]) == ["gb-mine", "googlebooks"]
    trusts = dict(DataSource.objects.values_list("name", "trust"))
    assert trusts["googlebooks"] == pytest.approx(0.675) and trusts["gb-mine"] == pytest.approx(0.675)
    assert trusts["openlibrary"] == 0.8

    rolled = admin_client.post(f"/api/metadata/trust/bulk/{batch['id']}/rollback")
    assert rolled.status_code == 200 and rolled.json()["data"]["rolled_back_at"]
    trusts = dict(DataSource.objects.values_list("name", "trust"))
    assert trusts["googlebooks"] == 0.75 and trusts["gb-mine"] == 0.75
    assert admin_client.post(f"/api/metadata/trust/bulk/{batch['id']}/rollback").status_code == 409

    # a later change to one of them stops the rollback of the whole batch (all or none)
    batch = admin_client.post("/api/metadata/trust/bulk", {"names": ["googlebooks", "openlibrary"], "percent": 10},
                              content_type=JSON).json()["data"]
    admin_client.patch("/api/metadata/sources/openlibrary", {"trust": 0.5}, content_type=JSON)
    assert admin_client.post(f"/api/metadata/trust/bulk/{batch['id']}/rollback").status_code == 409
    assert DataSource.objects.get(name="googlebooks").trust == pytest.approx(0.825)
    assert admin_client.post("/api/metadata/trust/bulk", {"names": ["nosuch"], "percent": 10},
                             content_type=JSON).status_code == 404
    assert admin_client.post("/api/metadata/trust/bulk", {"percent": 10}, content_type=JSON).status_code == 404


def test_completeness_of_each_sources_answers(admin_client):
    scanned("Dune", ["Frank Herbert"], source="googlebooks", publisher="Ace", language="en")
    scanned("Emma", ["Jane Austen"], source="googlebooks")
    gb = sources(admin_client)["googlebooks"]["completeness"]
    # title and authors in both; publisher and language in one of two
    assert gb["answers"] == 2 and gb["fields_per_answer"] == 3.0
    assert gb["empty_rate"]["title"] == 0.0 and gb["empty_rate"]["publisher"] == 0.5
    assert gb["empty_rate"]["description"] == 1.0
    assert gb["score"] == pytest.approx(6 / 22, abs=1e-4)
    assert sources(admin_client)["comicvine"]["completeness"]["answers"] == 0
    page = admin_client.get("/sources/").content.decode()
    assert "3.0 fields per answer" in page


def test_an_added_source_does_not_hide_a_missing_built_in_provider(admin_client):
    from search.models import SearchProvider
    from search.services.providers import ensure_providers

    ensure_providers()
    add(admin_client, kind="openlibrary", name="ol-extra", label="Extra OL", base_url="https://ol.example.org")
    SearchProvider.objects.filter(name="googlebooks").delete()
    ensure_providers()
    assert SearchProvider.objects.filter(name="googlebooks").exists()
