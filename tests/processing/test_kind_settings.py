"""Issue 21 part 6: processing settings per media kind. Each kind's import mode, existing-file
policy, template and conversion target reach the import pipeline (a real EPUB and a real CBR
imported under different settings), the migration keeps an install's global values, the API and
page validate, and Test conversion runs the real converter (or names the missing tool)."""

from __future__ import annotations

import os
import zipfile

import pytest

from media.models import MediaKind
from processing import conversion_check
from processing.models import ImportFileOperation, KindProcessingSettings, PostProcessStatus
from processing.services import build_options
from tests.migrations import migrate
from tests.processing import samples
from tests.processing.conftest import make_item, set_kind
from tests.processing.test_pipeline import run

API = "/api/v1/processing/settings/kinds"


def _ops(run_row) -> set[tuple[str, str]]:
    """(operation, destination) of every file operation of the run."""
    return {(o.kind, o.destination) for o in ImportFileOperation.objects.filter(run=run_row)}


@pytest.mark.django_db
def test_an_ebook_and_a_comic_are_filed_each_by_its_own_kinds_settings(dirs, import_settings, earthsea, earthsea_epub):
    set_kind("ebook", import_mode="move", existing_file_policy="keep_both", conversion_target="none",
             template="Ebooks/${author.sortname} - ${title}.${ext}")
    set_kind("comic", import_mode="copy", existing_file_policy="replace", conversion_target="cbz",
             keep_original=True, template="Comics/${bookseries.title} ${issue}.${ext}")
    saga = make_item(title="Saga #7", authors=("Brian K. Vaughan",), kind=MediaKind.COMIC, series="Saga",
                     issue_number="7")
    book = dirs.library / "Ebooks" / "Guin, Ursula K. Le - A Wizard of Earthsea.epub"
    book.parent.mkdir()
    book.write_bytes(b"someone else's book")
    older_issue = dirs.library / "Comics" / "Saga 007.cbz"
    older_issue.parent.mkdir()
    older_issue.write_bytes(b"an older scan")
    cbr = samples.make_cbr(dirs.downloads / "Saga 007.cbr", series="Saga", number="7", writer="Brian K. Vaughan")

    ebook_run, comic_run = run(earthsea_epub.parent, earthsea), run(cbr, saga)

    assert ebook_run.post_process_status == PostProcessStatus.COMPLETED, ebook_run.error
    assert comic_run.post_process_status == PostProcessStatus.COMPLETED, comic_run.error
    # ebook: moved (the download is gone), kept both, its own template, not converted
    assert not earthsea_epub.exists()
    assert book.read_bytes() == b"someone else's book"
    filed = [p for p in book.parent.iterdir() if p.suffix == ".epub" and p != book]
    assert len(filed) == 1 and filed[0].name.startswith("Guin, Ursula K. Le - A Wizard of Earthsea")
    assert ("move", str(filed[0])) in _ops(ebook_run)
    assert {s["name"]: s["status"] for s in ebook_run.steps}["convert"] == "skipped"
    # comic: repacked to CBZ (written from the work folder), the original CBR filed by copy (the
    # download stays, not hardlinked), the older file at the destination replaced (recycled)
    issue, original = dirs.library / "Comics" / "Saga 007.cbz", dirs.library / "Comics" / "Saga 007.cbr"
    assert zipfile.ZipFile(issue).namelist()[-1] == "ComicInfo.xml"
    assert cbr.is_file() and original.read_bytes() == cbr.read_bytes() and not os.path.samefile(cbr, original)
    assert {("write", str(issue)), ("copy", str(original))} <= _ops(comic_run)
    assert "recycle" in {kind for kind, _ in _ops(comic_run)}
    assert any(p.read_bytes() == b"an older scan" for p in dirs.recycle.rglob("*") if p.is_file())


@pytest.mark.django_db
def test_build_options_takes_the_items_kind(import_settings):
    set_kind("comic", import_mode="move", existing_file_policy="keep_both", conversion_target="cbz")
    set_kind("ebook", import_mode="copy", conversion_target="azw3", keep_original=False)
    from processing.models import ImportRun

    comic, ebook = build_options(ImportRun(), "comic"), build_options(ImportRun(), "ebook")
    assert (comic.import_mode, comic.existing_file_policy, comic.repack_cbr) == ("move", "keep_both", True)
    assert (ebook.import_mode, ebook.ebook_format, ebook.convert, ebook.keep_original_format) == (
        "copy", "azw3", "auto", False)
    assert not ebook.repack_cbr and comic.templates == {"comic": KindProcessingSettings.for_kind("comic").template}
    set_kind("ebook", conversion_target="none")
    assert build_options(ImportRun(), "ebook").convert == "skip"
    assert build_options(ImportRun(action="convert"), "ebook").ebook_format == "epub"  # forced: EPUB


