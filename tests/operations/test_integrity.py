"""The integrity check on a real library (scanned EPUBs, stored covers, a rename journal), one
fault of each kind made the way it happens, and each one-click fix."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from core.errors import Conflict, InvalidInput
from core.models import Job
from media import recycle
from media.models import FileState, LibraryFile, MediaItem, RecycleEntry, RecycleState
from operations.integrity.fixes import apply_fix
from operations.integrity.services import run_check
from operations.models import FindingKind, FixAction, IntegrityFinding
from processing.renaming.models import BatchState, RenameBatch
from scanning.tasks import scan_folder as scan_actor
from tests.scanning import samples as s

pytestmark = pytest.mark.django_db


def _findings(report, kind):
    return list(report.findings.filter(kind=kind))


def test_a_healthy_library_has_no_fault(built_library):
    report = run_check()
    assert report.counts == {kind: 0 for kind in FindingKind.values} and not report.findings.exists()


def test_row_whose_file_is_gone_is_marked_missing_or_its_item_recycled(built_library):
    dune, emma = (LibraryFile.objects.get(item__title=t) for t in ("Dune", "Emma"))
    Path(dune.path).unlink()
    Path(emma.path).unlink()
    report = run_check()
    found = {f.path: f for f in _findings(report, FindingKind.MISSING_FILE)}
    assert set(found) == {dune.path, emma.path} and report.counts[FindingKind.MISSING_FILE] == 2
    assert found[dune.path].fixes == [FixAction.MARK_MISSING, FixAction.RECYCLE_ITEM]

    apply_fix(found[dune.path].pk, FixAction.MARK_MISSING)
    assert LibraryFile.objects.get(pk=dune.pk).state == FileState.MISSING
    fixed = apply_fix(found[emma.path].pk, FixAction.RECYCLE_ITEM)
    assert "recycle bin" in fixed.fix_result and not MediaItem.objects.filter(title="Emma").exists()
    entry = RecycleEntry.objects.get(title="Emma")
    assert entry.state == RecycleState.RECYCLED
    assert recycle.restore_entry(entry.pk).title == "Emma"  # undone from the recycle bin: nothing lost
    with pytest.raises(Conflict, match="already fixed"):
        apply_fix(found[dune.path].pk, FixAction.RECYCLE_ITEM)
    again = run_check()
    assert [f.fixes for f in _findings(again, FindingKind.MISSING_FILE) if f.path == dune.path] == [
        [FixAction.RECYCLE_ITEM]
    ]  # marked missing already: only the recycle is left


def test_file_no_row_knows_is_fixed_by_scanning_its_folder(built_library):
    new = s.make_epub(built_library.root / "new" / "Persuasion.epub", s.Book("Persuasion", uuid="p-1"))
    report = run_check()
    [finding] = _findings(report, FindingKind.UNKNOWN_FILE)
    assert finding.path == str(new) and finding.folder_id == built_library.folder.pk
    fixed = apply_fix(finding.pk, FixAction.SCAN_FOLDER)
    job = Job.objects.get(kind="scanning.scan_folder")
    assert job.params == {"folder_id": built_library.folder.pk} and f"#{job.pk}" in fixed.fix_result
    scan_actor.fn(job.pk)  # the job a worker would run
    assert LibraryFile.objects.filter(path=str(new)).exists()
    assert run_check().counts[FindingKind.UNKNOWN_FILE] == 0


def test_sidecars_without_a_book_go_to_the_recycle_bin(built_library):
    stray_opf = built_library.root / "Herbert, Frank" / "Children of Dune.opf"
    stray_opf.write_text("<package/>")
    own_opf = built_library.root / "Herbert, Frank" / "Dune.opf"  # Dune.epub is beside it: not a fault
    own_opf.write_text("<package/>")
    empty = built_library.root / "Ghost"
    empty.mkdir()
    (empty / "cover.jpg").write_bytes(s.jpeg())
    series = built_library.root / "Series"  # a series folder's cover above its volumes: not a fault
    s.make_epub(series / "Vol 1" / "Vol 1.epub", s.Book("Vol 1", uuid="v-1"))
    (series / "cover.jpg").write_bytes(s.jpeg())
    report = run_check()
    found = {f.path: f for f in _findings(report, FindingKind.ORPHAN_SIDECAR)}
    assert set(found) == {str(stray_opf), str(empty / "cover.jpg")}

    apply_fix(found[str(stray_opf)].pk, FixAction.RECYCLE_FILE)
    assert not stray_opf.exists() and own_opf.exists()
    entry = RecycleEntry.objects.get(title__startswith="Children of Dune.opf")
    assert Path(entry.moves[0]["to"]).read_text() == "<package/>"
    assert recycle.restore_entry(entry.pk) is None and stray_opf.read_text() == "<package/>"  # undo puts it back
    with pytest.raises(InvalidInput):
        apply_fix(found[str(empty / "cover.jpg")].pk, FixAction.SCAN_FOLDER)  # not a fix this fault offers


def test_cover_without_an_item_goes_to_the_recycle_bin_with_its_thumbnail(built_library, settings):
    used = set(MediaItem.objects.values_list("cover_path", flat=True))
    stray = Path(settings.COVERS_DIR) / "zz" / "zz-unused.jpg"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(s.noise_jpeg(99))
    report = run_check()
    [finding] = _findings(report, FindingKind.ORPHAN_COVER)
    assert finding.path == str(stray) and len(used) == 3
    apply_fix(finding.pk, FixAction.RECYCLE_FILE)
    assert not stray.exists() and all((built_library.data / p).is_file() for p in used)
    assert RecycleEntry.objects.get(title__startswith="zz-unused.jpg").state == RecycleState.RECYCLED


def test_cover_an_item_used_before_is_not_reported(built_library, settings):
    item = MediaItem.objects.get(title="Dune")
    old = item.cover_path
    MediaItem.objects.filter(pk=item.pk).update(cover_path="")
    RecycleEntry.objects.create(
        title="Dune", item_id_was=item.pk, state=RecycleState.RECYCLED, snapshot={"fields": {"cover_path": old}}
    )
    report = run_check()
    assert report.counts[FindingKind.ORPHAN_COVER] == 0  # an undo of the recycle brings it back


def test_journal_left_open_is_shown_with_its_batch(built_library):
    batch = RenameBatch.objects.get()
    RenameBatch.objects.filter(pk=batch.pk).update(
        state=BatchState.INTERRUPTED, heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    report = run_check()
    [finding] = _findings(report, FindingKind.OPEN_JOURNAL)
    assert finding.batch_id == batch.pk and "interrupted" in finding.detail and finding.fixes == []
    RenameBatch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now())  # being worked on right now
    assert run_check().counts[FindingKind.OPEN_JOURNAL] == 0


def test_many_faults_are_all_counted_and_some_stored(built_library, monkeypatch):
    monkeypatch.setattr("operations.integrity.services.STORED_PER_KIND", 2)
    for n in range(4):
        (built_library.root / f"stray {n}.opf").write_text("<package/>")
    report = run_check()
    assert report.counts[FindingKind.ORPHAN_SIDECAR] == 4 and report.truncated == [FindingKind.ORPHAN_SIDECAR]
    assert IntegrityFinding.objects.filter(report=report).count() == 2
