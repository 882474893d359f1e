"""System checks with stable ids (omni.E/W###). `manage.py check` shows them; the setup
wizard shows the same list through `collect_checks()`."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register


def _writable_dir(path: Path, check_id: str, label: str, *, must_exist: bool = True) -> list[CheckMessage]:
    if not path.exists():
        if must_exist:
            return [Error(f"{label} {path} does not exist.", hint="Create it or set the variable.", id=check_id)]
        return []
    if not path.is_dir():
        return [Error(f"{label} {path} is not a directory.", id=check_id)]
    if not os.access(path, os.W_OK | os.X_OK):
        return [Error(f"{label} {path} is not writable by user id {os.getuid()}.",
                      hint=f"chown/chmod it so this user can write, e.g. `chown -R {os.getuid()} {path}`.",
                      id=check_id)]
    return []


@register("omni")
def check_paths(app_configs=None, **kwargs) -> list[CheckMessage]:
    return [
        *_writable_dir(settings.DATA_DIR, "omni.E001", "Data directory (OMNI_DATA_DIR)"),
        *_writable_dir(settings.LIBRARY_DIR, "omni.E002", "Library directory (OMNI_LIBRARY_DIR)", must_exist=False),
        *_writable_dir(settings.DOWNLOADS_DIR, "omni.E003", "Downloads directory (OMNI_DOWNLOADS_DIR)",
                       must_exist=False),
    ]


@register("omni")
def check_broker(app_configs=None, **kwargs) -> list[CheckMessage]:
    from core.health import probe_broker

    probe = probe_broker(timeout=1.0)
    if probe.ok:
        return []
    return [Warning(f"Task queue not reachable: {probe.detail}",
                    hint="Start RabbitMQ or unset OMNI_BROKER_URL to use the embedded queue.", id="omni.W010")]


def _which(tool: str) -> str | None:
    return shutil.which(tool)


@register("omni")
def check_tools(app_configs=None, **kwargs) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    if not _which(settings.EBOOK_CONVERT_PATH):
        messages.append(Warning(
            f"Calibre's ebook-convert not found ({settings.EBOOK_CONVERT_PATH!r}): format conversion is off.",
            hint="apt-get install calibre, or set OMNI_EBOOK_CONVERT to its path.", id="omni.W020"))
    if not any(_which(tool) for tool in ("unrar", "unar", "bsdtar")):
        messages.append(Warning(
            "No RAR tool (unrar, unar or bsdtar) found: CBR comics cannot be read.",
            hint="apt-get install unrar (Debian non-free) or unar.", id="omni.W021"))
    return messages


def collect_checks() -> list[dict[str, str]]:
    """The same checks as plain data, for the wizard and the settings page."""
    results = [*check_paths(), *check_broker(), *check_tools()]
    return [{"id": m.id or "", "level": "error" if m.is_serious() else "warning", "message": m.msg,
             "hint": m.hint or ""} for m in results]
