"""Preview and execute on real files and the real database."""

from __future__ import annotations

import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

from media.models import LibraryFile
from processing.renaming import journal, undo
from processing.renaming.models import BatchState, ConflictPolicy, OpState, RenameOperation
from processing.renaming.services import Selection, create_preview, plan_batch
from tests.renaming.conftest import add_file, make_item, tree, write

COMPREHENSIVE = "${author.sortname}/${bookseries.title}/${title}.${ext}"
pytestmark = pytest.mark.django_db


def preview(root, template=COMPREHENSIVE, policy=ConflictPolicy.SKIP, **selection):
    return create_preview(
        template=template,
        selection=Selection.parse(selection or {"everything": True}),
        policy=policy,
        root=root,
    )


def ops(batch, **filters):
    return list(RenameOperation.objects.filter(batch=batch, **filters).order_by("seq"))


def test_preview_then_execute_moves_files_and_updates_database(library):
    dune = make_item(
        library, "Dune", files=("incoming/dune.epub", "incoming/dune.mobi"), series="Dune", index="1"
    )
    solo = make_item(library, "The Dosadi Experiment", files=("x/dosadi.epub",))
    batch = preview(library)
    assert batch.state == BatchState.PLANNED
    planned = {Path(o.source).name: o.destination for o in ops(batch)}
    assert planned["dune.epub"] == str(library / "Herbert, Frank/Dune/Dune.epub")
    assert planned["dosadi.epub"] == str(
        library / "Herbert, Frank/The Dosadi Experiment.epub"
    )  # no series folder
    result = journal.execute_batch(batch.pk)
    assert result["state"] == BatchState.DONE
    assert tree(library) == {
        "Herbert, Frank/Dune/Dune.epub",
        "Herbert, Frank/Dune/Dune.mobi",
        "Herbert, Frank/The Dosadi Experiment.epub",
    }
    db_paths = set(LibraryFile.objects.values_list("path", flat=True))
    assert db_paths == set(planned.values())  # preview and execute agree, database matches disk
    assert all(Path(p).read_text().startswith(("Dune:", "The Dosadi")) for p in db_paths)
    assert {f.item_id for f in LibraryFile.objects.all()} == {dune.pk, solo.pk}
    assert not (library / "incoming").exists() and not (library / "x").exists()  # empty folders removed


def test_second_preview_of_a_renamed_library_is_all_unchanged(library):
    make_item(library, "Dune", files=("a/dune.epub",))
    journal.execute_batch(preview(library).pk)
    again = preview(library)
    assert [o.conflict for o in ops(again)] == ["unchanged"]
    assert again.totals.get("planned", 0) == 0


def test_collision_skip_policy_leaves_both_files(library):
    make_item(library, "Dune", files=("a/dune.epub",))
    write(library / "Herbert, Frank/Dune.epub", "someone else's")
    batch = preview(library)
    [op] = ops(batch)
    assert (op.state, op.conflict) == (OpState.SKIPPED, "destination_exists")
    journal.execute_batch(batch.pk)
    assert (library / "a/dune.epub").exists()
    assert (library / "Herbert, Frank/Dune.epub").read_text() == "someone else's"


def test_collision_suffix_policy_adds_number(library):
    make_item(library, "Dune", files=("a/dune.epub",))
    write(library / "Herbert, Frank/dune.EPUB", "someone else's")  # case-insensitive clash
    batch = preview(library, policy=ConflictPolicy.SUFFIX)
    [op] = ops(batch)
    assert op.destination.endswith("Herbert, Frank/Dune (1).epub") and op.conflict == "destination_exists"
    journal.execute_batch(batch.pk)
    assert (library / "Herbert, Frank/Dune (1).epub").read_text() == "Dune:a/dune.epub"
    assert (library / "Herbert, Frank/dune.EPUB").read_text() == "someone else's"


def test_two_items_mapping_to_one_destination_are_flagged(library):
    make_item(library, "Dune", files=("a/dune.epub",))
    make_item(library, "Dune", files=("b/dune.epub",))
    skip = ops(preview(library))
    assert [o.state for o in skip] == [OpState.PLANNED, OpState.SKIPPED]
    assert skip[1].conflict == "duplicate_destination"
    suffix = ops(preview(library, policy=ConflictPolicy.SUFFIX))
    assert [Path(o.destination).name for o in suffix] == ["Dune.epub", "Dune (1).epub"]


