"""Delete-to-recycle with undo, on real files. (Hand edits, locks and history are the metadata
app's provenance: tests/search/test_manual_edits.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from core.errors import Conflict
from media import recycle
from media.models import LibraryFile, MediaItem, RecycleEntry, RecycleState
from media.search import SearchRequest, run
from tests.ui.factories import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(reader_user):
    other = Client()
    other.force_login(reader_user)
    return other


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


def test_restore_of_an_old_snapshot_ignores_fields_that_no_longer_exist(item_with_files):
    item, epub, _ = item_with_files
    entry = recycle.recycle_item(item.pk)
    entry.snapshot["fields"]["locked_fields"] = ["title"]  # written before hand edits moved to provenance
    entry.save(update_fields=["snapshot"])
    restored = recycle.restore_entry(entry.pk)
    assert restored.title == "Dune" and epub.exists()
