"""What `manage.py serve` does before it starts its processes, each step only when needed:
migrate when a migration is not applied yet, collect the static files when they changed since
the last collection, create the first admin account. A warm start checks all three in a fraction
of a second inside the serving process instead of three separate Python processes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

STATIC_STAMP = ".omni-collected"  # in STATIC_ROOT: the fingerprint of the sources last collected


def pending_migrations(database: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The migrations `migrate` would apply now ("app.name"), read from the migration files
    and the database's django_migrations table, as `migrate` plans them."""
    executor = MigrationExecutor(connections[database])
    targets = executor.loader.graph.leaf_nodes()
    return [f"{migration.app_label}.{migration.name}"
            for migration, backwards in executor.migration_plan(targets) if not backwards]


def static_fingerprint() -> str:
    """Every static source file's path, size and modification time (a file edited, added or
    removed, or a package upgraded, changes it), and the storage that collects them."""
    digest = hashlib.sha256(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    for finder in finders.get_finders():
        for path, storage in finder.list(ignore_patterns=[]):
            stat = Path(storage.path(path)).stat()
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def static_up_to_date(fingerprint: str) -> bool:
    """The last collection was of these sources (and its manifest, where the storage keeps one, is there)."""
    root = Path(settings.STATIC_ROOT)
    stamp = root / STATIC_STAMP
    manifest = getattr(staticfiles_storage, "manifest_name", None)
    if manifest and not (root / manifest).is_file():
        return False
    return stamp.is_file() and stamp.read_text() == fingerprint


def collect_static(fingerprint: str) -> None:
    call_command("collectstatic", interactive=False, verbosity=0)
    (Path(settings.STATIC_ROOT) / STATIC_STAMP).write_text(fingerprint)


def prepare(say: Callable[[str], None]) -> None:
    """Migrate, collect static files and create the first admin, each only when needed;
    `say` gets a progress line for every step that does work."""
    pending = pending_migrations()
    if pending:
        say(f"Database: applying {len(pending)} migration(s) (a first start takes a minute)...")
        call_command("migrate", interactive=False, verbosity=1)
    fingerprint = static_fingerprint()
    if not static_up_to_date(fingerprint):
        say("Static files: collecting them (they changed since the last start, or this is the first)...")
        collect_static(fingerprint)
    call_command("ensure_admin")