def test_overwrite_needs_confirmation_and_recycles_old_file(library, settings):
    from core.errors import InvalidInput
    from processing.renaming.services import request_execute

    make_item(library, "Dune", files=("a/dune.epub",))
    write(library / "Herbert, Frank/Dune.epub", "old copy")
    batch = preview(library, policy=ConflictPolicy.OVERWRITE)
    with pytest.raises(InvalidInput):
        request_execute(batch.pk, confirm_overwrite=False)
    assert journal.execute_batch(batch.pk)["state"] == BatchState.PLANNED  # refuses without confirmation
    batch.overwrite_confirmed = True
    batch.save()
    journal.execute_batch(batch.pk)
    assert (library / "Herbert, Frank/Dune.epub").read_text() == "Dune:a/dune.epub"
    [op] = ops(batch)
    assert Path(op.recycle_path).read_text() == "old copy"
    assert Path(op.recycle_path).is_relative_to(settings.RECYCLE_DIR)
    undo.revert_batch(batch.pk)
    assert (library / "a/dune.epub").read_text() == "Dune:a/dune.epub"
    assert (library / "Herbert, Frank/Dune.epub").read_text() == "old copy"  # restored from recycle


def test_missing_metadata_is_flagged_not_moved(library):
    make_item(library, "Saga", files=("c/saga.cbz",), kind="comic", author="")
    batch = preview(library, template="${bookseries.title} (${year})/${bookseries.title} #${issue}.${ext}")
    [op] = ops(batch)
    assert (op.state, op.conflict) == (OpState.SKIPPED, "missing_metadata")


def test_companions_move_with_the_book_in_an_owned_folder(library):
    item = make_item(library, "Dune", files=("old/Dune Book/dune.epub",), series="Dune", index="1")
    add_file(item, library / "old/Dune Book/dune.pdf")  # other format of the same book
    for extra in (
        "cover.jpg",
        "metadata.opf",
        "dune.nfo",
        "dune.en.srt",
        "extras/map.png",
        "extras/deep/notes.txt",
    ):
        write(library / "old/Dune Book" / extra, extra)
    batch = preview(library)
    journal.execute_batch(batch.pk)
    base = "Herbert, Frank/Dune/"  # the series' folder: generic sidecars are named after the book
    assert tree(library) == {
        base + name
        for name in (
            "Dune.epub",
            "Dune.pdf",
            "Dune.jpg",
            "Dune.opf",
            "Dune.nfo",
            "Dune.en.srt",
            "extras/map.png",
            "extras/deep/notes.txt",
        )
    }
    assert not (library / "old").exists()
    undo.revert_batch(batch.pk)
    assert tree(library) == {
        "old/Dune Book/" + name
        for name in (
            "dune.epub",
            "dune.pdf",
            "cover.jpg",
            "metadata.opf",
            "dune.nfo",
            "dune.en.srt",
            "extras/map.png",
            "extras/deep/notes.txt",
        )
    }
    assert set(LibraryFile.objects.values_list("path", flat=True)) == {
        str(library / "old/Dune Book/dune.epub"),
        str(library / "old/Dune Book/dune.pdf"),
    }


def test_shared_folder_only_same_stem_companions_move(library):
    make_item(library, "Dune", files=("flat/dune.epub",))
    make_item(library, "Emma", files=("flat/emma.epub",), author="Jane Austen")
    write(library / "flat/dune.opf", "dune meta")
    write(library / "flat/cover.jpg", "whose cover?")
    journal.execute_batch(preview(library).pk)
    assert tree(library) == {
        "Herbert, Frank/Dune.epub",
        "Herbert, Frank/Dune.opf",
        "Austen, Jane/Emma.epub",
        "flat/cover.jpg",
    }


