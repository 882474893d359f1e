"""Renames stay in the user's library: a scanned book is renamed inside its own scan folder
(not into OMNI_LIBRARY_DIR), by its folder's template when it has one; a move to another root
(a folder's target root) is marked in the preview and done only when asked, across
filesystems by copy + verify + delete, and undone exactly. Real EPUBs, scanned through the
API, renamed through the API, on the real worker."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from core.models import Job, JobState
from media.models import LibraryFile
from processing.renaming import fsops
from processing.renaming.models import BatchState, OpState, RenameOperation
from tests.renaming.conftest import tree
from tests.scanning import samples as s

HERBERT = (("Frank Herbert", "Herbert, Frank"),)
TEMPLATE = "${author.sortname}/${title}.${ext}"


def post(client, url, body, method="post"):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def data(response, status=200):
    assert response.status_code == status, response.content
    return response.json()["data"]


def wait_job(broker, worker, job_id: int) -> Job:
    broker.join("default", timeout=30_000)
    worker.join()
    job = Job.objects.get(pk=job_id)
    assert job.state == JobState.SUCCEEDED, job.error if hasattr(job, "error") else job
    return job


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
