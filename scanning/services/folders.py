"""Scan folders: validated on save (absolute, exists, is a readable folder). A scan folder is
a library: it may have its own rename template (checked by rendering a sample book) and its
own target root (absolute, an existing writable folder, apart from every other library)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from core.errors import Conflict, InvalidInput, NotFound
from core.naming import check_template
from scanning.models import ALL_FORMATS, ContentType, ScanFolder

KIND_FORMATS = {
    ContentType.EBOOKS: {"epub", "mobi", "azw", "azw3", "pdf"},
    ContentType.COMICS: {"cbz", "cbr", "zip", "rar", "pdf"},
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
    naming_template: str = ""
    target_root: str = ""


def validate_path(raw: str) -> str:
    """Absolute, normalised, an existing readable folder; a clear error otherwise: 422 for the
    path's shape, 404 when nothing is there, 409 when what is there is no readable folder."""
    if not raw or "\x00" in raw:
        raise InvalidInput("The folder path is empty or contains a NUL character")
    path = Path(raw).expanduser()
    if not path.is_absolute():
        raise InvalidInput(f"{raw!r} is not an absolute path", hint="Give the full path, e.g. /books")
    path = Path(os.path.normpath(path))
    if not _exists(path):
        raise NotFound(f"Folder {path} does not exist", hint="Check the path and any volume mounts")
    if not path.is_dir():
        raise Conflict(f"{path} is a file, not a folder")
    if not os.access(path, os.R_OK | os.X_OK):
        raise Conflict(
            f"Folder {path} is not readable by this process",
            hint="Fix the permissions or the user the app runs as",
        )
    return str(path)


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # a name too long for the filesystem: nothing can be there
        return False


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


def _overlap(a: Path, b: Path) -> bool:
    return a == b or a in b.parents or b in a.parents


def _overlapping_library(path: Path, exclude_pk: int | None) -> str:
    """What of another library `path` is in, around or equal to: its scan folder or the
    target root its renames go to ("" when none)."""
    for other in ScanFolder.objects.exclude(pk=exclude_pk).only("pk", "path", "target_root"):
        if _overlap(path, Path(other.path)):
            return f"the scan folder {other.path}"
        if other.target_root and _overlap(path, Path(other.target_root)):
            return f"{other.target_root}, where renames of the library {other.path} go"
    return ""


def _check_overlap(path: str, exclude_pk: int | None) -> None:
    if clash := _overlapping_library(Path(path), exclude_pk):
        raise Conflict(f"{path} overlaps {clash}", hint="A file must belong to one scan folder only")


def validate_naming_template(raw: str) -> str:
    """Blank (renames use the template chosen for them) or a template that names a sample book."""
    text = raw.strip()
    if not text:
        return ""
    try:
        check_template(text)
    except InvalidInput as exc:  # TemplateError names the position
        raise InvalidInput(f"Naming template: {exc.message}", hint=exc.hint, details=exc.details) from exc
    return text


def validate_target_root(raw: str, folder_path: str, exclude_pk: int | None) -> str:
    """Blank (renames stay in the scan folder) or an absolute, existing, writable folder apart
    from every other library, so no other scan ever claims the moved books."""
    text = raw.strip()
    if not text:
        return ""
    try:
        path = Path(validate_path(text))
    except (InvalidInput, NotFound, Conflict) as exc:
        raise type(exc)(f"Target root: {exc.message}", hint=exc.hint) from exc
    if path == Path(folder_path):
        return ""  # the scan folder itself: the default
    _check_writable(path)
    if clash := _overlapping_library(path, exclude_pk):
        raise Conflict(
            f"Target root {path} overlaps {clash}",
            hint="Choose a folder apart from every other library, so each book belongs to one library",
        )
    return str(path)


def _check_writable(path: Path) -> None:
    try:
        with tempfile.TemporaryFile(dir=path, prefix=".omni-write-test"):
            pass
    except OSError as exc:
        raise Conflict(
            f"Target root {path} is not writable by this process: {exc.strerror or exc}",
            hint="Fix the permissions, the user the app runs as, or a read-only volume mount",
        ) from exc


def save_folder(data: FolderInput, folder_id: int | None = None) -> ScanFolder:
    if data.content_type not in ContentType.values:
        raise InvalidInput(f"Unknown content type {data.content_type!r}")
    if not 0 <= data.scan_interval_hours <= 24 * 365:
        raise InvalidInput("The scan interval must be between 0 and 8760 hours")
    path = validate_path(data.path)
    _check_overlap(path, folder_id)
    template = validate_naming_template(data.naming_template)
    target_root = validate_target_root(data.target_root, path, folder_id)
    folder = ScanFolder() if folder_id is None else get_folder(folder_id)
    folder.naming_template, folder.target_root = template, target_root
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


def set_naming(folder_id: int, naming_template: str, target_root: str) -> ScanFolder:
    """Change only a library's rename template and target root (validated as on the scanning page)."""
    folder = get_folder(folder_id)
    data = FolderInput(
        path=folder.path,
        name=folder.name,
        content_type=folder.content_type,
        formats=tuple(folder.formats),
        enabled=folder.enabled,
        scan_interval_hours=folder.scan_interval_hours,
        naming_template=naming_template,
        target_root=target_root,
    )
    return save_folder(data, folder.pk)
