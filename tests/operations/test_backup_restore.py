"""Backups of a real library and their restore into a fresh install (a subprocess with its own
data folder and database), on SQLite and, when DATABASE_URL points at it, on PostgreSQL."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from core.errors import InvalidInput
from core.models import Job, JobState
from media.models import MediaItem
from operations.backups import archive
from operations.backups.service import list_backups, make_backup
from tests.operations.fingerprint import library_fingerprint

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def _fresh_install(tmp_path: Path):
    """(environment of an empty install, cleanup). PostgreSQL: a new empty database beside the test one."""
    data = tmp_path / "fresh-data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMNI_") and k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="omnireadarr.settings", OMNI_DATA_DIR=str(data))
    if connection.vendor == "sqlite":
        return env, lambda: None
    name = f"omni_restore_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    env["DATABASE_URL"] = (
        f"postgres://{s.get('USER') or 'postgres'}{password}@{s.get('HOST') or '127.0.0.1'}:"
        f"{s.get('PORT') or 5432}/{name}"
    )

    def drop() -> None:
        with connection.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return env, drop


def _manage(env, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=check,
    )


def _restored_fingerprint(env) -> dict:
    code = (
        "import json; from tests.operations.fingerprint import library_fingerprint; "
        "print(json.dumps(library_fingerprint()))"
    )
    return json.loads(_manage(env, "shell", "-v0", "-c", code).stdout.strip().splitlines()[-1])


def test_backup_restores_into_a_fresh_install_with_nothing_lost(built_library, tmp_path):
    before = json.loads(json.dumps(library_fingerprint()))
    assert len(before["items"]) == 3 and len(before["files"]) == 3
    assert before["provenance"]["candidates"] and before["provenance"]["resolved"]
    assert before["journal"] and all(c != "MISSING" for c in before["covers"].values())
    backup = make_backup("manual")
    env, cleanup = _fresh_install(tmp_path)
    try:
        dry = _manage(env, "restore", str(Path(built_library.data) / "backups" / backup.name), "--dry-run")
        assert "media_mediaitem" in dry.stdout and "nothing was changed" in dry.stdout.lower()
        done = _manage(env, "restore", str(built_library.data / "backups" / backup.name))
        assert "Restored" in done.stdout
        after = _restored_fingerprint(env)
    finally:
        cleanup()
    assert after == before
    assert not (tmp_path / "fresh-data" / "backups").exists()  # an empty install needs no safety backup


def test_dry_run_counts_rows_per_table_and_changes_nothing(built_library, tmp_path):
    backup = make_backup("manual")
    env, cleanup = _fresh_install(tmp_path)
    try:
        out = _manage(env, "restore", str(built_library.data / "backups" / backup.name), "--dry-run").stdout
        after = _manage(
            env,
            "shell",
            "-v0",
            "-c",
            "from media.models import MediaItem; print(MediaItem.objects.count())",
            check=False,
        )
    finally:
        cleanup()
    rows = {line.split()[0]: line.split()[1] for line in out.splitlines() if line.startswith("  ")}
    assert rows["media_mediaitem"] == "3" and rows["media_libraryfile"] == "3"
    assert "schema is this version's schema" in out
    assert after.returncode != 0 or after.stdout.strip() == "0"  # no table, or an empty one: nothing restored


def test_restore_over_an_install_backs_up_the_database_it_replaces_and_ends_unfinished_jobs(built_library, tmp_path):
    Job.objects.create(kind="operations.integrity_check", state=JobState.QUEUED)
    path = built_library.data / "backups" / make_backup("manual").name
    env, cleanup = _fresh_install(tmp_path)
    try:
        _manage(env, "restore", str(path))  # the empty install: no safety backup
        second = _manage(env, "restore", str(path)).stdout
        jobs = _manage(
            env,
            "shell",
            "-v0",
            "-c",
            "from core.models import Job; print(list(Job.objects.values_list('state', flat=True)))",
        ).stdout
    finally:
        cleanup()
    safety = list((tmp_path / "fresh-data" / "backups").glob("*-pre-restore.zip"))
    assert len(safety) == 1 and safety[0].name in second
    assert archive.read_manifest(safety[0]).tables["media_mediaitem"] == 3  # what the second restore replaced
    assert jobs.strip() == "['cancelled']"


def test_restore_refuses_a_backup_from_a_newer_schema_and_changes_nothing(built_library, settings):
    recorder = MigrationRecorder(connection)
    recorder.record_applied("media", "9999_from_a_newer_version")
    try:
        path = built_library.data / "backups" / make_backup("manual").name
    finally:
        recorder.record_unapplied("media", "9999_from_a_newer_version")
    MediaItem.objects.filter(title="Emma").delete()  # the current database differs from the backup
    for args in ((str(path), "--dry-run"), (str(path),)):
        with pytest.raises(CommandError, match=r"newer OmniReadarr.*media\.9999_from_a_newer_version"):
            call_command("restore", *args, stdout=io.StringIO())
    assert MediaItem.objects.count() == 2  # nothing restored
    assert [b.reason for b in list_backups()] == ["manual"]  # and no safety backup taken


@pytest.mark.parametrize("content", [b"not a zip at all", None])
def test_restore_of_something_that_is_no_backup_says_so(built_library, tmp_path, content):
    junk = tmp_path / "junk.zip"
    if content is None:
        with zipfile.ZipFile(junk, "w") as z:
            z.writestr("hello.txt", "no manifest here")
    else:
        junk.write_bytes(content)
    with pytest.raises(CommandError, match=r"junk\.zip is not an OmniReadarr backup"):
        call_command("restore", str(junk), stdout=io.StringIO())
    assert MediaItem.objects.count() == 3


def test_backups_keep_the_newest_n_and_never_prune_safety_backups(built_library):
    safety = make_backup("pre-restore")
    made = [make_backup("scheduled" if n % 2 else "manual") for n in range(5)]
    kept = list_backups()
    assert [b.name for b in kept if b.reason != "pre-restore"] == [b.name for b in reversed(made[-3:])]
    assert safety.name in {b.name for b in kept}
    manifest = archive.read_manifest(built_library.data / "backups" / made[-1].name)
    assert manifest.engine == connection.vendor and manifest.data_files == 3
    assert "0001_initial" in manifest.migrations["operations"] and manifest.tables["search_fieldcandidate"] > 0


def test_archive_member_leaving_the_data_folder_is_refused(tmp_path):
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("data/../../outside.txt", "x")
    with pytest.raises(InvalidInput):
        archive.extract_data_files(evil, tmp_path / "data")
    assert not (tmp_path / "outside.txt").exists()
