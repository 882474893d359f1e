"""Upgrades through the real import pipeline: a book that has a PDF and whose profile's cutoff
is EPUB stays wanted; importing an EPUB files it, moves the PDF to the recycle folder (journaled)
and ends the upgrade; undo puts the PDF back, removes the EPUB and the book is wanted again."""

from __future__ import annotations

from pathlib import Path

import pytest

from downloaders.automation import due_wanted_items
from indexers import profiles
from media.models import FileState, LibraryFile, MediaStatus
from processing import services
from processing.models import ImportFileOperation, OperationKind, PostProcessStatus
from tests.processing import samples
from tests.processing.test_pipeline import run

pytestmark = pytest.mark.django_db


def _files(root: Path) -> list[str]:
    return sorted(p.name for p in root.rglob("*") if p.is_file() and p.suffix in (".pdf", ".epub"))


@pytest.fixture
def with_pdf(dirs, import_settings, earthsea):
    """Earthsea imported as a PDF through the pipeline (no conversion), then its profile's
    cutoff raised to EPUB."""
    import_settings.convert_ebooks = False
    import_settings.save()
    pdf = samples.make_pdf(dirs.downloads / "pdf" / "A Wizard of Earthsea.pdf",
                           title="A Wizard of Earthsea", author="Ursula K. Le Guin")
    first = run(pdf.parent, earthsea)
    assert first.post_process_status == PostProcessStatus.COMPLETED, first.error
    profile = profiles.default_profile("ebook")
    profiles.save_profile({**profiles.public(profile), "cutoff": "epub"}, profile)
    return earthsea


def test_a_pdf_below_the_cutoff_keeps_the_book_wanted_for_an_upgrade(with_pdf):
    state = profiles.item_state(with_pdf.pk)
    assert state.upgrade_wanted and state.message == "upgrade wanted: has PDF, cutoff EPUB"
    assert with_pdf.pk in due_wanted_items()


def test_an_epub_upgrade_recycles_the_pdf_and_undo_restores_it(dirs, with_pdf, earthsea_epub):
    old_pdf = Path(LibraryFile.objects.get(item=with_pdf, format="pdf").path)
    pdf_bytes = old_pdf.read_bytes()

    upgrade = run(earthsea_epub.parent, with_pdf)

    assert upgrade.post_process_status == PostProcessStatus.COMPLETED, upgrade.error
    assert _files(dirs.library) == ["A Wizard of Earthsea.epub"]
    recycled = list(dirs.recycle.rglob("*.pdf"))
    assert len(recycled) == 1 and recycled[0].read_bytes() == pdf_bytes
    recycle_ops = ImportFileOperation.objects.filter(run=upgrade, kind=OperationKind.RECYCLE)
    assert [op.source for op in recycle_ops if op.source.endswith(".pdf")] == [str(old_pdf)]
    assert any("upgrade: recycled" in note and "(PDF), replaced by EPUB" in note
               for s in upgrade.steps if s["name"] == "place" for note in s["detail"]["notes"])
    assert LibraryFile.objects.get(path=str(old_pdf)).state == FileState.MISSING
    state = profiles.item_state(with_pdf.pk)
    assert not state.upgrade_wanted and state.current == "epub"
    assert with_pdf.pk not in due_wanted_items()

    services.undo_import(upgrade.pk)

    assert old_pdf.read_bytes() == pdf_bytes and not list(dirs.recycle.rglob("*.pdf"))
    assert _files(dirs.library) == ["A Wizard of Earthsea.pdf"]
    assert LibraryFile.objects.get(path=str(old_pdf)).state == FileState.PRESENT
    assert not LibraryFile.objects.filter(item=with_pdf, format="epub").exists()
    assert profiles.item_state(with_pdf.pk).upgrade_wanted
    with_pdf.refresh_from_db()
    assert with_pdf.status == MediaStatus.POST_PROCESSED_SUCCESS
    assert with_pdf.pk in due_wanted_items()


def test_a_book_not_wanted_for_an_upgrade_keeps_its_pdf_beside_a_new_epub(dirs, with_pdf, earthsea_epub):
    profile = profiles.default_profile("ebook")
    profiles.save_profile({**profiles.public(profile), "cutoff": "pdf"}, profile)
    assert not profiles.item_state(with_pdf.pk).upgrade_wanted

    result = run(earthsea_epub.parent, with_pdf)

    assert result.post_process_status == PostProcessStatus.COMPLETED, result.error
    assert _files(dirs.library) == ["A Wizard of Earthsea.epub", "A Wizard of Earthsea.pdf"]
    assert not list(dirs.recycle.rglob("*.pdf"))  # (the book's OPF is rewritten: the old one is recycled)


def test_a_release_no_better_than_the_file_is_not_an_upgrade(dirs, with_pdf):
    other_pdf = samples.make_pdf(dirs.downloads / "again" / "A Wizard of Earthsea.pdf",
                                 title="A Wizard of Earthsea", author="Ursula K. Le Guin")
    result = run(other_pdf.parent, with_pdf)
    assert result.post_process_status == PostProcessStatus.COMPLETED  # the skip policy: nothing filed
    assert not list(dirs.recycle.rglob("*.pdf"))
    assert profiles.item_state(with_pdf.pk).upgrade_wanted
