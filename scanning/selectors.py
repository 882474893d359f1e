"""Read side for the API and pages: scan history, problem files, ignored shared sidecars."""

from __future__ import annotations

import os

from django.db.models import QuerySet

from media.models import FileState, LibraryFile
from scanning.models import ScanFolder, ScanRun, SidecarProblem

PROBLEM_STATES = (FileState.CORRUPT, FileState.DUPLICATE, FileState.MISSING)


def runs(folder_id: int | None = None) -> QuerySet[ScanRun]:
    qs = ScanRun.objects.select_related("folder")
    return qs.filter(folder_id=folder_id) if folder_id else qs


def problem_files(state: str, folder: ScanFolder | None = None) -> QuerySet[LibraryFile]:
    qs = LibraryFile.objects.filter(state=state).select_related("item").order_by("path")
    if folder is not None:
        qs = qs.filter(path__startswith=folder.path.rstrip(os.sep) + os.sep)
    return qs


def sidecar_problems(folder: ScanFolder | None = None) -> QuerySet[SidecarProblem]:
    qs = SidecarProblem.objects.select_related("folder")
    return qs.filter(folder=folder) if folder is not None else qs
