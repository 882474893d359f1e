"""Hand edits with locks and history, and delete-to-recycle with undo, on real files."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from core.errors import Conflict, InvalidInput
from media import recycle, services
from media.models import LibraryFile, MediaItem, MetadataEdit, RecycleEntry, RecycleState
from media.search import SearchRequest, run
from tests.ui.factories import make_item

pytestmark = pytest.mark.django_db


def test_edit_locks_journals_and_reindexes():
    item = make_item("Dune", authors=["Frank Herbert"], year=1965)
    services.update_metadata(
        item.pk,
        {
            "title": "Dune (Deluxe)",
            "year": "1966",
            "authors": ["F. Herbert", "X"],
            "isbn13": "0-441-01359-7",
            "series": "Dune Chronicles",
            "series_index": "1",
            "tags": "SF; Classics",
        },
    )
    item.refresh_from_db()
    assert item.title == "Dune (Deluxe)" and item.year == 1966 and item.isbn13 == "9780441013593"
    assert item.series.title == "Dune Chronicles" and str(item.series_index) == "1.00"
    assert [t.name for t in item.tags.all()] == ["Classics", "SF"]
    assert set(item.locked_fields) == {"title", "year", "authors", "isbn13", "series", "series_index", "tags"}
    assert MetadataEdit.objects.filter(item=item).count() == 7
    assert run(SearchRequest(q="deluxe")).ids == (item.pk,)
    assert run(SearchRequest(q="author:x")).ids == (item.pk,)


def test_locked_fields_resist_automatic_metadata_and_unlock_works():
    item = make_item("Dune")
    services.update_metadata(item.pk, {"title": "My Title"})
    item.refresh_from_db()
    assert services.apply_metadata(item, {"title": "Provider Title", "year": 1965}) == ["year"]
    assert item.title == "My Title"
    services.update_metadata(item.pk, {}, unlock={"title"})
    item.refresh_from_db()
    assert "title" not in item.locked_fields


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "title cannot be empty"),
        ({"year": "abc"}, "whole number"),
        ({"year": 0}, "between"),
        ({"isbn13": "123"}, "not a valid ISBN"),
        ({"series_index": "x"}, "number"),
        ({"cover_path": "x"}, "Unknown"),
    ],
)
def test_bad_edits_are_refused_without_changes(changes, message):
    item = make_item("Dune", year=1965)
    with pytest.raises(InvalidInput, match=message):
        services.update_metadata(item.pk, changes)
    item.refresh_from_db()
    assert item.title == "Dune" and item.year == 1965 and not MetadataEdit.objects.exists()


def test_revert_restores_the_old_value():
    item = make_item("Dune")
    services.update_metadata(item.pk, {"title": "Wrong"})
    edit = MetadataEdit.objects.get()
    services.revert_edit(edit.pk)
    item.refresh_from_db()
    assert item.title == "Dune"
    edit.refresh_from_db()
    assert edit.reverted_at is not None


@pytest.fixture
def reader(reader_user):
    other = Client()
    other.force_login(reader_user)
    return other


def test_edit_api_needs_admin_and_returns_detail(admin_client, reader):
    reader_client = reader
    item = make_item("Dune")
    url = f"/api/library/items/{item.pk}/metadata"
    assert (
        reader_client.post(url, {"changes": {"title": "X"}}, content_type="application/json").status_code
        == 403
    )
    body = admin_client.post(
        url, {"changes": {"publisher": "Ace"}, "lock": ["year"]}, content_type="application/json"
    ).json()
    assert body["success"] and set(body["data"]["locked_fields"]) == {"publisher", "year"}
    bad = admin_client.post(url, {"changes": {"year": "nope"}}, content_type="application/json")
    assert bad.status_code == 422 and "whole number" in bad.json()["error"]


@pytest.fixture
def item_with_files(tmp_path):
    folder = tmp_path / "lib" / "Frank Herbert"
    folder.mkdir(parents=True)
    epub, pdf = folder / "Dune.epub", folder / "Dune.pdf"
    epub.write_bytes(b"epub-bytes")
    pdf.write_bytes(b"%PDF-1.4 bytes")
    item = make_item("Dune", authors=["Frank Herbert"], tags=["SF"], identifiers=[("openlibrary", "OL1M")])
    for path in (epub, pdf):
        LibraryFile.objects.create(
            item=item, path=str(path), size=path.stat().st_size, mtime_ns=1, format=path.suffix[1:]
        )
    return item, epub, pdf


def test_recycle_moves_files_and_undo_restores_everything(item_with_files):
    item, epub, pdf = item_with_files
    entry = recycle.recycle_item(item.pk)
    assert entry.state == RecycleState.RECYCLED and not epub.exists() and not pdf.exists()
    recycled = [Path(m["to"]) for m in entry.moves]
    assert all(p.exists() and Path(settings.RECYCLE_DIR) in p.parents for p in recycled)
    assert recycled[0].read_bytes() == b"epub-bytes"
    assert not MediaItem.objects.exists() and not LibraryFile.objects.exists()
    assert run(SearchRequest(q="dune")).ids == ()

    restored = recycle.restore_entry(entry.pk)
    assert restored.pk == item.pk and epub.read_bytes() == b"epub-bytes" and pdf.exists()
    assert [c.author.name for c in restored.contributions.all()] == ["Frank Herbert"]
    assert restored.tags.get().name == "SF" and restored.identifiers.get().value == "OL1M"
    assert LibraryFile.objects.filter(item=restored).count() == 2
    assert run(SearchRequest(q="dune")).ids == (item.pk,)
    assert RecycleEntry.objects.get().state == RecycleState.RESTORED


def test_undo_refuses_to_overwrite_a_file_that_came_back(item_with_files):
    item, epub, _ = item_with_files
    entry = recycle.recycle_item(item.pk)
    epub.write_bytes(b"a new file")
    with pytest.raises(Conflict):
        recycle.restore_entry(entry.pk)
    assert epub.read_bytes() == b"a new file" and Path(entry.moves[0]["to"]).exists()


def test_failed_move_puts_files_back_and_keeps_the_item(item_with_files, settings, tmp_path):
    item, epub, pdf = item_with_files
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("file in the way")
    settings.RECYCLE_DIR = blocker
    with pytest.raises(Conflict):
        recycle.recycle_item(item.pk)
    assert epub.exists() and pdf.exists() and MediaItem.objects.filter(pk=item.pk).exists()
    assert RecycleEntry.objects.get().state == RecycleState.FAILED


def test_delete_and_restore_api(admin_client, reader, item_with_files):
    reader_client = reader
    item, epub, _ = item_with_files
    assert reader_client.delete(f"/api/library/items/{item.pk}").status_code == 403
    response = admin_client.delete(f"/api/library/items/{item.pk}")
    assert response.status_code == 200, response.content
    entry = response.json()["data"]
    assert entry["state"] == "recycled" and not epub.exists()
    restored = admin_client.post(f"/api/library/recycle/{entry['id']}/restore").json()["data"]
    assert restored["url"] == f"/library/{item.pk}/" and epub.exists()
