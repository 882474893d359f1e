"""Where a download client puts completed downloads compared with where OmniReadarr sees
them: the advice the wizard and the settings page show after a connection test, with the
path mapping to suggest when the client reports a folder this machine does not have.
Pure (the folder test is passed in)."""

from __future__ import annotations

import ntpath
import os
import posixpath
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class FolderAdvice:
    level: str  # ok | warning
    text: str
    hint: str = ""
    local: str = ""  # the folder imports come from, as OmniReadarr sees it
    remote: str = ""  # the client's folder to map to `local`; "" when no mapping is needed


def is_absolute(path: str) -> bool:
    """POSIX or Windows: the client may run on either."""
    return posixpath.isabs(path) or bool(ntpath.splitdrive(path)[0] and ntpath.isabs(path))


def _norm(path: str) -> str:
    return posixpath.normpath(path) if posixpath.isabs(path) else ntpath.normpath(path).lower()


def _inside(path: str, folder: str) -> bool:
    path, folder = _norm(path), _norm(folder)
    return path == folder or path.startswith(folder.rstrip("/\\") + ("/" if "/" in folder else "\\"))


def advise(client: str, ours: str, label: str, *, is_dir: Callable[[str], bool] = os.path.isdir) -> FolderAdvice:
    """`client`: the client's completed folder as it reports it; `ours`: the downloads folder
    the user gave (may be empty)."""
    client, ours = client.strip(), ours.strip()
    if not client:
        return FolderAdvice(
            "warning",
            f"{label} did not report its completed folder.",
            "Enter the downloads folder where OmniReadarr sees the completed downloads.",
            ours,
        )
    if not is_absolute(client):
        return FolderAdvice(
            "warning",
            f"{label} reports a relative completed folder ({client}).",
            f"Set an absolute folder in {label}, then test again.",
            ours,
        )
    if not ours:
        if is_dir(client):
            return FolderAdvice(
                "ok",
                f"{label} puts completed downloads in {client}; OmniReadarr can read it and imports from there.",
                local=client,
            )
        return FolderAdvice(
            "warning",
            f"{label} puts completed downloads in {client}, which does not exist here.",
            "Enter the downloads folder where OmniReadarr sees them (in Docker: the volume "
            "mounted there); the path mapping is suggested on the next test.",
        )
    if _inside(client, ours):
        return FolderAdvice("ok", f"{label}'s completed folder {client} is in the downloads folder {ours}.", local=ours)
    if is_dir(client):
        return FolderAdvice(
            "warning",
            f"{label} puts completed downloads in {client}, outside the downloads folder {ours}.",
            f"Set the downloads folder to {client}, or change {label}'s completed folder.",
            ours,
        )
    return FolderAdvice(
        "warning",
        f"{label} puts completed downloads in {client}, which does not exist here. "
        f"Suggested path mapping: {client} → {ours}.",
        "Accept the suggested path mapping and save (the same folder, mounted elsewhere).",
        ours,
        client,
    )
