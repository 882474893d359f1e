"""End to end through the pipeline service with real files (no queue): ebook, MOBI with
conversion, audiobook folder, comic, PDF; failure, review, retry and undo."""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

import pytest

from core.errors import ServiceUnavailable
from media.models import FileState, LibraryFile, MediaKind, MediaStatus
from processing import services
from processing.converters.ebook_convert import calibre_env
from processing.models import ImportFileOperation, ImportRun, PostProcessStatus
from processing.opf import parse_opf
from tests.processing import samples
from tests.processing.conftest import make_item

pytestmark = pytest.mark.django_db


def run(storage: Path | str, item, **kwargs) -> ImportRun:
    created = services.create_run(storage_path=str(storage), media_item_id=item.pk, **kwargs)
    with contextlib.suppress(services.ImportFailed, ServiceUnavailable):
        services.run_import(created.pk)
    created.refresh_from_db()
    return created


def steps(run_row: ImportRun) -> dict[str, str]:
    return {s["name"]: s["status"] for s in run_row.steps}


def test_epub_download_is_filed_with_opf_and_cover_by_hardlink(
    dirs, import_settings, earthsea, earthsea_epub
):
    result = run(earthsea_epub.parent, earthsea)

    assert result.post_process_status == PostProcessStatus.COMPLETED, result.error
    book = dirs.library / "Guin, Ursula K. Le" / "Earthsea" / "A Wizard of Earthsea.epub"
    assert book.is_file()
    assert os.stat(book).st_nlink == 2 and os.path.samefile(book, earthsea_epub)  # hardlink: still seeding
    # the series folder is shared by the series' books: the sidecars are named after this one
    cover, opf = book.with_suffix(".jpg"), book.with_suffix(".opf")
    assert cover.is_file() and opf.is_file()
    ops = {Path(o.destination).name: o for o in ImportFileOperation.objects.filter(run=result)}
    assert ops[cover.name].sequence < ops[opf.name].sequence  # cover before the OPF that names it
    meta = parse_opf(opf.read_bytes())
    assert meta.title == "A Wizard of Earthsea" and meta.cover_href == "A Wizard of Earthsea.jpg"
    assert meta.description == "<p>A boy & his <b>shadow</b>. 魔法使い</p>"
    assert meta.identifier("isbn") == "9780547773742" and meta.identifier("omnireadarr") == str(earthsea.pk)
    read = subprocess.run(
        ["ebook-meta", str(opf)], capture_output=True, text=True, env=calibre_env(), check=True, timeout=120
    ).stdout
    assert "Earthsea #1" in read and "[Guin, Ursula K. Le]" in read
    assert steps(result) == {
        "locate": "ok",
        "size": "skipped",
        "verify": "ok",
        "repack": "skipped",
        "extract": "ok",
        "identify": "ok",
        "convert": "skipped",
        "embed": "skipped",
        "duplicates": "ok",
        "place": "ok",
        "sidecars": "ok",
        "catalogue": "ok",
    }
    row = LibraryFile.objects.get(path=str(book))
    assert (row.item_id, row.format, row.state, row.size) == (
        earthsea.pk,
        "epub",
        FileState.PRESENT,
        book.stat().st_size,
    )
    earthsea.refresh_from_db()
    assert earthsea.status == MediaStatus.POST_PROCESSED_SUCCESS
    assert earthsea.cover_path and (Path(os.environ["OMNI_DATA_DIR"]) / earthsea.cover_path).is_file()


