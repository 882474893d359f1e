"""CBR -> CBZ repacking with real RAR5 archives made by the `rar` command at test time
(solid and non-solid), hostile archives refused, and the repack step in the pipeline."""

from __future__ import annotations

import contextlib
import hashlib
import random
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import rarfile

from core.errors import ConfigurationError, InvalidInput, ServiceUnavailable
from media.models import LibraryFile, MediaKind
from processing import comics, services
from processing.comics import ArchiveLimits, ArchiveRejected, RarTools, repack_cbr, safe_member_name
from processing.models import PostProcessStatus
from tests.processing import samples
from tests.processing.conftest import make_item, set_kind

pytestmark = pytest.mark.skipif(not shutil.which("rar"), reason="the rar command makes the test archives")

PAGES = ("page1.png", "page2.png", "page10.png", "Page11.PNG")
ORDER = ["page1.png", "page2.png", "page10.png", "Page11.PNG", "ComicInfo.xml"]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("solid", [True, False], ids=["solid", "non-solid"])
def test_rar5_comic_becomes_a_stored_cbz_in_natural_order(tmp_path, solid):
    cbr = samples.make_cbr(
        tmp_path / "Saga 001.cbr",
        series="Saga",
        number="1",
        writer="Brian K. Vaughan",
        page_names=PAGES,
        solid=solid,
        extra={"release.nfo": b"greetings"},
    )
    before = sha(cbr)
    result = repack_cbr(cbr, tmp_path / "out.cbz")

    assert (result.pages, result.comicinfo, result.tool, result.solid) == (4, True, "unrar", solid)
    assert result.dropped == ("release.nfo",)
    with zipfile.ZipFile(result.output) as cbz:
        assert cbz.namelist() == ORDER
        assert {i.compress_type for i in cbz.infolist()} == {zipfile.ZIP_STORED}
        assert b"<Series>Saga</Series>" in cbz.read("ComicInfo.xml")
        with rarfile.RarFile(cbr) as rar:
            assert cbz.read("page10.png") == rar.read("page10.png")  # the same bytes, page by page
    assert sha(cbr) == before  # the original is only read


def test_a_solid_archive_is_decompressed_once_whatever_its_page_count(tmp_path):
    """Read member by member, a solid archive is decompressed from its start for every page."""
    calls = tmp_path / "calls"
    counting = tmp_path / "counting-unrar"
    counting.write_text(f'#!/bin/sh\necho "$1" >> {calls}\nexec {shutil.which("unrar")} "$@"\n')
    counting.chmod(0o755)
    runs = {}
    for pages in (2, 12):
        names = tuple(f"p{i}.png" for i in range(pages))
        cbr = samples.make_cbr(tmp_path / f"{pages}.cbr", series="S", number="1", writer="W", page_names=names)
        calls.write_text("")
        result = repack_cbr(cbr, tmp_path / f"{pages}.cbz", tools=RarTools(unrar=str(counting)))
        runs[pages] = calls.read_text().split()  # the first word of each run of the tool
        assert result.solid and result.pages == pages
        with zipfile.ZipFile(result.output) as cbz, rarfile.RarFile(cbr) as rar:
            assert all(cbz.read(name) == rar.read(name) for name in names)
    assert runs[2] == runs[12] and runs[12].count("x") == 1  # one extraction, the same for 2 or 12 pages
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # the private folder is gone


def test_unar_is_the_fallback_when_unrar_is_missing(tmp_path):
    cbr = samples.make_cbr(tmp_path / "a.cbr", series="Saga", number="2", writer="BKV", solid=False)
    result = repack_cbr(cbr, tmp_path / "a.cbz", tools=RarTools(unrar="no-such-unrar"))
    assert result.tool == "unar" and result.pages == 3


def test_no_rar_tool_is_a_configuration_error_naming_them(tmp_path):
    cbr = samples.make_cbr(tmp_path / "a.cbr", series="Saga", number="2", writer="BKV")
    with pytest.raises(ConfigurationError) as caught:
        repack_cbr(cbr, tmp_path / "a.cbz", tools=RarTools("no-unrar", "no-unar", "no-bsdtar"))
    assert all(tool in str(caught.value) for tool in ("unrar", "unar", "bsdtar"))
    assert not (tmp_path / "a.cbz").exists()


