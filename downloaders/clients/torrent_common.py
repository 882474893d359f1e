"""Small conversions every torrent client adapter needs (pure: no I/O)."""

from __future__ import annotations

from typing import Any


def eta_text(seconds: Any) -> str:
    """Seconds left as "H:MM:SS" (SABnzbd's form); "" when the client does not know (-1, -2, None)."""
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
        return ""
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def client_path(folder: str, name: str) -> str:
    """The torrent's file or folder as the client sees it: its save folder joined with its name,
    with the folder's own separator (a Windows client reports backslashes)."""
    if not folder or not name:
        return ""
    separator = "\\" if "\\" in folder and "/" not in folder else "/"
    return folder.rstrip("/\\") + separator + name


def ratio_or_none(value: Any) -> float | None:
    """Upload ratio; clients report "not available" as a negative number (-1, -2)."""
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        return None
    return float(value)


def int_or_none(value: Any) -> int | None:
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        return None
    return int(value)
