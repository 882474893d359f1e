"""Copy the database out and back in, per engine. SQLite: the online backup API
(`sqlite3.Connection.backup`), a consistent copy while the app keeps writing (WAL readers do
not block writers). PostgreSQL: `pg_dump --format=custom` inside an exported snapshot, so the
row counts and migration state in the manifest are those of the dump; `pg_restore` back."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import ConfigurationError, InvalidInput, ServiceUnavailable

DUMP_TIMEOUT_SECONDS = 6 * 3600


@dataclass(frozen=True)
class DatabaseState:
    """What a copy holds: rows per table and applied migrations per app."""

    tables: dict[str, int]
    migrations: dict[str, list[str]]


def _group(rows: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for app, name in rows:
        grouped.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(grouped.items())}


# --- SQLite -------------------------------------------------------------------------------------------------


def sqlite_copy(source: Path, target: Path) -> DatabaseState:
    """A consistent copy of the live database file `source` at `target` (one file, no WAL)."""
    src = sqlite3.connect(source, timeout=20)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # all pages in one step: one read transaction, one consistent snapshot
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()
    return sqlite_state(target)


def sqlite_state(path: Path) -> DatabaseState:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        tables = {name: db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names}
        migrations = []
        if "django_migrations" in tables:
            migrations = list(db.execute("SELECT app, name FROM django_migrations"))
    finally:
        db.close()
    return DatabaseState(tables, _group(migrations))


def sqlite_check(path: Path) -> None:
    """Refuse a copy SQLite cannot read or finds damaged."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = db.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise InvalidInput(f"The backup's database cannot be read: {exc}") from exc
    if result != "ok":
        raise InvalidInput(f"The backup's database is damaged: {result}")


def sqlite_restore(copy: Path, live: Path) -> None:
    """Replace the content of the live database with the copy, through the backup API (it also
    writes into a WAL database correctly, which replacing the file would not)."""
    live.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    dst = sqlite3.connect(live, timeout=20)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


# --- PostgreSQL ---------------------------------------------------------------------------------------------


def _pg_env(params: dict[str, Any]) -> dict[str, str]:
    """libpq environment for pg_dump/pg_restore from Django's connection parameters (the
    password goes in the environment, never on a command line others can read)."""
    env = dict(os.environ)
    for key, var in (
        ("host", "PGHOST"),
        ("port", "PGPORT"),
        ("user", "PGUSER"),
        ("password", "PGPASSWORD"),
        ("dbname", "PGDATABASE"),
        ("sslmode", "PGSSLMODE"),
    ):
        if params.get(key) not in (None, ""):
            env[var] = str(params[key])
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise ConfigurationError(
            f"{name} is not installed; PostgreSQL backups need it",
            hint="Install the PostgreSQL client tools (Debian: apt-get install postgresql-client).",
        )
    return found


def _run(args: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=DUMP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired as exc:
        raise ServiceUnavailable(f"{Path(args[0]).name} did not finish in {DUMP_TIMEOUT_SECONDS} s") from exc
    if done.returncode != 0:
        raise ServiceUnavailable(f"{Path(args[0]).name} failed: {done.stderr.strip()[-2000:]}")


def pg_dump(connection, target: Path) -> DatabaseState:
    """Dump the database of a Django PostgreSQL connection wrapper into `target`. A separate
    connection exports a repeatable-read snapshot; the counts and the dump both read it."""
    params = connection.get_connection_params()
    raw = connection.get_new_connection(params)
    try:
        raw.autocommit = False
        with raw.cursor() as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = cur.fetchone()[0]
            state = _pg_state(cur)
        _run(
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                "--file",
                str(target),
            ],
            _pg_env(params),
        )
        raw.rollback()
    finally:
        raw.close()
    return state


def _pg_state(cur) -> DatabaseState:
    cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    names = [r[0] for r in cur.fetchall()]
    tables = {}
    for name in names:
        cur.execute(f'SELECT COUNT(*) FROM "{name}"')
        tables[name] = cur.fetchone()[0]
    migrations: list[tuple[str, str]] = []
    if "django_migrations" in tables:
        cur.execute("SELECT app, name FROM django_migrations")
        migrations = list(cur.fetchall())
    return DatabaseState(tables, _group(migrations))


def pg_check(dump: Path) -> None:
    """Refuse a dump pg_restore cannot read (it lists the table of contents)."""
    try:
        _run([_tool("pg_restore"), "--list", str(dump)], dict(os.environ))
    except ServiceUnavailable as exc:
        raise InvalidInput(f"The backup's database dump cannot be read: {exc.message}") from exc


def pg_restore(connection, dump: Path) -> None:
    """Empty the current schema (every table: one left over from a newer schema would make the
    migrations after the restore fail), then pg_restore the dump in one transaction."""
    with connection.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        tables = [r[0] for r in cur.fetchall()]
        if tables:
            cur.execute("DROP TABLE IF EXISTS " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")
    params = connection.get_connection_params()
    _run(
        [
            _tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            str(params.get("dbname") or connection.settings_dict["NAME"]),
            str(dump),
        ],
        _pg_env(params),
    )