def test_audiobook_folder_moves_whole_with_its_tracks(library):
    item = make_item(library, "Dune", kind="audiobook", files=("rip/Dune/01.mp3",), narrator="Scott Brick")
    add_file(item, library / "rip/Dune/02.mp3")
    write(library / "rip/Dune/cover.jpg")
    write(library / "rip/Dune/Dune.cue")
    write(library / "rip/Dune/03.mp3")  # a track the scanner did not register
    template = "${author.sortname}/${title} - ${narrator}/${originalFilename}.${ext}"
    journal.execute_batch(preview(library, template=template).pk)
    base = "Herbert, Frank/Dune - Scott Brick/"
    assert tree(library) == {base + n for n in ("01.mp3", "02.mp3", "03.mp3", "cover.jpg", "Dune.cue")}


def test_revert_single_item_leaves_the_others(library):
    dune = make_item(library, "Dune", files=("a/dune.epub",))
    make_item(library, "Emma", files=("b/emma.epub",), author="Jane Austen")
    batch = preview(library)
    journal.execute_batch(batch.pk)
    result = undo.revert_batch(batch.pk, item_id=dune.pk)
    assert result["state"] == BatchState.DONE
    assert tree(library) == {"a/dune.epub", "Austen, Jane/Emma.epub"}
    assert undo.revert_batch(batch.pk)["state"] == BatchState.REVERTED
    assert tree(library) == {"a/dune.epub", "b/emma.epub"}


@contextmanager
def read_only_folder(path: Path):
    """chmod for normal users; root ignores it, so use the immutable attribute (ext4)."""
    if os.geteuid() != 0:
        path.chmod(0o500)
        try:
            yield
        finally:
            path.chmod(0o700)
        return
    if (
        not shutil.which("chattr")
        or subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode
    ):
        pytest.skip("cannot make a read-only folder here (root without chattr +i)")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_permission_error_fails_that_file_only(library):
    make_item(library, "Dune", files=("locked/dune.epub",))
    make_item(library, "Emma", files=("free/emma.epub",), author="Jane Austen")
    batch = preview(library)
    with read_only_folder(library / "locked"):
        result = journal.execute_batch(batch.pk)
    states = {Path(o.source).name: (o.state, o.message) for o in ops(batch)}
    assert states["emma.epub"][0] == OpState.DONE
    assert states["dune.epub"][0] == OpState.FAILED and "Permission denied" in states["dune.epub"][1]
    assert (library / "locked/dune.epub").read_text() == "Dune:locked/dune.epub"
    assert not (library / "Herbert, Frank").exists()  # no second copy left behind
    assert result["failed"] == 1 and result["state"] == BatchState.DONE
    assert LibraryFile.objects.get(path__endswith="dune.epub").path == str(library / "locked/dune.epub")


def test_plan_is_recomputed_in_chunks(library, monkeypatch):
    monkeypatch.setattr("processing.renaming.services.PLAN_CHUNK", 3)
    for n in range(7):
        make_item(library, f"Book {n}", files=(f"in/{n}.epub",))
    batch = preview(library)
    assert plan_batch(batch.pk)["planned"] == 7
    assert [o.seq for o in ops(batch)] == list(range(7))


class Crash(BaseException):
    """Stands for a power cut: nothing after it runs."""


def test_interrupted_item_revert_is_finished_for_that_item_only(library, monkeypatch):
    dune = make_item(library, "Dune", files=("a/dune.epub",))
    make_item(library, "Emma", files=("b/emma.epub",), author="Jane Austen")
    batch = preview(library)
    journal.execute_batch(batch.pk)
    real_move = undo.fsops.move

    def move_then_crash(src, dst):
        real_move(src, dst)
        raise Crash

    monkeypatch.setattr(undo.fsops, "move", move_then_crash)
    with pytest.raises(Crash):
        undo.revert_batch(batch.pk, item_id=dune.pk)
    monkeypatch.setattr(undo.fsops, "move", real_move)
    assert ops(batch, state=OpState.REVERTING)  # journal shows the move in flight
    [result] = undo.recover_interrupted(stale_seconds=0)
    assert result["state"] == BatchState.DONE  # Emma stays renamed
    assert tree(library) == {"a/dune.epub", "Austen, Jane/Emma.epub"}
    assert LibraryFile.objects.get(item=dune).path == str(library / "a/dune.epub")
