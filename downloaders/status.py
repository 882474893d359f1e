"""The ONE place where acquisition changes states: download attempts move through their
state machine with compare-and-swap updates, and the media item's status follows.

    attempt:  PENDING -> SENT -> DOWNLOADING -> DOWNLOADED -> IMPORTED
                 \\________\\__________\\____________\\--> FAILED -> BLACKLISTED
    media:    WANTED -> SEARCHING -> WANTED | DOWNLOADING -> DOWNLOADED
              -> POST_PROCESSED_SUCCESS | POST_PROCESSED_FAILED; ARCHIVED by hand."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.utils import timezone

from core.errors import Conflict, NotFound
from core.jobs import submit_job
from downloaders.events import announce_move
from downloaders.models import AttemptState as S
from downloaders.models import DownloadAttempt
from indexers import learning
from indexers.models import GrabOutcome
from media.models import MediaItem
from media.models import MediaStatus as M

logger = logging.getLogger(__name__)
CLEAN_UP_JOB_KIND = "downloaders.clean_up_client"  # removes a finished job from the client's history

TRANSITIONS: dict[str, set[str]] = {
    S.PENDING: {S.SENT, S.FAILED},
    S.SENT: {S.SENT, S.DOWNLOADING, S.DOWNLOADED, S.FAILED},
    S.DOWNLOADING: {S.DOWNLOADING, S.DOWNLOADED, S.FAILED},
    S.DOWNLOADED: {S.IMPORTED, S.FAILED},
    S.FAILED: {S.BLACKLISTED},
    S.BLACKLISTED: set(),
    S.IMPORTED: set(),
}
MEDIA_FOR_ATTEMPT = {
    S.PENDING: M.DOWNLOADING,
    S.SENT: M.DOWNLOADING,
    S.DOWNLOADING: M.DOWNLOADING,
    S.DOWNLOADED: M.DOWNLOADED,
    S.IMPORTED: M.POST_PROCESSED_SUCCESS,
    S.FAILED: M.WANTED,
    S.BLACKLISTED: M.WANTED,
}
# A failed attempt sends the item back to WANTED only from these statuses (never out of the library).
_RETURNABLE = (M.SEARCHING, M.DOWNLOADING, M.DOWNLOADED, M.WANTED)


def set_media_status(item_id: int, status: str, *, only_from: tuple[str, ...] | None = None) -> bool:
    items = MediaItem.objects.filter(pk=item_id)
    if only_from is not None:
        items = items.filter(status__in=only_from)
    changed = items.exclude(status=status).update(status=status, updated_at=timezone.now()) == 1
    if changed:
        logger.info("Media item %s is now %s", item_id, status)
    return changed


def begin_search(item_id: int) -> bool:
    """WANTED -> SEARCHING; other statuses (an interactive search of a downloaded item) stay."""
    return set_media_status(item_id, M.SEARCHING, only_from=(M.WANTED,))


def end_search(item_id: int) -> bool:
    """SEARCHING -> WANTED (nothing was grabbed, or a grab follows and moves it on)."""
    return set_media_status(item_id, M.WANTED, only_from=(M.SEARCHING,))


def mark_wanted(item_id: int) -> bool:
    return set_media_status(item_id, M.WANTED, only_from=(*_RETURNABLE, M.POST_PROCESSED_FAILED, M.ARCHIVED))


def archive(item_id: int) -> bool:
    return set_media_status(item_id, M.ARCHIVED)


def move(attempt: DownloadAttempt, to: str, **fields: Any) -> bool:
    """Compare-and-swap the attempt from its current state to `to`; sync the media status.
    Returns False (and changes nothing) when another worker moved it first."""
    if to not in TRANSITIONS[attempt.state]:
        raise Conflict(f"Download attempt {attempt.pk} cannot go from {attempt.state} to {to}")
    updated = DownloadAttempt.objects.filter(pk=attempt.pk, state=attempt.state).update(
        state=to, updated_at=timezone.now(), **fields
    )
    if updated != 1:
        logger.info("Attempt %s was moved by someone else (wanted %s -> %s)", attempt.pk, attempt.state, to)
        return False
    previous = attempt.state
    attempt.state = to
    for name, value in fields.items():
        setattr(attempt, name, value)
    if previous != to:
        logger.info("Attempt %s (%r): %s -> %s", attempt.pk, attempt.release_title, previous, to)
        _sync_media(attempt, to)
        _settle_grab(attempt, previous, to)
        announce_move(attempt, previous, to)
    return True


def _settle_grab(attempt: DownloadAttempt, previous: str, to: str) -> None:
    """Tell the query learning (indexers.learning) how the grab ended. A grab the client
    refused before it ever downloaded says nothing about the query that found it."""
    if to == S.IMPORTED:
        learning.record_outcome(attempt.pk, GrabOutcome.IMPORTED)
    elif to == S.FAILED:
        learning.record_outcome(attempt.pk, GrabOutcome.VOID if previous == S.PENDING else GrabOutcome.FAILED)


def wait_for_client(attempt: DownloadAttempt, *, client_state: str, label: str, message: str,
                    next_send_at: datetime) -> bool:
    """A send that never reached the download client: the attempt stays PENDING (nothing is held
    against its release) and is sent again at `next_send_at` or as soon as the client answers."""
    fields = {
        "client_state": client_state,
        "client_status": label[:64],
        "error": message[:4000],
        "send_failures": attempt.send_failures + 1,
        "next_send_at": next_send_at,
    }
    if not DownloadAttempt.objects.filter(pk=attempt.pk, state=S.PENDING).update(updated_at=timezone.now(), **fields):
        return False
    for name, value in fields.items():
        setattr(attempt, name, value)
    logger.info("Attempt %s waits for the download client until %s: %s", attempt.pk, next_send_at, message)
    return True


def claim_send(attempt: DownloadAttempt) -> bool:
    """Compare-and-swap a waiting attempt out of the wait, so one worker alone sends it again."""
    claimed = DownloadAttempt.objects.filter(
        pk=attempt.pk, state=S.PENDING, next_send_at=attempt.next_send_at
    ).update(next_send_at=None)
    return claimed == 1


def note_client_problem(attempt_ids: list[int], *, client_state: str, label: str, message: str) -> int:
    """The client could not be asked about these monitored attempts: they show why (their state
    is unchanged; the next answer clears it)."""
    return DownloadAttempt.objects.filter(pk__in=attempt_ids, state__in=(S.SENT, S.DOWNLOADING)).update(
        client_state=client_state, client_status=label[:64], error=message[:4000], updated_at=timezone.now()
    )


def _sync_media(attempt: DownloadAttempt, state: str) -> None:
    status = MEDIA_FOR_ATTEMPT[state]
    if state in (S.FAILED, S.BLACKLISTED):
        set_media_status(attempt.item_id, status, only_from=_RETURNABLE)
    else:
        set_media_status(attempt.item_id, status)


def record_import_error(attempt_id: int, message: str) -> None:
    """An import of the attempt failed or waits for review: the attempt shows why, and stays
    DOWNLOADED (its files untouched) so the import can be re-run."""
    DownloadAttempt.objects.filter(pk=attempt_id).update(error=message[:4000], updated_at=timezone.now())


def mark_imported(attempt_id: int, *, success: bool, message: str = "") -> DownloadAttempt:
    """For post-processing: the download was imported (or could not be)."""
    attempt = DownloadAttempt.objects.filter(pk=attempt_id).first()
    if attempt is None:
        raise NotFound(f"Download attempt {attempt_id} does not exist")
    if success:
        if move(attempt, S.IMPORTED, error="") and attempt.client_job_id:
            submit_job(
                CLEAN_UP_JOB_KIND,
                target=f"attempt:{attempt.pk}",
                params={"attempt_id": attempt.pk, "outcome": "imported"},
            )
        return attempt
    move(attempt, S.FAILED, error=f"Import failed: {message}"[:4000])
    set_media_status(attempt.item_id, M.POST_PROCESSED_FAILED)
    return attempt
