"""One-click fixes of a finding. Nothing is deleted: files go to the recycle bin (undone from
there), an item whose files are gone goes to the recycle bin too, an unknown file is handed to
a scan of its folder. Each fix looks at the disk again first: the report may be old."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from core.errors import Conflict, InvalidInput, NotFound
from core.paths import is_inside
from media import recycle
from media.models import FileState, LibraryFile, MediaItem
from operations.integrity.checks import orphan_sidecars, used_covers
from operations.models import FindingKind, FixAction, IntegrityFinding
from scanning.models import ScanFolder
from scanning.services.covers import thumbnail_path
from scanning.services.jobs import start_scan
from scanning.walker import directory_at


def apply_fix(finding_id: int, action: str, *, user=None) -> IntegrityFinding:
    finding = IntegrityFinding.objects.filter(pk=finding_id).first()
    if finding is None:
        raise NotFound(f"Finding {finding_id} does not exist")
    if action not in finding.fixes:
        raise InvalidInput(f"{action!r} is not a fix of this finding", details={"fixes": finding.fixes})
    if finding.fixed_at is not None:
        raise Conflict(f"Finding {finding_id} was already fixed ({finding.fixed_with}: {finding.fix_result})")
    result = _FIXES[action](finding, user)
    claimed = IntegrityFinding.objects.filter(pk=finding.pk, fixed_at__isnull=True).update(
        fixed_at=timezone.now(), fixed_with=action, fix_result=result[:500]
    )
    if not claimed:
        raise Conflict(f"Finding {finding_id} was fixed meanwhile")
    finding.refresh_from_db()
    return finding


def _gone(finding: IntegrityFinding) -> LibraryFile:
    row = LibraryFile.objects.filter(pk=finding.file_id).first()
    if row is None:
        raise Conflict("The file's row no longer exists: nothing to fix")
    if os.path.lexists(row.path):
        raise Conflict(f"{row.path} is there again: nothing to fix", hint="Run the check again.")
    return row


def mark_missing(finding: IntegrityFinding, user) -> str:
    row = _gone(finding)
    LibraryFile.objects.filter(pk=row.pk).update(state=FileState.MISSING, updated_at=timezone.now())
    return f"File #{row.pk} marked missing"


def recycle_item(finding: IntegrityFinding, user) -> str:
    row = _gone(finding)
    if row.item_id is None or not MediaItem.objects.filter(pk=row.item_id).exists():
        raise Conflict("The file belongs to no item any more")
    entry = recycle.recycle_item(row.item_id, user=user)
    return f"Item moved to the recycle bin (entry #{entry.pk}; undo from there)"


def scan_folder(finding: IntegrityFinding, user) -> str:
    job = start_scan(finding.folder_id, user=user)
    return f"Scan of the folder started (job #{job.pk})"


def recycle_file(finding: IntegrityFinding, user) -> str:
    path = Path(finding.path)
    if not path.is_file():
        raise Conflict(f"{path} is no longer there: nothing to fix")
    if finding.kind == FindingKind.ORPHAN_COVER:
        paths = _unused_cover(path)
    elif finding.kind == FindingKind.ORPHAN_SIDECAR:
        paths = _orphan_sidecar(finding, path)
    else:
        raise InvalidInput(f"A {finding.kind} finding cannot be recycled as a file")
    entry = recycle.recycle_files([str(p) for p in paths], title=f"{path.name} (integrity check)", user=user)
    return f"Moved to the recycle bin (entry #{entry.pk}; undo from there)"


def _unused_cover(path: Path) -> list[Path]:
    """The cover and its grid thumbnail, if it is still a stored cover nobody uses."""
    data = Path(settings.DATA_DIR)
    if not is_inside(path, settings.COVERS_DIR):
        raise InvalidInput(f"{path} is not a stored cover")
    relative = path.resolve().relative_to(data.resolve()).as_posix()
    if relative in used_covers():
        raise Conflict(f"{relative} is used again: nothing to fix")
    thumb = thumbnail_path(relative)
    return [path] + ([thumb] if thumb.is_file() else [])


def _orphan_sidecar(finding: IntegrityFinding, path: Path) -> list[Path]:
    """The sidecar, if it is inside its scan folder and still has no book beside it."""
    folder = ScanFolder.objects.filter(pk=finding.folder_id).first()
    if folder is None or not is_inside(path, folder.path):
        raise InvalidInput(f"{path} is not inside a scan folder")
    directory = directory_at(str(path.parent), frozenset(folder.formats))
    if str(path) not in orphan_sidecars(directory):
        raise Conflict(f"{path} has a book beside it now: nothing to fix")
    return [path]


_FIXES = {
    FixAction.MARK_MISSING: mark_missing,
    FixAction.RECYCLE_ITEM: recycle_item,
    FixAction.SCAN_FOLDER: scan_folder,
    FixAction.RECYCLE_FILE: recycle_file,
}
