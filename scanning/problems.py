"""What the dashboard lists for scanning: folders whose shared sidecars a scan ignored."""

from __future__ import annotations

from media.dashboard import Problem
from scanning.models import SidecarProblem

MESSAGE = "folders of several books with one metadata.opf or cover for all (ignored)"


def sidecar_problems() -> list[Problem]:
    count = SidecarProblem.objects.count()
    return [Problem("warning", MESSAGE, "/library/scanning/", count)] if count else []
