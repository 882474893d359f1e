"""Typed access to the environment: every setting is `OMNI_<NAME>`, secrets may come
from `OMNI_<NAME>_FILE`. Bad values fail loudly at start-up with the variable's name."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

PREFIX = "OMNI_"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str) -> str | None:
    """Value of OMNI_<name>, or the content of the file named by OMNI_<name>_FILE.
    An empty value counts as unset (so `FOO=` in a compose file means default)."""
    key = PREFIX + name
    value = os.environ.get(key)
    if value:
        return value
    file_name = os.environ.get(key + "_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip() or None
        except OSError as exc:
            raise ImproperlyConfigured(f"{key}_FILE: cannot read {file_name!r}: {exc}") from exc
    return None


def env_str(name: str, default: str | None = None) -> str | None:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{PREFIX}{name} must be a boolean (true/false), got {value!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{PREFIX}{name} must be an integer, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{PREFIX}{name} must be >= {minimum}, got {number}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default)
    return [part.strip() for part in value.split(",") if part.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = (_raw(name) or default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{PREFIX}{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def env_path(name: str, default: Path) -> Path:
    value = _raw(name)
    return (Path(value).expanduser() if value else default).resolve()


def trusted_proxy_header() -> tuple[str, str] | None:
    """Django's SECURE_PROXY_SSL_HEADER when OMNI_TRUSTED_PROXY is true: a request the proxy marks
    `X-Forwarded-Proto: https` counts as HTTPS. Off by default: a client reaching the app directly
    could send the header itself."""
    return ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("TRUSTED_PROXY", False) else None


def database_url() -> str | None:
    """`DATABASE_URL` (the common convention) or `OMNI_DATABASE_URL`; empty means unset."""
    return _raw("DATABASE_URL") or os.environ.get("DATABASE_URL") or None


def secret_key(data_dir: Path) -> str:
    """OMNI_SECRET_KEY, else a key generated once and kept in the data directory."""
    value = _raw("SECRET_KEY")
    if value:
        return value
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    from django.core.management.utils import get_random_secret_key

    data_dir.mkdir(parents=True, exist_ok=True)
    key = get_random_secret_key()
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process (worker, scheduler) won the race
        return key_file.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key
