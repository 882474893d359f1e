"""The dashboard's "Needs attention" lines about download clients: a client that cannot be
asked (and why: unreachable, wrong key), grabs waiting for it, downloads paused in it."""

from __future__ import annotations

from django.db.models import Count

from downloaders import services
from downloaders.models import MONITORED_STATES, AttemptState, ClientHealth, DownloadAttempt
from media.dashboard import Problem

QUEUE_PAGE = "/downloads/"
_ATTEMPT_PROBLEMS = {
    ClientHealth.UNREACHABLE: ("error", "downloads the download client cannot be asked about: it is unreachable"),
    ClientHealth.AUTH_FAILED: ("error", "downloads the download client cannot be asked about: wrong API key"),
    ClientHealth.ERROR: ("error", "downloads the download client answers about with an error"),
    ClientHealth.PAUSED: ("warning", "downloads paused in the download client"),
}


def download_problems() -> list[Problem]:
    failing = services.failing_clients()
    found = [Problem("error", f"Download client {name}: {message}", QUEUE_PAGE) for name, message in failing]
    waiting = DownloadAttempt.objects.filter(state=AttemptState.PENDING, next_send_at__isnull=False).count()
    if waiting:
        found.append(Problem("warning", "grabs waiting for the download client to be back", QUEUE_PAGE, waiting))
    counts = (
        DownloadAttempt.objects.filter(state__in=MONITORED_STATES, client_state__in=list(_ATTEMPT_PROBLEMS))
        .order_by()
        .values_list("client_state")
        .annotate(n=Count("id"))
    )
    for client_state, count in counts:
        level, message = _ATTEMPT_PROBLEMS[client_state]
        found.append(Problem(level, message, QUEUE_PAGE, count))
    return found
