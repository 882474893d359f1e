"""A warm start of `manage.py serve` without setting Django's apps up.

Setting the apps up (every model, admin module and app hook) costs the serve process about a
second of CPU before the web server may even start, and the web server then pays it again. When
serve has prepared everything (core/startup.py: migrations applied, static files collected, an
admin account) it records here what that preparation depended on: the settings that decide it,
the folders it read (each app's migrations and static folders, listed from the app registry then)
and the database's state (the applied migrations, whether a user exists). The next start
(manage.py calls `start_if_unchanged` before Django) reads only the settings, lists those folders
and asks the database two questions; when all is as recorded it becomes the supervisor at once,
and when anything differs (a migration file added, a package upgraded, a static file edited, the
database changed or replaced, the record missing) Django prepares as usual and records again.

Imports no app, no model and nothing that sets the apps up.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import sys
import warnings
from collections.abc import Iterable
from contextlib import closing
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from core.metrics_files import claim_folder
from omnireadarr.env import env_int

RECORD_NAME = "prepared.json"  # in the data folder
RECORD_VERSION = 1
STATIC_STAMP = ".omni-collected"  # in STATIC_ROOT: the fingerprint of the sources last collected
STANDARD_FINDERS = (
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
)


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """`manage.py serve`'s options, for Django's command and for the warm start before Django."""
    parser.add_argument("--bind", default=os.environ.get("OMNI_BIND", "127.0.0.1:8000"))
    parser.add_argument(
        "--web-workers",
        type=int,
        default=env_int("WEB_WORKERS", 1, minimum=1),
        help="web server processes (each about 110 MB); 1 serves with threads in one process, more run gunicorn",
    )
    parser.add_argument(
        "--web-threads", type=int, default=env_int("WEB_THREADS", 8, minimum=1), help="request threads per web process"
    )
    parser.add_argument(
        "--skip-prepare",
        action="store_true",
        help="start without checking migrations, static files and the admin account",
    )


def become_supervisor(*, bind: str, web_workers: int, web_threads: int) -> None:
    """Replaces this process (same PID, so Ctrl-C and a service manager's signals reach it) with
    core/supervisor.py, which needs no Django's ~100 MB."""
    claim_folder(settings.METRICS_DIR, "serve")  # one Prometheus folder for web, worker and scheduler
    connections.close_all()
    sys.stdout.flush()
    os.chdir(settings.BASE_DIR)
    python = sys.executable
    os.execv(
        python,
        [
            python,
            "-m",
            "core.supervisor",
            "--bind",
            bind,
            "--web-workers",
            str(web_workers),
            "--web-threads",
            str(web_threads),
            "--worker-processes",
            str(settings.WORKER_PROCESSES),
        ],
    )


@dataclass(frozen=True)
class Folders:
    """What a preparation read, listed from the app registry while the apps were set up."""

    migrations: tuple[str, ...]  # each app's migrations package folder (listed flat)
    static: tuple[str, ...]  # each static source folder (walked), present or not
    collected: tuple[str, ...]  # in STATIC_ROOT: the stamp of the last collection and the manifest
    user_table: str  # the user model's table (an admin account exists)


def settings_digest() -> str:
    """The settings a preparation depends on: which database, apps, migration modules, static
    finders, folders and storage, the user model, and Django's version."""
    import django

    database = settings.DATABASES[DEFAULT_DB_ALIAS]
    chosen = [
        django.get_version(),
        [str(database.get(key, "")) for key in ("ENGINE", "NAME", "HOST", "PORT")],
        list(settings.INSTALLED_APPS),
        sorted(getattr(settings, "MIGRATION_MODULES", {}).items()),
        list(settings.STATICFILES_FINDERS),
        [str(entry) for entry in settings.STATICFILES_DIRS],
        str(settings.STATIC_ROOT),
        settings.STORAGES.get("staticfiles"),
        settings.AUTH_USER_MODEL,
    ]
    return hashlib.sha256(json.dumps(chosen, default=str, sort_keys=True).encode()).hexdigest()


def _file(path: Path) -> str:
    try:
        stat = path.stat()
    except OSError:
        return f"{path}\0missing"
    return f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}"


