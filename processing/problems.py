"""What the dashboard lists for imports: downloads that need a look before they are filed."""

from __future__ import annotations

from media.dashboard import Problem
from processing.models import ImportRun, PostProcessStatus


def import_problems() -> list[Problem]:
    waiting = ImportRun.objects.filter(post_process_status=PostProcessStatus.NEEDS_REVIEW).count()
    if not waiting:
        return []
    return [Problem("warning", "imports waiting for review", "/imports/?status=needs_review", waiting)]
