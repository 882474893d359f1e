"""Scan folders: validated on save (absolute, exists, is a readable folder)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from core.errors import Conflict, InvalidInput, NotFound
from scanning.models import ALL_FORMATS, ContentType, ScanFolder

KIND_FORMATS = {
    ContentType.EBOOKS: {"epub", "mobi", "azw", "azw3", "pdf"},
    ContentType.COMICS: {"cbz", "cbr", "pdf"},
    ContentType.AUDIOBOOKS: {"m4b", "m4a", "mp3", "flac", "ogg", "opus"},
    ContentType.MIXED: set(ALL_FORMATS),
}


@dataclass(frozen=True)
class FolderInput:
    path: str
    name: str = ""
    content_type: str = ContentType.MIXED
    formats: tuple[str, ...] | None = None
    enabled: bool = True
    scan_interval_hours: int = 24


def validate_path(raw: str) -> str:
    """Absolute, normalised, an existing readable folder; a clear error otherwise."""
    if not raw or "\x00" in raw:
        raise InvalidInput("The folder path is empty or contains a NUL character")
    path = Path(raw).expanduser()
    if not path.is_absolute():
        raise InvalidInput(f"{raw!r} is not an absolute path", hint="Give the full path, e.g. /books")
    path = Path(os.path.normpath(path))
    if not path.exists():
        raise InvalidInput(f"Folder {path} does not exist", hint="Check the path and any volume mounts")
    if not path.is_dir():
        raise InvalidInput(f"{path} is a file, not a folder")
    if not os.access(path, os.R_OK | os.X_OK):
        raise InvalidInput(
            f"Folder {path} is not readable by this process",
            hint="Fix the permissions or the user the app runs as",
        )
    return str(path)


def _formats(data: FolderInput) -> list[str]:
    allowed = KIND_FORMATS[ContentType(data.content_type)]
    if data.formats is None:
        return sorted(allowed)
    chosen = {f.lower().lstrip(".") for f in data.formats}
    unknown = chosen - set(ALL_FORMATS)
    if unknown:
        raise InvalidInput(
            f"Unsupported format(s): {', '.join(sorted(unknown))}",
            hint=f"Supported: {', '.join(ALL_FORMATS)}",
        )
    if not chosen:
        raise InvalidInput("Choose at least one format")
    return sorted(chosen)


def _check_overlap(path: str, exclude_pk: int | None) -> None:
    for other in ScanFolder.objects.exclude(pk=exclude_pk).only("pk", "path"):
        a, b = Path(path), Path(other.path)
        if a == b or a in b.parents or b in a.parents:
            raise Conflict(
                f"{path} overlaps the scan folder {other.path}",
                hint="A file must belong to one scan folder only",
            )


def save_folder(data: FolderInput, folder_id: int | None = None) -> ScanFolder:
    if data.content_type not in ContentType.values:
        raise InvalidInput(f"Unknown content type {data.content_type!r}")
    if not 0 <= data.scan_interval_hours <= 24 * 365:
        raise InvalidInput("The scan interval must be between 0 and 8760 hours")
    path = validate_path(data.path)
    _check_overlap(path, folder_id)
    folder = ScanFolder() if folder_id is None else get_folder(folder_id)
    folder.path, folder.name = path, data.name.strip()[:255]
    folder.content_type, folder.formats = data.content_type, _formats(data)
    folder.enabled, folder.scan_interval_hours = data.enabled, data.scan_interval_hours
    folder.save()
    return folder


def get_folder(folder_id: int) -> ScanFolder:
    folder = ScanFolder.objects.filter(pk=folder_id).first()
    if folder is None:
        raise NotFound(f"Scan folder #{folder_id} does not exist")
    return folder


def delete_folder(folder_id: int) -> None:
    """Forget the folder; its files and catalogue items stay (nothing on disk is touched)."""
    get_folder(folder_id).delete()