# --- the migration -----------------------------------------------------------------------------

BEFORE = [("processing", "0004_events_repack_embed")]
AFTER = [("processing", "0005_per_kind_settings")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("convert", "fmt", "repack", "ebook_target", "comic_target"),
    [(True, "azw3", True, "azw3", "cbz"), (False, "epub", False, "none", "none")],
)
def test_the_migration_keeps_the_global_values_for_every_kind(
    back_to_latest, convert, fmt, repack, ebook_target, comic_target
):
    old = migrate(BEFORE)
    old.get_model("processing", "ImportSettings").objects.create(
        pk=1, import_mode="copy", existing_file_policy="replace", ebook_format=fmt, convert_ebooks=convert,
        keep_original_format=False, repack_cbr=repack, ebook_template="E/${title}.${ext}",
        audiobook_template="A/${title}/${originalFilename}.${ext}", comic_template="C/${title}.${ext}",
        min_cover_size=512,
    )
    new = migrate(AFTER)
    rows = {r.kind: r for r in new.get_model("processing", "KindProcessingSettings").objects.all()}
    got = {k: (r.import_mode, r.existing_file_policy, r.template, r.conversion_target, r.keep_original)
           for k, r in rows.items()}
    assert got == {
        "ebook": ("copy", "replace", "E/${title}.${ext}", ebook_target, False),
        "audiobook": ("copy", "replace", "A/${title}/${originalFilename}.${ext}", "none", False),
        "comic": ("copy", "replace", "C/${title}.${ext}", comic_target, False),
    }
    assert new.get_model("processing", "ImportSettings").objects.get().min_cover_size == 512
    back = migrate(BEFORE).get_model("processing", "ImportSettings").objects.get()
    assert (back.import_mode, back.ebook_format, back.convert_ebooks, back.repack_cbr, back.comic_template) == (
        "copy", fmt, convert, repack, "C/${title}.${ext}")


@pytest.mark.django_db(transaction=True)
def test_the_migration_on_a_fresh_install_leaves_the_defaults(back_to_latest):
    migrate(BEFORE)
    new = migrate(AFTER)
    assert not new.get_model("processing", "KindProcessingSettings").objects.exists()
    migrate(new_targets := [("processing", "0005_per_kind_settings")])
    assert new_targets
    ebook = KindProcessingSettings.for_kind("ebook")
    assert (ebook.import_mode, ebook.existing_file_policy, ebook.conversion_target, ebook.keep_original) == (
        "hardlink", "skip", "epub", True)
    assert KindProcessingSettings.for_kind("comic").conversion_target == "none"


# --- API: read, replace, validate ------------------------------------------------------------------

GOOD = {"import_mode": "copy", "existing_file_policy": "keep_both", "template": "${bookseries.title}/${title}.${ext}",
        "conversion_target": "cbz", "keep_original": False}


