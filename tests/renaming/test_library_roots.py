"""Renames stay in the user's library: a scanned book is renamed inside its own scan folder
(not into OMNI_LIBRARY_DIR), by its folder's template when it has one; a move to another root
(a folder's target root) is marked in the preview and done only when asked, across
filesystems by copy + verify + delete, and undone exactly. Real EPUBs, scanned through the
API, renamed through the API, on the real worker."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from media.models import LibraryFile
from processing.renaming import fsops, journal
from processing.renaming.models import BatchState, OpState, RenameOperation
from processing.renaming.roots import CALIBRE_MANAGED
from processing.renaming.services import Selection, create_preview
from scanning.services import FolderInput, save_folder
from tests.renaming.conftest import make_item, tree, wait_job, write
from tests.scanning import samples as s
from tests.scanning.test_calibre import calibre_library  # noqa: F401 (a fixture)

HERBERT = (("Frank Herbert", "Herbert, Frank"),)
TEMPLATE = "${author.sortname}/${title}.${ext}"


def post(client, url, body, method="post"):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def data(response, status=200):
    assert response.status_code == status, response.content
    return response.json()["data"]


@pytest.fixture
def data_dir(tmp_path, settings):
    """OMNI_LIBRARY_DIR and the recycle folder live in the data folder, apart from the books."""
    settings.LIBRARY_DIR = tmp_path / "data/library"
    settings.RECYCLE_DIR = tmp_path / "data/recycle"
    return tmp_path / "data"


def make_books(folder: Path) -> dict[str, str]:
    """Two real EPUBs in an untidy layout; returns {relative path: content hash}."""
    s.make_epub(folder / "incoming/dune_scan.epub", s.Book("Dune", authors=HERBERT, uuid=_uuid(1)))
    s.make_epub(folder / "incoming/messiah.epub", s.Book("Dune Messiah", authors=HERBERT, uuid=_uuid(2)))
    return snapshot(folder)


def _uuid(n: int) -> str:
    return f"5b0e8a9e-0000-4000-8000-{n:012d}"


def snapshot(folder: Path) -> dict[str, str]:
    return {relative: fsops.content_hash(folder / relative) for relative in tree(folder)}


def add_and_scan(client, broker, worker, path: Path, **fields) -> dict:
    folder = data(post(client, "/api/scanning/folders", {"path": str(path), **fields}), 201)
    job = data(client.post(f"/api/scanning/folders/{folder['id']}/scan"), 202)
    wait_job(broker, worker, job["id"])
    return folder


def preview(client, body: dict) -> dict:
    body = {"template": TEMPLATE, "selection": {"everything": True}, "policy": "skip", **body}
    return data(post(client, "/api/rename/preview", body), 202)


def operations(client, batch_id: int) -> list[dict]:
    return data(client.get(f"/api/rename/preview/{batch_id}?page_size=100"))["items"]


def execute(client, broker, worker, batch_id: int) -> None:
    job = data(post(client, "/api/rename/execute", {"batch_id": batch_id}), 202)
    wait_job(broker, worker, job["id"])


def revert(client, broker, worker, batch_id: int) -> None:
    job = data(post(client, "/api/rename/revert", {"batch_id": batch_id}), 202)
    wait_job(broker, worker, job["id"])


@pytest.mark.django_db(transaction=True)
def test_rename_keeps_scanned_books_in_their_scan_folder(admin_client, broker, worker, tmp_path, data_dir):
    books = tmp_path / "x/books"
    before = make_books(books)
    add_and_scan(admin_client, broker, worker, books)
    assert LibraryFile.objects.count() == 2

    batch = preview(admin_client, {})
    assert batch["state"] == BatchState.PLANNED and batch["totals"]["planned"] == 2
    planned = sorted(op["destination"] for op in operations(admin_client, batch["id"]))
    assert planned == [str(books / "Herbert, Frank/Dune Messiah.epub"), str(books / "Herbert, Frank/Dune.epub")]
    assert batch["leaving"] == 0

    execute(admin_client, broker, worker, batch["id"])
    assert tree(books) == {"Herbert, Frank/Dune.epub", "Herbert, Frank/Dune Messiah.epub"}
    assert not (data_dir / "library").exists() or not tree(data_dir / "library")
    assert sorted(LibraryFile.objects.values_list("path", flat=True)) == planned

    revert(admin_client, broker, worker, batch["id"])
    assert snapshot(books) == before  # every file back where it was, byte for byte


def set_folder(client, folder: dict, **changes) -> dict:
    """Edit a scan folder as the scanning page does: PUT the whole folder with changes."""
    body = {key: folder[key] for key in ("path", "name", "content_type", "formats", "enabled", "scan_interval_hours")}
    return data(post(client, f"/api/scanning/folders/{folder['id']}", {**body, **changes}, method="put"))


@pytest.mark.django_db(transaction=True)
def test_a_library_with_its_own_template_names_its_books_by_it(admin_client, broker, worker, tmp_path, data_dir):
    books, more = tmp_path / "x/books", tmp_path / "x/more"
    make_books(books)
    s.make_epub(more / "in/arrakis.epub", s.Book("Children of Dune", authors=HERBERT, uuid=_uuid(3)))
    folder = add_and_scan(admin_client, broker, worker, books)
    add_and_scan(admin_client, broker, worker, more)
    saved = set_folder(admin_client, folder, naming_template="  Shelf/${title} - ${author}.${ext} ")
    assert saved["naming_template"] == "Shelf/${title} - ${author}.${ext}"

    batch = preview(admin_client, {})
    destinations = {Path(op["source"]).name: op["destination"] for op in operations(admin_client, batch["id"])}
    assert destinations == {
        "dune_scan.epub": str(books / "Shelf/Dune - Frank Herbert.epub"),  # the library's own template
        "messiah.epub": str(books / "Shelf/Dune Messiah - Frank Herbert.epub"),
        "arrakis.epub": str(more / "Herbert, Frank/Children of Dune.epub"),  # blank: the one chosen
    }
    shown = {entry["path"]: (entry["template"], entry["files"]) for entry in batch["libraries"]}
    assert shown == {str(books): ("Shelf/${title} - ${author}.${ext}", 2), str(more): ("", 1)}


@pytest.mark.django_db(transaction=True)
def test_moving_to_a_target_root_is_shown_and_needs_an_explicit_choice(
    admin_client, broker, worker, tmp_path, data_dir
):
    books, shelf = tmp_path / "x/books", tmp_path / "x/shelf"
    shelf.mkdir(parents=True)
    before = make_books(books)
    folder = add_and_scan(admin_client, broker, worker, books)
    assert set_folder(admin_client, folder, target_root=str(shelf))["target_root"] == str(shelf)

    refused = preview(admin_client, {})  # the target root is not used without the opt-in
    assert refused["leaving"] == 2 and refused["totals"].get("planned", 0) == 0
    assert refused["libraries"] == [
        {"path": str(books), "name": "", "target": str(shelf), "template": "", "files": 2, "leaving": 2}
    ]
    for op in operations(admin_client, refused["id"]):
        assert op["state"] == OpState.SKIPPED and (op["leaves_library"], op["to_root"]) == (str(books), str(shelf))
        assert op["message"].startswith(f"Moves out of {books} to {shelf}: not done")
    listed = data(admin_client.get(f"/api/rename/preview/{refused['id']}?only=leaving"))
    assert listed["total"] == 2
    execute(admin_client, broker, worker, refused["id"])
    assert snapshot(books) == before and not tree(shelf)

    batch = preview(admin_client, {"allow_other_root": True})
    assert batch["allow_other_root"] and batch["leaving"] == 2 and batch["totals"]["planned"] == 2
    ops = operations(admin_client, batch["id"])
    assert {op["message"] for op in ops} == {f"Moves out of {books} to {shelf}"}
    assert sorted(op["destination"] for op in ops) == [
        str(shelf / "Herbert, Frank/Dune Messiah.epub"),
        str(shelf / "Herbert, Frank/Dune.epub"),
    ]
    execute(admin_client, broker, worker, batch["id"])
    assert tree(shelf) == {"Herbert, Frank/Dune.epub", "Herbert, Frank/Dune Messiah.epub"} and not tree(books)

    again = preview(admin_client, {"template": "${title}.${ext}"})  # renamed again: stays in the target root
    assert again["leaving"] == 0
    assert sorted(op["destination"] for op in operations(admin_client, again["id"])) == [
        str(shelf / "Dune Messiah.epub"),
        str(shelf / "Dune.epub"),
    ]

    revert(admin_client, broker, worker, batch["id"])
    assert snapshot(books) == before and not tree(shelf)
    assert sorted(LibraryFile.objects.values_list("path", flat=True)) == sorted(str(books / p) for p in before)


@pytest.mark.django_db(transaction=True)
def test_a_target_root_on_another_filesystem_is_copied_verified_and_undone_exactly(
    admin_client, broker, worker, tmp_path, data_dir, other_fs
):
    books = tmp_path / "x/books"
    before = make_books(books)
    mtimes = {relative: (books / relative).stat().st_mtime_ns for relative in before}
    folder = add_and_scan(admin_client, broker, worker, books)
    set_folder(admin_client, folder, target_root=str(other_fs))

    batch = preview(admin_client, {"allow_other_root": True})
    execute(admin_client, broker, worker, batch["id"])
    moved = RenameOperation.objects.filter(batch_id=batch["id"])
    assert moved.count() == 2 and all(op.state == OpState.DONE and op.cross_device for op in moved)
    assert set(snapshot(other_fs).values()) == set(before.values())  # verified copies, same bytes
    assert not tree(books) and not list(other_fs.rglob("*.omni-part"))

    revert(admin_client, broker, worker, batch["id"])
    assert snapshot(books) == before and not tree(other_fs)
    assert {relative: (books / relative).stat().st_mtime_ns for relative in before} == mtimes


@pytest.mark.django_db
def test_library_settings_are_validated_with_clear_errors(admin_client, tmp_path):
    books, other, spare = tmp_path / "books", tmp_path / "other", tmp_path / "spare"
    for path in (books, other, spare):
        path.mkdir()
    folder = data(post(admin_client, "/api/scanning/folders", {"path": str(books)}), 201)
    data(post(admin_client, "/api/scanning/folders", {"path": str(other)}), 201)

    def refused(status: int, **changes) -> str:
        body = {"path": str(books), **changes}
        response = post(admin_client, f"/api/scanning/folders/{folder['id']}", body, method="put")
        assert response.status_code == status, response.content
        return response.json()["error"]

    assert "Unknown token ${nope}" in refused(422, naming_template="${author}/${nope}.${ext}")
    assert "position 10" in refused(422, naming_template="${author}/${nope}.${ext}")
    assert "needs a token besides ${ext}" in refused(422, naming_template="${author}/${ext}")
    assert "target_root: String should match pattern" in refused(422, target_root="shelf")  # the schema's rule
    assert "Target root" in refused(404, target_root=str(tmp_path / "missing"))  # state: nothing there
    (other / "sub").mkdir()
    assert f"overlaps the scan folder {other}" in refused(409, target_root=str(other / "sub"))
    assert f"overlaps the scan folder {other}" in refused(409, target_root=str(tmp_path))  # around it
    own = data(
        post(
            admin_client,
            f"/api/scanning/folders/{folder['id']}",
            {"path": str(books), "target_root": str(books)},
            method="put",
        )
    )
    assert own["target_root"] == ""  # the scan folder itself is the default
    data(
        post(
            admin_client,
            f"/api/scanning/folders/{folder['id']}",
            {"path": str(books), "target_root": str(spare)},
            method="put",
        )
    )
    clash = post(admin_client, "/api/scanning/folders", {"path": str(spare)})
    assert clash.status_code == 409 and f"where renames of the library {books} go" in clash.json()["error"]


@pytest.mark.django_db
def test_an_unwritable_target_root_is_refused(admin_client, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    books, shelf = tmp_path / "books", tmp_path / "shelf"
    books.mkdir()
    shelf.mkdir(mode=0o555)
    response = post(admin_client, "/api/scanning/folders", {"path": str(books), "target_root": str(shelf)})
    assert response.status_code == 422 and "not writable" in response.json()["error"]


@pytest.mark.django_db
def test_a_book_at_the_top_of_a_scan_folder_leaves_the_folders_other_files(tmp_path, library):
    books = tmp_path / "books"
    save_folder(FolderInput(path=str(write(books / "notes.txt", "mine").parent)))
    make_item(books, "Dune", files=("dune.epub",))
    write(books / "dune.opf", "<package/>")  # the book's own sidecar goes with it
    batch = create_preview(template=TEMPLATE, selection=Selection(everything=True), policy="skip")
    assert journal.execute_batch(batch.pk)["state"] == BatchState.DONE
    assert tree(books) == {"notes.txt", "Herbert, Frank/Dune.epub", "Herbert, Frank/Dune.opf"}


@pytest.mark.django_db
def test_an_item_under_no_scan_folder_still_goes_to_the_library_dir(tmp_path, library):
    (tmp_path / "books").mkdir()
    save_folder(FolderInput(path=str(tmp_path / "books")))
    make_item(tmp_path / "downloads", "Dune", files=("done/dune.epub",))
    batch = create_preview(template=TEMPLATE, selection=Selection(everything=True), policy="skip")
    assert journal.execute_batch(batch.pk)["state"] == BatchState.DONE
    assert tree(library) == {"Herbert, Frank/Dune.epub"} and batch.root == str(library)


@pytest.mark.django_db
def test_a_library_reached_through_a_symlink_keeps_its_spelling(tmp_path, library):
    (tmp_path / "mnt/books").mkdir(parents=True)
    books = tmp_path / "books"
    books.symlink_to(tmp_path / "mnt/books")  # e.g. /books -> /mnt/nas/books
    save_folder(FolderInput(path=str(books)))
    make_item(books, "Dune", files=("in/dune.epub",))
    batch = create_preview(template=TEMPLATE, selection=Selection(everything=True), policy="skip")
    assert RenameOperation.objects.get(batch=batch).destination == str(books / "Herbert, Frank/Dune.epub")
    assert journal.execute_batch(batch.pk)["state"] == BatchState.DONE
    assert LibraryFile.objects.get().path == str(books / "Herbert, Frank/Dune.epub")  # where scans look for it


@pytest.mark.django_db
def test_a_missing_target_root_is_never_created(tmp_path, library):
    books, shelf = tmp_path / "books", tmp_path / "shelf"
    shelf.mkdir()
    make_item(books, "Dune", files=("in/dune.epub",))
    save_folder(FolderInput(path=str(books), target_root=str(shelf)))
    shelf.rmdir()  # an unmounted volume
    batch = create_preview(
        template=TEMPLATE, selection=Selection(everything=True), policy="skip", allow_other_root=True
    )
    op = RenameOperation.objects.get(batch=batch)
    assert op.state == OpState.SKIPPED and op.message.endswith("the target root is missing (not mounted?)")
    journal.execute_batch(batch.pk)
    assert not shelf.exists() and tree(books) == {"in/dune.epub"}


@pytest.mark.django_db(transaction=True)
def test_books_of_a_calibre_library_are_never_renamed(admin_client, broker, worker, tmp_path, data_dir,
                                                      calibre_library):  # noqa: F811 (the fixture)
    """calibre's metadata.db points at its files: moving one would break that library."""
    books = tmp_path / "x/books"
    shutil.copytree(calibre_library, books / "Calibre Library")
    s.make_epub(books / "loose/messiah.epub", s.Book("Dune Messiah", authors=HERBERT, uuid=_uuid(2)))
    before = snapshot(books / "Calibre Library")
    add_and_scan(admin_client, broker, worker, books)

    batch = preview(admin_client, {})
    states = {Path(op["source"]).name: (op["state"], op["message"]) for op in operations(admin_client, batch["id"])}
    calibre_files = {name: state for name, state in states.items() if name != "messiah.epub"}
    assert calibre_files and all(state == OpState.SKIPPED for state, _ in calibre_files.values())
    assert calibre_files["The Curated Saga Begins - Ada Quill.epub"][1] == CALIBRE_MANAGED
    assert states["messiah.epub"][0] == OpState.PLANNED

    execute(admin_client, broker, worker, batch["id"])
    assert (books / "Herbert, Frank/Dune Messiah.epub").is_file()
    assert snapshot(books / "Calibre Library") == before
