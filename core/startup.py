"""What `manage.py serve` does before it starts its processes, each step only when needed:
migrate when a migration is not applied yet, collect the static files when they changed since
the last collection, create the first admin account. Then it records what it read
(core/warm_start.py), so that the next start, when nothing changed, needs not even set Django up."""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Callable
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from core import warm_start
from core.warm_start import STATIC_STAMP


def pending_migrations(database: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The migrations `migrate` would apply now ("app.name"), read from the migration files
    and the database's django_migrations table, as `migrate` plans them."""
    executor = MigrationExecutor(connections[database])
    targets = executor.loader.graph.leaf_nodes()
    return [
        f"{migration.app_label}.{migration.name}"
        for migration, backwards in executor.migration_plan(targets)
        if not backwards
    ]


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


def _migrations_folder(app_label: str, app_path: str, app_name: str) -> str | None:
    module_name, _ = MigrationLoader.migrations_module(app_label)
    if module_name is None:  # migrations turned off for this app
        return None
    try:
        spec = importlib.util.find_spec(module_name)
    except ImportError:
        spec = None
    if spec and spec.submodule_search_locations:
        return next(iter(spec.submodule_search_locations))
    if module_name == f"{app_name}.migrations":  # none yet: one that appears is a change
        return str(Path(app_path) / "migrations")
    return None


def prepared_folders() -> warm_start.Folders | None:
    """The folders a preparation reads, from the app registry; None with a static files finder
    other than Django's two (the warm start could not tell what it reads)."""
    finders_used = set(settings.STATICFILES_FINDERS)
    if not finders_used <= set(warm_start.STANDARD_FINDERS):
        return None
    configs = list(apps.get_app_configs())
    migrations = [_migrations_folder(c.label, c.path, c.name) for c in configs]
    static = []
    if warm_start.STANDARD_FINDERS[0] in finders_used:
        static += [str(entry[1] if isinstance(entry, (list, tuple)) else entry) for entry in settings.STATICFILES_DIRS]
    if warm_start.STANDARD_FINDERS[1] in finders_used:
        static += [str(Path(c.path) / "static") for c in configs]
    root = Path(settings.STATIC_ROOT)
    manifest = getattr(staticfiles_storage, "manifest_name", None)
    collected = [str(root / STATIC_STAMP)] + ([str(root / manifest)] if manifest else [])
    return warm_start.Folders(
        tuple(f for f in migrations if f), tuple(static), tuple(collected), get_user_model()._meta.db_table
    )


def record_prepared() -> None:
    """After `prepare`: what it read, for the next start's check (or no record, when it cannot tell)."""
    folders = prepared_folders()
    if folders is None:
        warm_start.forget()
    else:
        warm_start.record(folders)
