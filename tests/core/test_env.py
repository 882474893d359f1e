from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from omnireadarr import env


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), ("YES", True), ("on", True), ("0", False), ("false", False), ("off", False)],
)
def test_env_bool_parses_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("OMNI_FLAG", raw)
    assert env.env_bool("FLAG", not expected) is expected


def test_env_bool_rejects_garbage_naming_the_variable(monkeypatch):
    monkeypatch.setenv("OMNI_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="OMNI_FLAG"):
        env.env_bool("FLAG", False)


def test_env_int_enforces_minimum(monkeypatch):
    monkeypatch.setenv("OMNI_N", "-3")
    with pytest.raises(ImproperlyConfigured, match=">= 0"):
        env.env_int("N", 1, minimum=0)
    monkeypatch.setenv("OMNI_N", "x")
    with pytest.raises(ImproperlyConfigured, match="integer"):
        env.env_int("N", 1)


def test_empty_value_counts_as_unset(monkeypatch):
    monkeypatch.setenv("OMNI_NAME", "")
    assert env.env_str("NAME", "default") == "default"
    monkeypatch.setenv("DATABASE_URL", "")
    monkeypatch.delenv("OMNI_DATABASE_URL", raising=False)
    assert env.database_url() is None


def test_file_variant_reads_secret_from_file(monkeypatch, tmp_path):
    secret = tmp_path / "pw"
    secret.write_text("s3cret\n")
    monkeypatch.delenv("OMNI_TOKEN", raising=False)
    monkeypatch.setenv("OMNI_TOKEN_FILE", str(secret))
    assert env.env_str("TOKEN") == "s3cret"


def test_unreadable_secret_file_fails_loudly(monkeypatch, tmp_path):
    monkeypatch.delenv("OMNI_TOKEN", raising=False)
    monkeypatch.setenv("OMNI_TOKEN_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="OMNI_TOKEN_FILE"):
        env.env_str("TOKEN")


def test_env_list_and_choice(monkeypatch):
    monkeypatch.setenv("OMNI_HOSTS", "a.example, b.example,,")
    assert env.env_list("HOSTS", []) == ["a.example", "b.example"]
    monkeypatch.setenv("OMNI_FMT", "xml")
    with pytest.raises(ImproperlyConfigured, match="text, json"):
        env.env_choice("FMT", "text", ("text", "json"))


def test_secret_key_is_generated_once_and_persisted(monkeypatch, tmp_path):
    monkeypatch.delenv("OMNI_SECRET_KEY", raising=False)
    monkeypatch.delenv("OMNI_SECRET_KEY_FILE", raising=False)
    first = env.secret_key(tmp_path)
    assert len(first) >= 40
    assert env.secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def _sqlite_cache_pages(extra_env: dict[str, str]) -> int:
    """PRAGMA cache_size of a fresh SQLite connection, in a process that reads the settings anew."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import django; django.setup(); from django.db import connection; c = connection.cursor(); "
        "c.execute('PRAGMA cache_size'); print(c.fetchone()[0])"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "omnireadarr.settings", **extra_env}
    env.pop("DATABASE_URL", None)
    env.pop("OMNI_DATABASE_URL", None)
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=True)
    return int(done.stdout.split()[-1])


def test_the_sqlite_page_cache_is_small_by_default_and_configurable(tmp_path):
    """Every web and worker thread has its own connection and page cache: 8 MB each by default
    (32 MB before, which measured no faster at 100k books), more for a larger machine."""
    assert _sqlite_cache_pages({"OMNI_DATA_DIR": str(tmp_path)}) == -8000
    assert _sqlite_cache_pages({"OMNI_DATA_DIR": str(tmp_path), "OMNI_SQLITE_CACHE_MB": "64"}) == -64000
