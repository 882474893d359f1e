"""A start of `manage.py serve` where nothing changed since the last preparation skips it without
setting Django up (core/warm_start.py); anything the preparation depended on that changed makes
the next start prepare again. The last test runs the real command three times."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from core import warm_start
from core.startup import prepared_folders, record_prepared
from tests.core.test_startup import _serve, _serve_env

ROOT = Path(__file__).resolve().parents[2]
LEAF = "0012_alter_user_first_name_max_length"  # auth's last migration: applying it again changes nothing


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.STATIC_ROOT = tmp_path / "static"
    return tmp_path


@pytest.fixture
def admin(django_user_model):
    return django_user_model.objects.create_user("admin", password="x")


@pytest.mark.django_db(transaction=True)  # the check reads the database file through its own connection
def test_nothing_changed_right_after_a_preparation_was_recorded(data_dir, admin):
    assert not warm_start.nothing_changed()  # never prepared
    record_prepared()
    assert warm_start.nothing_changed()


@pytest.mark.django_db(transaction=True)
def test_a_migration_unapplied_in_the_database_means_preparing_again(data_dir, admin):
    record_prepared()
    recorder = MigrationRecorder(connection)
    latest = recorder.migration_qs.filter(app="core").order_by("-id").first()
    recorder.record_unapplied(latest.app, latest.name)
    try:
        assert not warm_start.nothing_changed()
    finally:
        recorder.record_applied(latest.app, latest.name)


@pytest.mark.django_db(transaction=True)
def test_no_user_left_means_preparing_again(data_dir, admin):
    record_prepared()
    get_user_model().objects.all().delete()
    assert not warm_start.nothing_changed()  # ensure_admin must create the first account again


@pytest.mark.django_db(transaction=True)
def test_a_new_migration_file_means_preparing_again(data_dir, admin, tmp_path):
    migrations = tmp_path / "app" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "0001_initial.py").write_text("")
    folders = dataclasses.replace(prepared_folders(), migrations=(str(migrations),))
    warm_start.record(folders)
    assert warm_start.nothing_changed()
    (migrations / "0002_more.py").write_text("")  # arrived with an update
    assert not warm_start.nothing_changed()


@pytest.mark.django_db(transaction=True)
def test_an_edited_static_file_or_a_removed_collection_means_preparing_again(data_dir, admin, tmp_path):
    source = tmp_path / "src" / "css"
    source.mkdir(parents=True)
    (source / "app.css").write_text("body { color: black }")
    collected = data_dir / "static" / warm_start.STATIC_STAMP
    collected.parent.mkdir()
    collected.write_text("fingerprint")
    folders = dataclasses.replace(prepared_folders(), static=(str(tmp_path / "src"),), collected=(str(collected),))
    warm_start.record(folders)
    assert warm_start.nothing_changed()
    (source / "app.css").write_text("body { color: navy; }")
    assert not warm_start.nothing_changed()
    warm_start.record(folders)
    collected.unlink()
    assert not warm_start.nothing_changed()


def test_another_database_or_migration_module_changes_the_settings_digest(settings, monkeypatch):
    before = warm_start.settings_digest()
    monkeypatch.setitem(settings.DATABASES["default"], "HOST", "elsewhere")
    assert warm_start.settings_digest() != before
    monkeypatch.undo()
    assert warm_start.settings_digest() == before
    settings.MIGRATION_MODULES = {"core": "elsewhere.migrations"}
    assert warm_start.settings_digest() != before


@pytest.mark.django_db(transaction=True)
def test_an_unreadable_record_means_preparing_again(data_dir, admin):
    record_prepared()
    warm_start.record_path().write_text("{not json")
    assert not warm_start.nothing_changed()


def test_the_folders_read_are_every_app_s_migrations_and_static_sources(settings):
    import django.contrib.admin

    folders = prepared_folders()
    admin_folder = Path(django.contrib.admin.__file__).parent
    assert str(ROOT / "core" / "migrations") in folders.migrations
    assert str(admin_folder / "migrations") in folders.migrations
    assert str(ROOT / "static") in folders.static and str(admin_folder / "static") in folders.static
    assert folders.user_table == get_user_model()._meta.db_table


def test_a_static_finder_of_another_kind_leaves_no_record(settings, data_dir):
    warm_start.record_path().write_text("{}")
    settings.STATICFILES_FINDERS = [*settings.STATICFILES_FINDERS, "example.finders.RemoteFinder"]
    record_prepared()
    assert not warm_start.record_path().exists()


def test_the_check_sets_no_django_app_up():
    code = (
        "import os, sys; os.environ['DJANGO_SETTINGS_MODULE'] = 'omnireadarr.settings'\n"
        "from django.apps import apps; from core import warm_start\n"
        "print(warm_start.nothing_changed(), apps.ready, 'django.db.models' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "OMNI_LOG_LEVEL": "warning"},
    )
    assert result.stdout.split() == ["False", "False", "False"]  # no record in that data folder: prepare


def test_serve_with_an_argument_of_django_s_own_is_left_to_django():
    result = subprocess.run(
        [sys.executable, "manage.py", "serve", "--help"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "OMNI_LOG_LEVEL": "warning"},
    )
    assert "--web-workers" in result.stdout and "--settings" in result.stdout


# --- the real command ---------------------------------------------------------------------------
def _serve_until_ready(env: dict[str, str], port: int) -> str:
    """Runs `manage.py serve` until it says it is ready, checks the log-in page, stops it (Ctrl-C)
    and returns what it printed."""
    process, lines, ready = _serve(env, port)
    try:
        assert ready.wait(180), "".join(lines)
        page = httpx.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=30)
        assert page.status_code == 200 and 'name="password"' in page.text  # Django's page, not a placeholder
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(60)  # its output ends with it: the reader thread has every line
    return "".join(lines)


@pytest.mark.django_db(transaction=True)
def test_serve_prepares_when_needed_and_otherwise_starts_warm(tmp_path):
    from benchmarks.e2e import free_port

    env = _serve_env(tmp_path, OMNI_LOG_LEVEL="warning", OMNI_ADMIN_PASSWORD="first-start-1")
    port = free_port()

    first = _serve_until_ready(env, port)
    assert "Preparing: something changed since the last start, or this is the first" in first
    assert "Static files: collecting them" in first and "Created admin account 'admin'." in first
    assert "Web server: starting on" in first

    second = _serve_until_ready(env, port)
    assert "Database, static files and admin account: as at the last start." in second
    assert "Preparing" not in second and "Static files" not in second

    recorder = MigrationRecorder(connection)
    recorder.record_unapplied("auth", LEAF)  # as if it had arrived with an update
    third = _serve_until_ready(env, port)
    assert "Database: applying 1 migration(s)" in third
    assert recorder.migration_qs.filter(app="auth", name=LEAF).exists()
