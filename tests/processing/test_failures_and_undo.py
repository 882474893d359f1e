"""Failures give a clear reason and never touch the original; review, retry after a fix,
existing-file policies, disk full, and undo."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from core.errors import ServiceUnavailable
from media.models import LibraryFile, MediaStatus
from processing import fileops, services
from processing.models import ImportFileOperation, OperationState, PostProcessStatus
from tests.processing import samples
from tests.processing.conftest import make_item, set_kind
from tests.processing.test_pipeline import run, steps

pytestmark = pytest.mark.django_db
BOOK = Path("Guin, Ursula K. Le") / "Earthsea" / "A Wizard of Earthsea.epub"


def library_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_missing_storage_path_fails_at_locate_with_the_reason(dirs, import_settings, earthsea):
    result = run(dirs.downloads / "never-downloaded", earthsea)
    assert result.post_process_status == PostProcessStatus.FAILED
    assert result.error_step == "locate" and "does not exist" in result.error
    earthsea.refresh_from_db()
    assert earthsea.status == MediaStatus.POST_PROCESSED_FAILED


def test_unreadable_file_fails_verify_and_is_left_alone(dirs, import_settings, earthsea):
    broken = dirs.downloads / "A Wizard of Earthsea.epub"
    broken.write_bytes(b"PK\x03\x04 truncated download" * 20)
    before = broken.read_bytes()
    result = run(broken, earthsea)
    assert (result.post_process_status, result.error_step) == (PostProcessStatus.FAILED, "verify")
    assert "not a valid .epub" in result.error
    assert broken.read_bytes() == before and library_files(dirs.library) == []


def test_conversion_failure_fails_the_run_and_files_nothing(dirs, import_settings, earthsea):
    fake = dirs.downloads / "dl" / "A Wizard of Earthsea.mobi"
    fake.parent.mkdir()
    fake.write_bytes(b"\x00" * 60 + b"BOOKMOBI" + b"\xff" * 4000)
    with pytest.raises(services.ImportFailed, match="failed at convert: ebook-convert failed"):
        services.run_import(
            services.create_run(storage_path=str(fake.parent), media_item_id=earthsea.pk, action="convert").pk
        )
    assert library_files(dirs.library) == [] and fake.exists()


def test_mismatch_goes_to_review_and_is_filed_after_acceptance(dirs, import_settings, earthsea):
    other = samples.make_epub(dirs.downloads / "x" / "Dune.epub", title="Dune", authors=("Frank Herbert",))
    result = run(other, earthsea)
    assert result.post_process_status == PostProcessStatus.NEEDS_REVIEW
    assert "'Dune' by Frank Herbert" in result.error
    assert steps(result)["identify"] == "stopped" and "place" not in steps(result)
    assert library_files(dirs.library) == []
    identify = next(s for s in result.steps if s["name"] == "identify")
    assert identify["detail"]["breakdown"]["title"] > 0.5

    again = services.rerun(result.pk, accept_mismatch=True)
    services.run_import(again.pk)
    again.refresh_from_db()
    assert again.post_process_status == PostProcessStatus.COMPLETED and again.rerun_of_id == result.pk
    assert str(BOOK) in library_files(dirs.library)


def test_isbn_match_wins_over_a_different_title(dirs, import_settings, earthsea):
    epub = samples.make_epub(
        dirs.downloads / "x.epub", title="Earthsea 1 (Retail)", authors=("Le Guin",), isbn="978-0-547-77374-2"
    )
    result = run(epub, earthsea)
    assert result.post_process_status == PostProcessStatus.COMPLETED
    assert result.result["match"]["isbn"] == 0.0


def test_retry_after_a_fix(dirs, import_settings, earthsea):
    target = dirs.downloads / "late"
    first = run(target, earthsea)
    assert first.post_process_status == PostProcessStatus.FAILED
    samples.make_epub(
        target / "A Wizard of Earthsea.epub", title="A Wizard of Earthsea", authors=("Ursula K. Le Guin",)
    )
    second = services.rerun(first.pk)
    services.run_import(second.pk)
    second.refresh_from_db()
    assert second.post_process_status == PostProcessStatus.COMPLETED
    earthsea.refresh_from_db()
    assert earthsea.status == MediaStatus.POST_PROCESSED_SUCCESS


def test_undo_puts_everything_back(dirs, import_settings, earthsea, earthsea_epub):
    set_kind("ebook", import_mode="move")
    original = earthsea_epub.read_bytes()
    result = run(earthsea_epub.parent, earthsea)
    assert result.post_process_status == PostProcessStatus.COMPLETED
    assert not earthsea_epub.exists() and LibraryFile.objects.filter(item=earthsea).count() == 1

    undone = services.undo_import(result.pk)

    assert undone.post_process_status == PostProcessStatus.UNDONE
    assert earthsea_epub.read_bytes() == original  # moved back where the download client left it
    assert library_files(dirs.library) == [] and list(dirs.library.iterdir()) == []  # folders removed too
    assert LibraryFile.objects.filter(item=earthsea).count() == 0
    earthsea.refresh_from_db()
    assert earthsea.status == MediaStatus.DOWNLOADED and earthsea.cover_path == ""
    assert set(ImportFileOperation.objects.filter(run=result).values_list("state", flat=True)) == {
        OperationState.UNDONE
    }


def test_replace_policy_recycles_the_old_file_and_undo_restores_it(
    dirs, import_settings, earthsea, earthsea_epub
):
    set_kind("ebook", existing_file_policy="replace")
    old = dirs.library / BOOK
    old.parent.mkdir(parents=True)
    old.write_bytes(b"an older edition")
    result = run(earthsea_epub.parent, earthsea)
    assert result.post_process_status == PostProcessStatus.COMPLETED, result.error
    assert old.read_bytes() == earthsea_epub.read_bytes()
    recycled = list(dirs.recycle.rglob("*.epub"))
    assert len(recycled) == 1 and recycled[0].read_bytes() == b"an older edition"
    services.undo_import(result.pk)
    assert old.read_bytes() == b"an older edition" and not list(dirs.recycle.rglob("*.epub"))


def test_skip_and_keep_both_policies(dirs, import_settings, earthsea, earthsea_epub):
    existing = dirs.library / BOOK
    existing.parent.mkdir(parents=True)
    existing.write_bytes(b"someone else's file")
    skipped = run(earthsea_epub.parent, earthsea)
    assert skipped.post_process_status == PostProcessStatus.COMPLETED
    assert "Nothing filed" in skipped.result["note"] and existing.read_bytes() == b"someone else's file"

    set_kind("ebook", existing_file_policy="keep_both")
    both = run(earthsea_epub.parent, earthsea)
    assert both.post_process_status == PostProcessStatus.COMPLETED
    assert (existing.parent / "A Wizard of Earthsea (2).epub").is_file()
    assert existing.read_bytes() == b"someone else's file"


def test_same_file_again_is_recognised_as_a_duplicate(dirs, import_settings, earthsea, earthsea_epub):
    first = run(earthsea_epub.parent, earthsea)
    second = run(earthsea_epub.parent, earthsea)
    assert (first.post_process_status, second.post_process_status) == ("completed", "completed")
    assert [p["outcome"] for p in second.result["placed"]] == ["duplicate"]
    assert LibraryFile.objects.filter(item=earthsea).count() == 1
    assert sorted(p.name for p in (dirs.library / BOOK).parent.iterdir()) == [
        "A Wizard of Earthsea.epub",
        "A Wizard of Earthsea.jpg",
        "A Wizard of Earthsea.opf",
    ]


def test_books_of_a_series_folder_get_sidecars_named_after_them(dirs, import_settings, earthsea, earthsea_epub):
    run(earthsea_epub.parent, earthsea)
    shore = make_item(
        title="The Farthest Shore", authors=("Ursula K. Le Guin",), series="Earthsea", series_index="3"
    )
    epub = samples.make_epub(
        dirs.downloads / "shore.epub",
        title="The Farthest Shore",
        authors=("Ursula K. Le Guin",),
        cover=samples.image_bytes(700, 1000),
    )
    result = run(epub, shore)
    assert result.post_process_status == PostProcessStatus.COMPLETED, result.error
    assert sorted(p.name for p in (dirs.library / BOOK).parent.iterdir()) == [
        "A Wizard of Earthsea.epub",
        "A Wizard of Earthsea.jpg",
        "A Wizard of Earthsea.opf",
        "The Farthest Shore.epub",
        "The Farthest Shore.jpg",
        "The Farthest Shore.opf",
    ]


def _mount_tiny_tmpfs(path: Path) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(path)], capture_output=True)
    return done.returncode == 0


def test_disk_full_is_transient_and_leaves_no_half_file(
    dirs, import_settings, earthsea, settings, tmp_path, monkeypatch
):
    set_kind("ebook", import_mode="copy")
    samples.make_epub(
        dirs.downloads / "big" / "A Wizard of Earthsea.epub",
        title="A Wizard of Earthsea",
        authors=("Ursula K. Le Guin",),
        cover=samples.image_bytes(1200, 1800, (1, 2, 3)),
    )
    small = tmp_path / "small-library"
    mounted = _mount_tiny_tmpfs(small)
    if not mounted:  # no tmpfs here: fail the copy the way a full disk does

        def full(source, destination):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(fileops.shutil, "copy2", full)
    settings.LIBRARY_DIR = small
    try:
        created = services.create_run(storage_path=str(dirs.downloads / "big"), media_item_id=earthsea.pk)
        with pytest.raises(ServiceUnavailable, match="No space left"):
            services.run_import(created.pk)
        created.refresh_from_db()
        assert created.post_process_status == PostProcessStatus.FAILED and created.error_step == "place"
        assert list(small.rglob("*")) == []  # no partial file, no empty folders
        assert (dirs.downloads / "big" / "A Wizard of Earthsea.epub").is_file()
    finally:
        if mounted:
            subprocess.run(["umount", str(small)], check=True)
    settings.LIBRARY_DIR = dirs.library  # space freed: the same run is claimed again by the job retry
    services.run_import(created.pk)
    created.refresh_from_db()
    assert created.post_process_status == PostProcessStatus.COMPLETED and created.attempts == 2
