"""Every automatic identification belongs to an enrichment run that can be undone as a whole
("undo the last enrichment run") or for one item, leaving later hand edits alone. Real EPUBs
are scanned and enriched from the fake providers (recorded replies) on 127.0.0.1."""

from __future__ import annotations

import pytest
from django.test import Client

from media.models import Identifier, MediaItem
from scanning.services import FolderInput, save_folder, scan_folder
from search.models import ChangeReason, EnrichmentRun, MetadataChange
from search.services import revert_run, set_manual_value
from search.services.enrich import enrich_items
from tests.scanning import samples

BOOKS = [  # real recorded provider replies answer these ISBNs (Open Library, Google Books)
    ("use of weapons", (("Iain Banks", "Banks, Iain"),), "9780316030571", "en", "01"),
    ("Dune", (("Frank Herbert", "Herbert, Frank"),), "9786067580648", "ro", "02"),  # Editura Nemira
]


@pytest.fixture
def library(tmp_path, live_providers):
    root = tmp_path / "books"
    for title, authors, isbn, language, uuid in BOOKS:
        samples.make_epub(root / title / f"{title}.epub", samples.Book(
            title, authors=authors, isbn=isbn, language=language, publisher="",
            uuid=f"00000000-0000-4000-8000-0000000000{uuid}"))
    scan_folder(save_folder(FolderInput(path=str(root), content_type="mixed")).pk)
    return {item.isbn13: item for item in MediaItem.objects.all()}


def _providers_ids(item: MediaItem) -> set[str]:
    return set(Identifier.objects.filter(item=item, scheme__in=("openlibrary", "googlebooks"))
               .values_list("scheme", flat=True))


@pytest.mark.django_db
def test_undoing_the_last_run_restores_every_item_but_keeps_a_later_hand_edit(library):
    weapons, dune = library["9780316030571"], library["9786067580648"]
    counts = enrich_items(force=True)
    assert counts["applied"] == 2
    run = EnrichmentRun.objects.get()
    weapons.refresh_from_db()
    dune.refresh_from_db()
    assert (weapons.title, weapons.publisher) == ("Use of Weapons", "Orbit") and _providers_ids(weapons)
    assert dune.title != "Dune" and _providers_ids(dune) == {"googlebooks"}  # "Dune - Editura Nemira"
    assert MetadataChange.objects.filter(run=run).count() >= 4
    set_manual_value(weapons, "publisher", "Little, Brown")  # a person's edit after the run

    outcome = revert_run(run.pk)

    weapons.refresh_from_db()
    dune.refresh_from_db()
    assert (weapons.title, weapons.publisher, weapons.isbn13) == ("use of weapons", "Little, Brown", "9780316030571")
    assert dune.title == "Dune" and dune.isbn13 == "9786067580648"
    assert not _providers_ids(weapons) and not _providers_ids(dune)
    assert outcome.items == 2 and outcome.kept == [
        {"item_id": weapons.pk, "field": "publisher", "reason": outcome.kept[0]["reason"]}]
    assert "manual edit" in outcome.kept[0]["reason"]
    run.refresh_from_db()
    assert run.reverted_at is not None
    assert MetadataChange.objects.filter(item=dune, reason=ChangeReason.REVERT).exists()  # in the history


@pytest.mark.django_db
def test_one_item_of_a_run_is_undone_through_the_api(library, admin_client, reader_user):
    weapons, dune = library["9780316030571"], library["9786067580648"]
    enrich_items(force=True)
    listed = admin_client.get("/api/review/runs/").json()["data"]
    assert [(r["applied"], r["counts"]["applied"]) for r in listed] == [(2, 2)]
    url = f"/api/review/runs/{listed[0]['id']}/revert"
    reader = Client()
    reader.force_login(reader_user)
    assert reader.post(url, {}, content_type="application/json").status_code == 403

    reply = admin_client.post(url, {"item_id": dune.pk}, content_type="application/json")

    assert reply.status_code == 200, reply.content
    assert reply.json()["data"]["items"] == 1
    dune.refresh_from_db()
    weapons.refresh_from_db()
    assert dune.title == "Dune" and not _providers_ids(dune)
    assert weapons.title == "Use of Weapons" and _providers_ids(weapons)  # the rest of the run stays
    again = admin_client.post(url, {"item_id": dune.pk}, content_type="application/json")
    assert again.status_code == 409
    page = admin_client.get("/review/").content.decode()
    assert f'data-run-id="{listed[0]["id"]}"' in page and "Undo this run" in page
