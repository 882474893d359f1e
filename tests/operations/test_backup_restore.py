"""Backups of a real library and their restore into a fresh install (a subprocess with its own
data folder and database), on SQLite and, when DATABASE_URL points at it, on PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

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
    env["DATABASE_URL"] = (f"postgres://{s.get('USER') or 'postgres'}{password}@{s.get('HOST') or '127.0.0.1'}:"
                           f"{s.get('PORT') or 5432}/{name}")

    def drop() -> None:
        with connection.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return env, drop


def _manage(env, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300, check=check)


def _restored_fingerprint(env) -> dict:
    code = "import json; from tests.operations.fingerprint import library_fingerprint; " \
           "print(json.dumps(library_fingerprint()))"
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
        after = _manage(env, "shell", "-v0", "-c",
                        "from media.models import MediaItem; print(MediaItem.objects.count())", check=False)
    finally:
        cleanup()
    rows = {line.split()[0]: line.split()[1] for line in out.splitlines() if line.startswith("  ")}
    assert rows["media_mediaitem"] == "3" and rows["media_libraryfile"] == "3"
    assert "schema is this version's schema" in out
    assert after.returncode != 0 or after.stdout.strip() == "0"  # no table, or an empty one: nothing restored
