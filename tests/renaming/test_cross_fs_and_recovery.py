"""Moves across filesystems (disk <-> tmpfs) and recovery of a batch whose worker process
was killed mid-way (a real subprocess, SIGKILL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from media.models import LibraryFile
from processing.renaming import fsops, journal, undo
from processing.renaming.models import BatchState, OpState, RenameBatch, RenameOperation
from processing.renaming.services import Selection, create_preview
from tests.renaming.conftest import make_item, tree, write

REPO = Path(__file__).resolve().parents[2]


def test_fsops_move_across_filesystems_copies_verifies_and_deletes(tmp_path, other_fs):
    src = write(tmp_path / "a.epub", os.urandom(3 * fsops.CHUNK + 17))
    digest = fsops.content_hash(src)
    os.utime(src, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    result = fsops.move(src, other_fs / "deep/b.epub")
    assert result.cross_device
    assert not src.exists()
    assert fsops.content_hash(other_fs / "deep/b.epub") == digest
    assert (other_fs / "deep/b.epub").stat().st_mtime_ns == 1_600_000_000_000_000_000
    assert not list((other_fs / "deep").glob("*.omni-part"))


def test_fsops_never_replaces_an_existing_destination(tmp_path, other_fs):
    src = write(tmp_path / "a.epub", "new")
    write(other_fs / "b.epub", "old")
    with pytest.raises(fsops.DestinationExists):
        fsops.move(src, other_fs / "b.epub")
    assert src.read_text() == "new" and (other_fs / "b.epub").read_text() == "old"


@pytest.mark.django_db
def test_batch_moves_across_filesystems_and_reverts(tmp_path, other_fs, settings):
    settings.RECYCLE_DIR = tmp_path / "recycle"
    source_root = tmp_path / "incoming"
    make_item(source_root, "Dune", files=("Dune/dune.epub",))
    write(source_root / "Dune/cover.jpg", "cover")
    batch = create_preview(
        template="${author}/${title}.${ext}",
        selection=Selection(everything=True),
        policy="skip",
        root=other_fs,
    )
    assert journal.execute_batch(batch.pk)["state"] == BatchState.DONE
    assert tree(other_fs) == {"Frank Herbert/Dune.epub", "Frank Herbert/Dune.jpg"}  # a shared folder: named
    assert all(op.cross_device for op in RenameOperation.objects.filter(batch=batch))
    assert LibraryFile.objects.get().path == str(other_fs / "Frank Herbert/Dune.epub")
    undo.revert_batch(batch.pk)
    assert tree(source_root) == {"Dune/dune.epub", "Dune/cover.jpg"}
    assert (source_root / "Dune/dune.epub").read_text() == "Dune:Dune/dune.epub"
    assert tree(other_fs) == set()


def test_resolve_interrupted_cases(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    write(a, "x")
    assert fsops.resolve_interrupted(a, b) == "not_moved"
    os.link(a, b)  # crash between link and unlink
    assert fsops.resolve_interrupted(a, b) == "moved" and not a.exists()
    write(a, "x")  # crash after a verified copy, before deleting the source
    assert fsops.resolve_interrupted(a, b) == "moved" and not a.exists() and b.read_text() == "x"
    write(a, "different")
    assert fsops.resolve_interrupted(a, b) == "conflict" and a.exists() and b.exists()
    write(fsops.part_path(tmp_path / "c"), "partial copy")
    assert fsops.resolve_interrupted(tmp_path / "zz", tmp_path / "c") == "conflict"
    assert not fsops.part_path(tmp_path / "c").exists()


# --- killing a real worker process mid-batch --------------------------------------------------------------


def _subprocess_env(tmp_path: Path, pause_after: int) -> dict[str, str]:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        url = f"sqlite:///{db['NAME']}"
    else:
        host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        url = f"postgres://{db['USER'] or 'postgres'}@{host}/{db['NAME']}"
    env = dict(
        os.environ,
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="tests.settings",
        OMNI_RENAME_PAUSE_AFTER=str(pause_after),
        OMNI_RENAME_PAUSE_MARKER=str(tmp_path / "paused"),
        OMNI_RENAME_CHUNK="10",
        OMNI_RECYCLE_DIR=str(django_settings.RECYCLE_DIR),
    )
    return env


def _run_until_paused(tmp_path: Path, batch_id: int, pause_after: int) -> None:
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "rename", "execute", str(batch_id)],
        cwd=REPO,
        env=_subprocess_env(tmp_path, pause_after),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not (tmp_path / "paused").exists():
        if proc.poll() is not None:
            pytest.fail(f"worker ended before the pause: {proc.stderr.read().decode()[-2000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("worker did not reach the pause point")
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)  # power cut: no clean-up code runs
    proc.wait(timeout=10)


def _killed_batch(tmp_path: Path, library: Path, count: int = 25, pause_after: int = 13) -> RenameBatch:
    for n in range(count):
        make_item(library, f"Book {n:02d}", files=(f"in/{n:02d}/book.epub",))
        write(library / f"in/{n:02d}/book.opf", f"meta {n}")
    batch = create_preview(
        template="${author}/${title}.${ext}",
        selection=Selection(everything=True),
        policy="skip",
        root=library,
    )
    _run_until_paused(tmp_path, batch.pk, pause_after)
    batch.refresh_from_db()
    return batch


def _assert_database_matches_disk(library: Path) -> None:
    for file in LibraryFile.objects.all():
        assert Path(file.path).is_file(), f"database points at a missing file: {file.path}"
    on_disk = {p for p in tree(library) if p.endswith(".epub")}
    assert {str(Path(f.path).relative_to(library)) for f in LibraryFile.objects.all()} == on_disk


@pytest.mark.django_db(transaction=True)
def test_killed_worker_batch_is_finished_by_recovery(tmp_path, library):
    batch = _killed_batch(tmp_path, library)
    assert batch.state == BatchState.RUNNING
    states = set(RenameOperation.objects.filter(batch=batch).values_list("state", flat=True))
    assert OpState.MOVING in states  # the crash left journal rows in flight
    assert len(tree(library)) == 50  # nothing lost or duplicated even before recovery
    results = undo.recover_interrupted(stale_seconds=0)
    assert [r["state"] for r in results] == [BatchState.DONE]
    assert tree(library) == {
        f"Frank Herbert/Book {n:02d}.{ext}" for n in range(25) for ext in ("epub", "opf")
    }
    _assert_database_matches_disk(library)
    assert not RenameOperation.objects.filter(batch=batch, state=OpState.MOVING).exists()


@pytest.mark.django_db(transaction=True)
def test_killed_worker_batch_can_be_rolled_back(tmp_path, library):
    batch = _killed_batch(tmp_path, library, count=12, pause_after=7)
    results = undo.recover_interrupted(rollback=True, stale_seconds=0)
    assert [(r["batch"], r["state"]) for r in results] == [(batch.pk, BatchState.REVERTED)]
    assert tree(library) == {f"in/{n:02d}/book.{ext}" for n in range(12) for ext in ("epub", "opf")}
    _assert_database_matches_disk(library)


@pytest.mark.django_db(transaction=True)
def test_fresh_running_batch_is_not_taken_over(tmp_path, library):
    batch = _killed_batch(tmp_path, library, count=3, pause_after=2)
    assert undo.interrupted_batches() == []  # heartbeat is recent: could still be alive
    assert undo.interrupted_batches(stale_seconds=0) == [batch.pk]
