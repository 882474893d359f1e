"""Checks of a folder the user typed in the wizard: exists, is a folder, readable,
writable where needed. Read-only: never creates, moves or changes anything."""

from __future__ import annotations

import os
from pathlib import Path

from core.wizard.registry import Message


def check_folder(raw: str, *, label: str, need_write: bool) -> list[Message]:
    text = raw.strip()
    if not text:
        return [Message("error", f"{label}: enter a folder path.")]
    if "\x00" in text:
        return [Message("error", f"{label}: the path contains a NUL character.")]
    path = Path(text).expanduser()
    if not path.is_absolute():
        return [
            Message(
                "error",
                f"{label}: {text} is not an absolute path.",
                f"Write the full path, e.g. /books or {Path.home() / 'Books'}.",
            )
        ]
    uid = os.getuid()
    if not path.exists():
        parent = next((p for p in path.parents if p.exists()), None)
        return [
            Message(
                "error",
                f"{label}: {path} does not exist.",
                f"Create it (mkdir -p {path}) or, in Docker, mount it as a volume. "
                f"The nearest existing folder is {parent}.",
            )
        ]
    if not path.is_dir():
        return [
            Message(
                "error", f"{label}: {path} is a file, not a folder.", "Choose the folder that contains it."
            )
        ]
    if not os.access(path, os.R_OK | os.X_OK):
        return [
            Message(
                "error",
                f"{label}: {path} cannot be read by user id {uid}.",
                f"Give read access, e.g. chmod -R a+rX {path}, or run as its owner.",
            )
        ]
    if need_write and not os.access(path, os.W_OK):
        return [
            Message(
                "warning",
                f"{label}: {path} is read-only for user id {uid}.",
                f"Scanning works, but importing and renaming need write access: chown -R {uid} {path}.",
            )
        ]
    return [Message("ok", f"{label}: {path} is usable.")]