def test_mobi_is_converted_to_epub_and_the_original_kept(dirs, import_settings, session_mobi):
    item = make_item(
        title="The Tombs of Atuan", authors=("Ursula K. Le Guin",), series="Earthsea", series_index="2"
    )
    download = dirs.downloads / "atuan"
    download.mkdir()
    (download / "The Tombs of Atuan.mobi").write_bytes(session_mobi.read_bytes())

    result = run(download, item)

    assert result.post_process_status == PostProcessStatus.COMPLETED, result.error
    folder = dirs.library / "Guin, Ursula K. Le" / "Earthsea"
    assert sorted(p.name for p in folder.iterdir()) == [
        "The Tombs of Atuan.epub",
        "The Tombs of Atuan.jpg",
        "The Tombs of Atuan.mobi",
        "The Tombs of Atuan.opf",
    ]
    assert steps(result)["convert"] == "ok"
    assert set(LibraryFile.objects.filter(item=item).values_list("format", flat=True)) == {"epub", "mobi"}
    assert not (Path(os.environ["OMNI_DATA_DIR"]) / "work" / f"import-{result.pk}").exists()  # cleaned up


def test_audiobook_folder_becomes_one_item_with_parts_in_order(dirs, import_settings):
    item = make_item(
        title="The Left Hand of Darkness", authors=("Ursula K. Le Guin",), kind=MediaKind.AUDIOBOOK
    )
    root = dirs.downloads / "Ursula K. Le Guin - The Left Hand of Darkness"
    samples.make_mp3(root / "CD 1" / "01.mp3", album="The Left Hand of Darkness", artist="Ursula K. Le Guin")
    samples.make_mp3(root / "CD 1" / "02.mp3", frames=41)  # parts of one recording differ: identical
    samples.make_mp3(root / "CD 2" / "01.mp3", frames=42)  # files would be one part imported once
    samples.make_mp3(root / "CD 10" / "01.mp3", frames=43)
    (root / "folder.jpg").write_bytes(samples.image_bytes(500, 500))

    result = run(root, item)

    assert result.post_process_status == PostProcessStatus.COMPLETED, result.error
    folder = dirs.library / "Guin, Ursula K. Le" / "The Left Hand of Darkness"
    assert sorted(p.name for p in folder.iterdir()) == [
        "01 - 01.mp3",
        "02 - 02.mp3",
        "03 - 01.mp3",
        "04 - 01.mp3",
        "cover.jpg",
        "metadata.opf",
    ]
    assert os.path.samefile(folder / "04 - 01.mp3", root / "CD 10" / "01.mp3")
    assert LibraryFile.objects.filter(item=item, format="mp3").count() == 4


def test_comic_archive_is_filed_in_its_series_with_issue_number(dirs, import_settings):
    item = make_item(
        title="Saga #1", authors=("Brian K. Vaughan",), kind=MediaKind.COMIC, series="Saga", issue_number="1"
    )
    cbz = samples.make_cbz(
        dirs.downloads / "Saga 001 (2012).cbz", series="Saga", number="001", writer="Brian K. Vaughan"
    )
    result = run(cbz, item)
    assert result.post_process_status == PostProcessStatus.COMPLETED, result.error
    assert (dirs.library / "Saga" / "Saga #001.cbz").is_file()


def test_comic_with_another_issue_number_goes_to_review(dirs, import_settings):
    item = make_item(
        title="Saga #2", authors=("Brian K. Vaughan",), kind=MediaKind.COMIC, series="Saga", issue_number="2"
    )
    cbz = samples.make_cbz(
        dirs.downloads / "Saga 001.cbz", series="Saga", number="1", writer="Brian K. Vaughan"
    )
    assert run(cbz, item).post_process_status == PostProcessStatus.NEEDS_REVIEW


def test_pdf_is_filed_without_conversion(dirs, import_settings):
    item = make_item(title="The Dispossessed", authors=("Ursula K. Le Guin",))
    pdf = samples.make_pdf(
        dirs.downloads / "x" / "book.pdf", title="The Dispossessed", author="Ursula K. Le Guin"
    )
    result = run(pdf, item)
    assert result.post_process_status == PostProcessStatus.COMPLETED, result.error
    assert steps(result)["convert"] == "skipped"
    assert (dirs.library / "Guin, Ursula K. Le" / "The Dispossessed.pdf").is_file()
