"""Torrents after import: the library has its own hardlink or copy, the client keeps seeding
the download, and the torrent is removed from the client (its files kept) only once the
ratio or seeding time the user set for that client is reached."""

from __future__ import annotations

import logging
from collections import defaultdict

from core.errors import OmniError
from downloaders import services
from downloaders.clients.base import JobState
from downloaders.models import AttemptState, DownloadAttempt

logger = logging.getLogger(__name__)
SEED_GOAL_REACHED = "Seed goal reached; removed from the client"
GONE_FROM_CLIENT = "Removed from the client by someone else"
_DONE = (SEED_GOAL_REACHED, GONE_FROM_CLIENT)


def seeding_attempts() -> list[DownloadAttempt]:
    """Imported torrents that may still be in their client."""
    return list(
        DownloadAttempt.objects.filter(state=AttemptState.IMPORTED, protocol="torrent")
        .exclude(client_job_id="")
        .exclude(client_status__in=_DONE)
    )


def finish_seeding() -> dict:
    """Ask each torrent client once about its imported torrents; remove those past the goal."""
    groups: dict[tuple[str, int | None], list[DownloadAttempt]] = defaultdict(list)
    for attempt in seeding_attempts():
        groups[(attempt.client_kind, attempt.client_config_id)].append(attempt)
    summary: dict = defaultdict(int)
    for (kind, config_id), attempts in groups.items():
        try:
            client = services.client_by_config(config_id, kind)
            try:
                found = client.statuses([a.client_job_id for a in attempts])
                for attempt in attempts:
                    summary[_settle(client, attempt, found[attempt.client_job_id])] += 1
            finally:
                client.close()
        except OmniError as exc:
            logger.warning("Seeding check: download client %s %s failed: %s", kind, config_id, exc)
            summary["client_errors"] += 1
    return dict(summary)


def _settle(client, attempt: DownloadAttempt, job) -> str:
    if job.state == JobState.MISSING:
        _mark(attempt, GONE_FROM_CLIENT)
        return "gone"
    if not client.settings.seed_goal_reached(job.ratio, job.seeding_seconds):
        return "seeding"
    client.remove(attempt.client_job_id, delete_files=False)
    _mark(attempt, SEED_GOAL_REACHED)
    logger.info(
        "Attempt %s (%r): ratio %s after %s s of seeding; removed from the client, files kept",
        attempt.pk,
        attempt.release_title,
        job.ratio,
        job.seeding_seconds,
    )
    return "removed"


def _mark(attempt: DownloadAttempt, label: str) -> None:
    DownloadAttempt.objects.filter(pk=attempt.pk, state=AttemptState.IMPORTED).update(client_status=label[:64])
