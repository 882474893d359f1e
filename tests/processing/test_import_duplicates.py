"""Identical content is caught whatever its name: a download already in the library as
another item's file (imported or scanned) goes through the existing-file policy, and two
identical files inside one download are imported once. Real generated files throughout."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from media.models import FileState, LibraryFile, MediaKind
from processing.models import EventKind, ImportEvent, PostProcessStatus
from scanning.services import FolderInput, save_folder, scan_folder
from tests.processing import samples
from tests.processing.conftest import make_item, set_kind
from tests.processing.test_pipeline import run

pytestmark = pytest.mark.django_db
LE_GUIN = ("Ursula K. Le Guin",)


def library_books(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.epub"))


def renamed_copy(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


@pytest.fixture
def second_earthsea(db):
    """The same book wanted again as another catalogue item (no series: another folder)."""
    return make_item(title="A Wizard of Earthsea", authors=LE_GUIN, isbn13="9780547773742")


def test_download_identical_to_another_items_imported_file_goes_to_review(
    dirs, import_settings, earthsea, earthsea_epub, second_earthsea
):
    first = run(earthsea_epub.parent, earthsea)
    assert first.post_process_status == PostProcessStatus.COMPLETED, first.error
    filed = LibraryFile.objects.get(item=earthsea)
    download = renamed_copy(earthsea_epub, dirs.downloads / "retail" / "le-guin_earthsea-1968-RETAIL.epub")

    result = run(download.parent, second_earthsea)

    assert result.post_process_status == PostProcessStatus.NEEDS_REVIEW, result.error
    assert result.error_step == "duplicates"
    event = ImportEvent.objects.get(run=result)
    assert event.kind == EventKind.NEEDS_REVIEW
    assert "le-guin_earthsea-1968-RETAIL.epub is identical to" in event.message
    assert filed.path in event.message and f"item #{earthsea.pk}" in event.message
    assert "“A Wizard of Earthsea”" in event.message and "(skip)" in event.message
    assert library_books(dirs.library) == ["Guin, Ursula K. Le/Earthsea/A Wizard of Earthsea.epub"]
    assert not LibraryFile.objects.filter(item=second_earthsea).exists()
    assert download.is_file()  # the download is left where it is


def import_twice(dirs, import_settings, first, second, epub: Path, *, policy: str, name: str):
    """`epub` filed for `first`, then the same bytes under `name` downloaded for `second`."""
    run(epub.parent, first)
    set_kind("ebook", existing_file_policy=policy)
    return run(renamed_copy(epub, dirs.downloads / "again" / name).parent, second)


def test_replace_policy_never_takes_the_file_away_from_another_item(
    dirs, import_settings, earthsea, earthsea_epub, second_earthsea
):
    result = import_twice(
        dirs, import_settings, earthsea, second_earthsea, earthsea_epub, policy="replace", name="Earthsea (v2).epub"
    )
    assert result.post_process_status == PostProcessStatus.NEEDS_REVIEW
    assert "(replace)" in result.error and not list(dirs.recycle.rglob("*"))
    assert LibraryFile.objects.get(item=earthsea).state == FileState.PRESENT


def test_keep_both_files_the_copy_and_names_the_other_item(
    dirs, import_settings, earthsea, earthsea_epub, second_earthsea
):
    result = import_twice(
        dirs, import_settings, earthsea, second_earthsea, earthsea_epub, policy="keep_both", name="wizard.epub"
    )
    assert result.post_process_status == PostProcessStatus.COMPLETED, result.error
    assert library_books(dirs.library) == [
        "Guin, Ursula K. Le/A Wizard of Earthsea.epub",
        "Guin, Ursula K. Le/Earthsea/A Wizard of Earthsea.epub",
    ]
    message = ImportEvent.objects.get(run=result).message
    first = dirs.library / "Guin, Ursula K. Le" / "Earthsea" / "A Wizard of Earthsea.epub"
    assert message.startswith("Filed ") and f"wizard.epub is identical to {first}" in message
    assert f"(item #{earthsea.pk}): filed as well (existing-file policy: keep both)" in message


def test_download_identical_to_a_scanned_file_under_another_name_is_caught(dirs, import_settings, earthsea):
    """The library file was found by a scan (its partial hash and SHA-256 as the scanner
    records them), not by an import; the download has another name."""
    shelf = dirs.library / "shelf"
    scanned = samples.make_epub(shelf / "Ursula Le Guin" / "Wizard.epub", title="A Wizard of Earthsea", authors=LE_GUIN)
    folder = save_folder(FolderInput(path=str(shelf), content_type="mixed"))
    assert scan_folder(folder.pk)["added"] == 1
    owner = LibraryFile.objects.get(path=str(scanned)).item
    assert owner is not None and owner.pk != earthsea.pk
    download = renamed_copy(scanned, dirs.downloads / "A Wizard of Earthsea (1968).epub")

    result = run(download, earthsea)

    assert result.post_process_status == PostProcessStatus.NEEDS_REVIEW, result.error
    assert str(scanned) in result.error and f"item #{owner.pk}" in result.error
    assert not LibraryFile.objects.filter(item=earthsea).exists()


def test_identical_files_in_one_download_are_imported_once(dirs, import_settings, earthsea, earthsea_epub):
    renamed_copy(earthsea_epub, earthsea_epub.parent / "copy of A Wizard of Earthsea.epub")

    result = run(earthsea_epub.parent, earthsea)

    assert result.post_process_status == PostProcessStatus.COMPLETED, result.error
    assert library_books(dirs.library) == ["Guin, Ursula K. Le/Earthsea/A Wizard of Earthsea.epub"]
    assert LibraryFile.objects.filter(item=earthsea).count() == 1
    assert "copy of A Wizard of Earthsea.epub is identical to A Wizard of Earthsea.epub in this download" in (
        ImportEvent.objects.get(run=result).message
    )


def test_identical_parts_in_one_audiobook_download_are_one_part(dirs, import_settings):
    item = make_item(title="The Left Hand of Darkness", authors=LE_GUIN, kind=MediaKind.AUDIOBOOK)
    root = dirs.downloads / "lhod"
    for frames, part in ((40, "Part 1"), (41, "Part 2")):
        samples.make_mp3(root / f"{part}.mp3", album="The Left Hand of Darkness", artist=LE_GUIN[0], frames=frames)
    renamed_copy(root / "Part 2.mp3", root / "Part 2 (1).mp3")

    result = run(root, item)

    assert result.post_process_status == PostProcessStatus.COMPLETED, result.error
    assert LibraryFile.objects.filter(item=item).count() == 2
    assert "Part 2 (1).mp3 is identical to Part 2.mp3 in this download: imported once" in (
        ImportEvent.objects.get(run=result).message
    )