@pytest.mark.parametrize("tools", [RarTools("no-unrar", "no-unar"), RarTools(unrar="no-unrar")], ids=["bsdtar", "unar"])
def test_the_fallback_tools_read_a_solid_archive_in_one_pass(tmp_path, tools):
    names = tuple(f"p{i}.png" for i in range(6))
    cbr = samples.make_cbr(tmp_path / "a.cbr", series="Saga", number="2", writer="BKV", page_names=names, solid=True)
    result = repack_cbr(cbr, tmp_path / "a.cbz", tools=tools)
    assert result.solid and result.pages == 6 and result.tool == ("bsdtar" if tools.unar == "no-unar" else "unar")
    expected = {name: samples.image_bytes(300, 450, (40 * i % 255, 90, 160), "PNG") for i, name in enumerate(names)}
    with zipfile.ZipFile(result.output) as cbz:  # the pages make_cbr put in
        assert {name: cbz.read(name) for name in names} == expected


def test_a_damaged_solid_archive_is_a_clear_error_and_nothing_is_written(tmp_path):
    if not shutil.which("bsdtar"):
        pytest.skip("bsdtar missing")
    noise = random.Random(7).randbytes(300_000)  # does not compress: most of the archive is its data
    cbr = samples.make_cbr(
        tmp_path / "a.cbr", series="Saga", number="2", writer="BKV", solid=True, extra={"noise.bin": noise}
    )
    data = bytearray(cbr.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)  # inside the compressed stream: the headers still read
    cbr.write_bytes(bytes(data))
    with pytest.raises(InvalidInput, match="bsdtar cannot extract this solid RAR") as caught:
        repack_cbr(cbr, tmp_path / "a.cbz", tools=RarTools("no-unrar", "no-unar"))
    assert "unrar" in (caught.value.hint or "")
    assert list(tmp_path.glob("*.cbz")) == [] and [p.name for p in tmp_path.iterdir()] == ["a.cbr"]


@pytest.mark.parametrize(
    "name",
    ["../evil.png", "a/../../evil.png", "/etc/passwd", "C:/Windows/evil.png", "..\\evil.png", "a/\x00b.png", ""],
)
def test_member_names_that_leave_the_folder_are_refused(name):
    with pytest.raises(ArchiveRejected):
        safe_member_name(name)


@pytest.mark.parametrize(
    ("name", "clean"), [("a\\b.png", "a/b.png"), ("./x//y.png", "x/y.png"), ("..a.png", "..a.png")]
)
def test_harmless_member_names_are_normalised(name, clean):
    assert safe_member_name(name) == clean


def test_a_traversal_member_in_a_real_archive_refuses_the_whole_archive(tmp_path):
    cbr = samples.make_cbr(tmp_path / "a.cbr", series="Saga", number="2", writer="BKV")
    with rarfile.RarFile(cbr) as rar:
        infos = rar.infolist()
    infos[1].filename = "../../outside.png"  # what a hostile header would say
    with pytest.raises(ArchiveRejected, match=r"outside\.png"):
        comics.plan_members(infos, cbr.stat().st_size, ArchiveLimits())


def test_a_rar_bomb_is_refused_before_anything_is_written(tmp_path):
    cbr = samples.make_cbr(
        tmp_path / "bomb.cbr", series="Saga", number="1", writer="BKV", extra={"zeros.png": b"\0" * 30_000_000}
    )
    assert cbr.stat().st_size < 1_000_000
    with pytest.raises(ArchiveRejected, match="ratio"):
        repack_cbr(cbr, tmp_path / "bomb.cbz")
    with pytest.raises(ArchiveRejected, match="limit"):
        repack_cbr(cbr, tmp_path / "bomb.cbz", limits=ArchiveLimits(max_total_bytes=1_000_000, max_ratio=1e9))
    assert not (tmp_path / "bomb.cbz").exists() and not list(tmp_path.glob(".bomb*"))


def test_encrypted_members_and_archives_without_images_are_refused(tmp_path):
    staging = tmp_path / "pages"
    staging.mkdir()
    (staging / "p1.png").write_bytes(samples.image_bytes(50, 50, fmt="PNG"))
    locked = tmp_path / "locked.cbr"
    subprocess.run(["rar", "a", "-ma5", "-psecret", "-idq", str(locked), "p1.png"], cwd=staging, check=True)
    with pytest.raises(ArchiveRejected, match="encrypted"):
        repack_cbr(locked, tmp_path / "locked.cbz")
    text = samples.make_cbr(tmp_path / "text.cbr", series="S", number="1", writer="W", page_names=())
    with pytest.raises(InvalidInput, match="no images"):
        repack_cbr(text, tmp_path / "text.cbz")


@pytest.mark.parametrize("where", ["header", "data"])
def test_a_damaged_cbr_fails_clearly_and_never_drops_pages(tmp_path, where):
    cbr = samples.make_cbr(tmp_path / "a.cbr", series="Saga", number="1", writer="BKV", solid=False)
    data = bytearray(cbr.read_bytes())
    offset = len(data) // 2 if where == "header" else 260  # a file header / page data of page10.png
    data[offset : offset + 16] = b"\x55" * 16
    cbr.write_bytes(bytes(data))
    with pytest.raises(InvalidInput):
        repack_cbr(cbr, tmp_path / "a.cbz")
    assert not (tmp_path / "a.cbz").exists()