def _listing(folder: Path, *, walk: bool) -> Iterable[str]:
    if not folder.is_dir():
        yield f"{folder}\0missing"
        return
    for path in sorted(folder.rglob("*") if walk else folder.iterdir()):
        if "__pycache__" not in path.parts and not (walk and path.is_dir()):
            yield _file(path)


def files_digest(folders: Folders) -> str:
    """Every file's path, size and modification time in the migrations folders (flat) and static
    folders (walked), and of the last collection's stamp and manifest."""
    lines = [line for folder in folders.migrations for line in _listing(Path(folder), walk=False)]
    lines += [line for folder in folders.static for line in _listing(Path(folder), walk=True)]
    lines += [_file(Path(path)) for path in folders.collected]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _sqlite_file_state(path: str, user_table: str) -> list[int]:
    """As `database_state`, read-only through the standard library: Django's SQLite backend
    imports the ORM first (0.15 s of CPU)."""
    with closing(sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=5)) as database:
        applied, last = database.execute("SELECT COUNT(*), MAX(id) FROM django_migrations").fetchone()
        has_user = database.execute(f'SELECT 1 FROM "{user_table}" LIMIT 1').fetchone() is not None
    return [applied, last or 0, int(has_user)]


def database_state(user_table: str) -> list[int]:
    """The applied migrations (their count and last id) and whether a user exists. Raises when
    the database is unreachable or not migrated yet."""
    database = settings.DATABASES[DEFAULT_DB_ALIAS]
    if database["ENGINE"] == "django.db.backends.sqlite3" and Path(str(database["NAME"])).is_file():
        return _sqlite_file_state(str(database["NAME"]), user_table)
    connection = connections[DEFAULT_DB_ALIAS]
    with warnings.catch_warnings():  # Django warns of queries before the apps are set up: the point here
        warnings.filterwarnings("ignore", message="Accessing the database during app initialization")
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*), MAX(id) FROM django_migrations")
            applied, last = cursor.fetchone()
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(user_table)} LIMIT 1")
            has_user = cursor.fetchone() is not None
    return [applied, last or 0, int(has_user)]


def record_path() -> Path:
    return Path(settings.DATA_DIR) / RECORD_NAME


def _state(folders: Folders) -> dict:
    return {
        "version": RECORD_VERSION,
        "settings": settings_digest(),
        "files": files_digest(folders),
        "database": database_state(folders.user_table),
    }


def record(folders: Folders) -> None:
    """After a preparation: what it depended on, for the next start to compare."""
    state = {**_state(folders), "folders": asdict(folders)}
    path = record_path()
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(state, indent=1))
    partial.replace(path)


def forget() -> None:
    record_path().unlink(missing_ok=True)


def nothing_changed() -> bool:
    """Everything the last preparation depended on is as it recorded."""
    try:
        recorded = json.loads(record_path().read_text())
        folders = Folders(**recorded["folders"])
        current = _state(folders)
    except Exception:  # no record, an older one, no database yet...: Django's serve prepares, and reports errors
        return False
    finally:
        connections.close_all()
    return all(recorded.get(key) == value for key, value in current.items())


def _own_checks_pass() -> bool:
    """The project's system checks, as serve runs them (data folder writable, queue reachable,
    tools): warnings are printed; an error leaves the start to Django's serve, which reports it."""
    from django.core import checks

    import core.checks  # noqa: F401  (registers them)

    messages = checks.run_checks(tags=["omni"])
    if any(message.is_serious() for message in messages):
        return False
    if messages:
        print("System check identified some issues:", *map(str, messages), sep="\n", file=sys.stderr)
    return True


def start_if_unchanged(argv: list[str]) -> None:
    """`manage.py serve` before Django: becomes the supervisor when nothing changed since the last
    preparation (or with --skip-prepare); returns when Django's serve has work to do, or for any
    argument of Django's own (--help, --settings, --verbosity...)."""
    parser = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    add_serve_arguments(parser)
    try:
        options, unknown = parser.parse_known_args(argv)
    except argparse.ArgumentError:
        return
    if unknown:
        return
    if not options.skip_prepare:
        if not nothing_changed():
            print(
                "Preparing: something changed since the last start, or this is the first "
                "(database, static files, settings)...",
                flush=True,
            )
            return
        print("Database, static files and admin account: as at the last start.", flush=True)
    if _own_checks_pass():
        become_supervisor(bind=options.bind, web_workers=options.web_workers, web_threads=options.web_threads)