@pytest.mark.django_db
def test_the_api_reads_and_replaces_one_kind(admin_client):
    listed = admin_client.get(API).json()["data"]
    assert [k["kind"] for k in listed] == ["ebook", "audiobook", "comic"]
    assert listed[1]["conversion_targets"] == ["none"] and listed[2]["conversion_targets"] == ["none", "cbz"]
    put = admin_client.put(f"{API}/comic", GOOD, content_type="application/json")
    assert put.status_code == 200, put.content
    assert admin_client.get(f"{API}/comic").json()["data"] == {"kind": "comic", **GOOD,
                                                               "conversion_targets": ["none", "cbz"]}
    assert KindProcessingSettings.for_kind("ebook").import_mode == "hardlink"  # the other kinds unchanged


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "change", "field", "message"),
    [
        ("audiobook", {"conversion_target": "epub"}, "conversion_target", "Audiobooks cannot be converted to 'epub'"),
        ("comic", {"conversion_target": "azw3"}, "conversion_target", "choose one of: none, cbz"),
        ("ebook", {"conversion_target": "cbz"}, "conversion_target", "none, epub, azw3, mobi, pdf"),
        ("ebook", {"template": "${title"}, "template", "Unclosed token at position 0"),
        ("comic", {"template": "${title}/${nope}.${ext}"}, "template", "Unknown token ${nope}"),
    ],
)
def test_the_api_refuses_invalid_kind_settings_and_changes_nothing(admin_client, kind, change, field, message):
    before = admin_client.get(f"{API}/{kind}").json()["data"]
    response = admin_client.put(f"{API}/{kind}", {**GOOD, "conversion_target": "none", **change},
                                content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert message in body["error"] and field in body["details"]["errors"], body
    assert admin_client.get(f"{API}/{kind}").json()["data"] == before


@pytest.mark.django_db
def test_the_api_refuses_an_unknown_kind_and_mode(admin_client):
    assert admin_client.get(f"{API}/magazine").status_code == 422
    bad = admin_client.put(f"{API}/ebook", {**GOOD, "conversion_target": "none", "import_mode": "teleport"},
                           content_type="application/json")
    assert bad.status_code == 422


# --- Test conversion -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_test_conversion_converts_a_sample_ebook_with_calibre(admin_client, dirs, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    set_kind("ebook", conversion_target="azw3")
    library_before = sorted(dirs.library.rglob("*"))
    result = admin_client.post(f"{API}/ebook/test-conversion").json()["data"]
    assert result["ok"] is True, result
    assert result["target"] == "azw3" and result["tool"] == "ebook-convert"
    assert "calibre" in result["version"] and result["seconds"] > 0
    assert "Converted a sample to AZW3" in result["message"]
    assert sorted(dirs.library.rglob("*")) == library_before  # nothing in the library
    assert list((tmp_path / "data" / "work").iterdir()) == []  # the sample is gone


@pytest.mark.django_db
def test_test_conversion_repacks_a_sample_cbr(admin_client, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    set_kind("comic", conversion_target="cbz")
    result = admin_client.post(f"{API}/comic/test-conversion").json()["data"]
    assert result["ok"] is True, result
    assert result["tool"] == "unrar" and result["version"].startswith("UNRAR")
    assert "Repacked a sample CBR (2 pages) as CBZ with unrar" in result["message"]


@pytest.mark.parametrize("tool", ["unrar", "unar", "bsdtar"])
def test_the_sample_cbr_is_read_by_every_rar_tool(tool, tmp_path):
    """The sample is a solid archive (so the tool itself extracts it), except for bsdtar,
    which cannot extract solid RAR 4."""
    others = {name: "no-such-tool" for name in ("unrar", "unar", "bsdtar") if name != tool}
    config = conversion_check.CheckConfig("comic", "cbz", tmp_path, rar_tools=conversion_check.comics.RarTools(
        **others))
    result = conversion_check.run_check(config)
    assert result.ok and result.tool == tool, result


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "tool"), [("ebook", "ebook-convert"), ("comic", "unrar")])
def test_test_conversion_names_the_missing_tool(admin_client, settings, tmp_path, monkeypatch, kind, tool):
    settings.DATA_DIR = tmp_path / "data"
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # neither calibre nor any RAR tool on the PATH
    response = admin_client.post(f"{API}/{kind}/test-conversion")
    assert response.status_code == 200
    result = response.json()["data"]
    assert result["ok"] is False and tool in result["message"], result
    assert result["hint"]  # how to install it


@pytest.mark.django_db
def test_test_conversion_of_audiobooks_says_there_is_nothing_to_test(admin_client):
    result = admin_client.post(f"{API}/audiobook/test-conversion").json()["data"]
    assert result["ok"] is False and "no conversion tool" in result["message"]


# --- readers ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_readers_reach_neither_the_kind_settings_nor_the_conversion_test(reader_client):
    before = KindProcessingSettings.for_kind("comic").conversion_target
    assert reader_client.get(API).status_code == 403
    assert reader_client.get(f"{API}/comic").status_code == 403
    assert reader_client.put(f"{API}/comic", GOOD, content_type="application/json").status_code == 403
    assert reader_client.post(f"{API}/ebook/test-conversion").status_code == 403
    assert reader_client.get("/settings/media/").status_code in (302, 403)
    assert KindProcessingSettings.for_kind("comic").conversion_target == before