# --- in the pipeline -----------------------------------------------------------------------


def run(storage, item):
    created = services.create_run(storage_path=str(storage), media_item_id=item.pk)
    with contextlib.suppress(services.ImportFailed, ServiceUnavailable):
        services.run_import(created.pk)
    created.refresh_from_db()
    return created


@pytest.fixture
def saga(db):
    return make_item(
        title="Saga #1", authors=("Brian K. Vaughan",), kind=MediaKind.COMIC, series="Saga", issue_number="1"
    )


@pytest.mark.django_db
def test_import_repacks_a_cbr_and_keeps_the_original(dirs, import_settings, saga):
    set_kind("comic", conversion_target="cbz")
    cbr = samples.make_cbr(
        dirs.downloads / "Saga 001 (2012).cbr", series="Saga", number="001", writer="Brian K. Vaughan"
    )
    before = sha(cbr)

    result = run(cbr, saga)

    assert result.post_process_status == PostProcessStatus.COMPLETED, result.error
    repack = next(s for s in result.steps if s["name"] == "repack")
    assert repack["status"] == "ok" and repack["detail"]["pages"] == 3 and repack["detail"]["tool"] == "unrar"
    extract = next(s for s in result.steps if s["name"] == "extract")
    assert extract["detail"]["source"] == "comicinfo" and extract["detail"]["issue_number"] == "001"
    folder = dirs.library / "Saga"
    assert sorted(p.name for p in folder.iterdir() if p.suffix in (".cbz", ".cbr")) == [
        "Saga #001.cbr",
        "Saga #001.cbz",
    ]
    assert zipfile.ZipFile(folder / "Saga #001.cbz").namelist()[-1] == "ComicInfo.xml"
    assert sha(cbr) == before and sha(folder / "Saga #001.cbr") == before
    assert set(LibraryFile.objects.filter(item=saga).values_list("format", flat=True)) == {"cbz", "cbr"}

    services.undo_import(result.pk)
    assert not any(folder.glob("Saga #001.*")) if folder.exists() else True
    assert cbr.is_file() and sha(cbr) == before


@pytest.mark.django_db
def test_repack_without_keeping_the_original_and_with_the_setting_off(dirs, import_settings, saga):
    cbr = samples.make_cbr(dirs.downloads / "Saga 001.cbr", series="Saga", number="1", writer="Brian K. Vaughan")
    off = run(cbr, saga)
    assert off.post_process_status == PostProcessStatus.COMPLETED, off.error
    assert next(s for s in off.steps if s["name"] == "repack")["status"] == "skipped"
    assert (dirs.library / "Saga" / "Saga #001.cbr").is_file() and not (
        dirs.library / "Saga" / "Saga #001.cbz"
    ).exists()
    services.undo_import(off.pk)

    set_kind("comic", conversion_target="cbz", keep_original=False)
    on = run(cbr, saga)
    assert on.post_process_status == PostProcessStatus.COMPLETED, on.error
    filed = (dirs.library / "Saga").glob("Saga #001.*")  # beside the issue's own sidecars (Saga #001.opf)
    assert sorted(p.name for p in filed if p.suffix not in (".opf", ".jpg")) == ["Saga #001.cbz"]
    assert cbr.is_file()  # not filed, but never deleted


@pytest.mark.django_db
def test_repacked_comicinfo_sends_another_issue_to_review(dirs, import_settings, saga):
    set_kind("comic", conversion_target="cbz")
    cbr = samples.make_cbr(dirs.downloads / "Saga.cbr", series="Saga", number="7", writer="Brian K. Vaughan")
    result = run(cbr, saga)
    assert result.post_process_status == PostProcessStatus.NEEDS_REVIEW
    assert result.steps[-1]["detail"]["breakdown"]["issue"] == 1.0
    assert not any(dirs.library.rglob("*.cb*"))


@pytest.mark.django_db
def test_missing_rar_tools_fail_the_repack_step_with_the_tool_names(dirs, import_settings, saga, monkeypatch):
    set_kind("comic", conversion_target="cbz")
    monkeypatch.setattr(comics.shutil, "which", lambda name: None)
    cbr = samples.make_cbr(dirs.downloads / "Saga 001.cbr", series="Saga", number="1", writer="Brian K. Vaughan")
    result = run(cbr, saga)
    assert result.post_process_status == PostProcessStatus.FAILED and result.error_step == "repack"
    assert "unrar" in result.error and "unar" in result.error and "bsdtar" in result.error
    assert cbr.is_file() and not any(dirs.library.rglob("*"))
