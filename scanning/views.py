from __future__ import annotations

from django.shortcuts import render

from core.api.auth import is_admin
from core.api.envelope import Page, as_sent
from core.api.jobs import first_jobs
from scanning.api import (
    FolderOut,
    ProblemFileOut,
    ProblemFilter,
    ScanRunFilter,
    ScanRunOut,
    SidecarProblemOut,
    folder_list,
    problem_page,
    run_page,
    sidecar_problem_page,
)
from scanning.models import ALL_FORMATS, ContentType
from scanning.services.jobs import SCAN_KIND

# What static/js/scanning.js asks for first: history page size, problem files shown at first.
RUNS_SHOWN = 20
PROBLEMS_SHOWN = 100
FIRST_PROBLEM_STATE = "corrupt"
SCANS_SHOWN = 5  # static/js/scan-progress.js polls the active scans, page_size=5


def _first_screen(request) -> dict:
    """The answers of the page's four first requests, embedded so it draws without them."""
    return {
        "folders": as_sent(request, list[FolderOut], folder_list(request.user)),
        "runs": as_sent(request, Page[ScanRunOut],
                        run_page(ScanRunFilter(page=1, page_size=RUNS_SHOWN), request.user)),
        "problems": as_sent(request, Page[ProblemFileOut],
                            problem_page(FIRST_PROBLEM_STATE, ProblemFilter(page=1, page_size=PROBLEMS_SHOWN),
                                         request.user)),
        "sidecars": as_sent(request, Page[SidecarProblemOut],
                            sidecar_problem_page(ProblemFilter(page=1, page_size=PROBLEMS_SHOWN), request.user)),
    }


def scanning_page(request):
    return render(
        request,
        "scanning/scanning.html",
        {
            "can_manage": is_admin(request.user),
            "content_types": ContentType.choices,
            "formats": ALL_FORMATS,
            "first_screen": _first_screen(request),
            "scan_jobs": first_jobs(request, page=1, page_size=SCANS_SHOWN, active=True, kind=SCAN_KIND),
        },
    )
