"""Finding faults. Each check yields `Fault`s and touches nothing.

- a LibraryFile row whose file is gone;
- a book file in a scan folder that no LibraryFile row knows;
- a sidecar (an OPF, an image named as a cover) whose book is not beside it;
- a stored cover no item uses (now, as a candidate, in its history or in the recycle bin);
- a journal entry left open: a rename batch or a recycle left half done, import file
  operations planned but never done by a run that has ended."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from core.db import chunks
from media.models import FileState, LibraryFile, MediaItem, RecycleEntry, RecycleState
from operations.models import FindingKind, FixAction
from processing.models import ImportFileOperation, OperationState, PostProcessStatus
from processing.renaming.models import BatchState, RenameBatch
from scanning.models import ScanFolder
from scanning.sidecars import OPF, cover_owner, image, stem
from scanning.walker import Directory, walk
from search.models import FieldCandidate, MetadataChange, ResolvedField

# A journal entry younger than this may belong to work still going on.
OPEN_AFTER = timedelta(minutes=15)
OPEN_BATCH_STATES = (BatchState.RUNNING, BatchState.INTERRUPTED, BatchState.REVERTING)


@dataclass(frozen=True)
class Fault:
    kind: str
    path: str = ""
    detail: str = ""
    item_id: int | None = None
    file_id: int | None = None
    folder_id: int | None = None
    batch_id: int | None = None
    run_id: int | None = None
    fixes: tuple[str, ...] = ()


def missing_files() -> Iterator[Fault]:
    rows = LibraryFile.objects.only("pk", "path", "item_id", "state")
    for library_file in (f for page in chunks(rows, 2000) for f in page):
        pk, path, item_id, state = library_file.pk, library_file.path, library_file.item_id, library_file.state
        if os.path.lexists(path):
            continue
        fixes = (() if state == FileState.MISSING else (FixAction.MARK_MISSING,)) + (
            (FixAction.RECYCLE_ITEM,) if item_id else ()
        )
        yield Fault(
            FindingKind.MISSING_FILE,
            path,
            f"The file is gone (row marked {state})",
            item_id=item_id,
            file_id=pk,
            fixes=fixes,
        )


def library_folders() -> Iterator[Fault]:
    """Unknown book files and sidecars without a book, from one walk of each enabled scan folder."""
    for folder in ScanFolder.objects.filter(enabled=True):
        known = set(LibraryFile.objects.filter(path__startswith=folder.path).values_list("path", flat=True))
        for directory in walk(folder.path, frozenset(folder.formats)):
            for entry in directory.files:
                if entry.path not in known:
                    yield Fault(
                        FindingKind.UNKNOWN_FILE,
                        entry.path,
                        f"Not in the catalogue (folder {folder})",
                        folder_id=folder.pk,
                        fixes=(FixAction.SCAN_FOLDER,),
                    )
            for path in orphan_sidecars(directory):
                yield Fault(
                    FindingKind.ORPHAN_SIDECAR,
                    path,
                    "No book beside it is the one it describes",
                    folder_id=folder.pk,
                    fixes=(FixAction.RECYCLE_FILE,),
                )


def orphan_sidecars(directory: Directory) -> list[str]:
    """Sidecars of a folder that no book of it owns: `<stem>.opf` or `<stem> cover.jpg` with no
    book of that stem, and `metadata.opf`/`cover.jpg` in a folder with no book in it or below
    it (a series folder's `cover.jpg` above its volumes is the series'). Other images are not
    sidecars for sure (`author.jpg`) and are left alone."""
    stems = {stem(f.name).lower() for f in directory.files}
    found = []
    for name, path in directory.sidecars.items():
        if name.endswith(".opf"):
            owner: str | None = "" if name == OPF else stem(name)
        elif image(name):
            owner = cover_owner(name)
        else:
            continue
        if owner is None:
            continue
        if (owner and owner not in stems) or (owner == "" and not stems and not _has_subfolders(directory.path)):
            found.append(path)
    return sorted(found)


def _has_subfolders(path: str) -> bool:
    try:
        with os.scandir(path) as entries:
            return any(e.is_dir() and not e.name.startswith(".") for e in entries)
    except OSError:
        return False


def used_covers() -> set[str]:
    """Covers (relative to the data folder) something points at: items now, candidates and
    history (a revert brings them back), and items in the recycle bin (an undo does)."""
    used = set(MediaItem.objects.exclude(cover_path="").values_list("cover_path", flat=True))
    used.update(
        v for v in FieldCandidate.objects.filter(field="cover").values_list("value", flat=True) if isinstance(v, str)
    )
    used.update(
        v for v in ResolvedField.objects.filter(field="cover").values_list("value", flat=True) if isinstance(v, str)
    )
    for old, new in MetadataChange.objects.filter(field="cover").values_list("old_value", "new_value"):
        used.update(v for v in (old, new) if isinstance(v, str))
    for snapshot in RecycleEntry.objects.filter(state=RecycleState.RECYCLED).values_list("snapshot", flat=True):
        cover = (snapshot.get("fields") or {}).get("cover_path") if isinstance(snapshot, dict) else None
        if cover:
            used.add(cover)
    return used


def orphan_covers() -> Iterator[Fault]:
    covers, data = Path(settings.COVERS_DIR), Path(settings.DATA_DIR)
    if not covers.is_dir():
        return
    used = used_covers()
    for path in sorted(covers.rglob("*")):
        relative = path.relative_to(covers)
        if relative.parts[0] == "thumbs" or path.name.endswith(".part") or not path.is_file():
            continue
        if path.relative_to(data).as_posix() not in used:
            yield Fault(FindingKind.ORPHAN_COVER, str(path), "No item uses this cover", fixes=(FixAction.RECYCLE_FILE,))


def open_journals() -> Iterator[Fault]:
    before = timezone.now() - OPEN_AFTER
    batches = RenameBatch.objects.filter(state__in=OPEN_BATCH_STATES).exclude(heartbeat_at__gte=before)
    for batch in batches.exclude(heartbeat_at__isnull=True, created_at__gte=before):
        yield Fault(
            FindingKind.OPEN_JOURNAL, batch.root, f"Rename batch #{batch.pk} left {batch.state}", batch_id=batch.pk
        )
    for entry in RecycleEntry.objects.filter(state=RecycleState.PENDING, created_at__lt=before):
        yield Fault(
            FindingKind.OPEN_JOURNAL,
            "",
            f"Recycle of '{entry.title}' (entry #{entry.pk}) left half done",
            item_id=entry.item_id_was or None,
        )
    ended = (
        PostProcessStatus.COMPLETED,
        PostProcessStatus.FAILED,
        PostProcessStatus.NEEDS_REVIEW,
        PostProcessStatus.UNDONE,
    )
    planned = ImportFileOperation.objects.filter(state=OperationState.PLANNED, run__post_process_status__in=ended)
    for op in planned.select_related("run"):
        yield Fault(
            FindingKind.OPEN_JOURNAL,
            op.destination,
            f"Import #{op.run_id}: {op.kind} never done (the import {op.run.post_process_status})",
            item_id=op.run.media_item_id,
            run_id=op.run_id,
        )


CHECKS = (missing_files, library_folders, orphan_covers, open_journals)
