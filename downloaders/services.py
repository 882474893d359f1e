"""Acquisition services: search an item (with its status), grab a release, cancel or
blacklist an attempt, pick the next candidate. Automation (`downloaders.automation`) and
the API call these; every state change goes through `downloaders.status`."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import ConfigurationError, Conflict, InvalidInput, NotFound, OmniError
from downloaders import status
from downloaders.clients.base import AddRequest, DownloadClient
from downloaders.clients.registry import CLIENTS, client_for, link_kinds_of, link_kinds_supported, protocol_of_link
from downloaders.models import ACTIVE_STATES, AttemptState, DownloadAttempt, DownloadClientConfig
from indexers import services as indexer_services
from indexers.clients.base import Release, resolve_download_link
from indexers.models import AcquisitionSettings, BlacklistReason, SearchResult
from media.models import MediaItem

logger = logging.getLogger(__name__)
TORRENT_REFUSED = (
    "Torrent releases cannot be downloaded yet: no torrent client is configured "
    "(only usenet through SABnzbd). Choose a usenet release."
)


def download_client(link_kind: str = "nzb_url") -> tuple[DownloadClientConfig, DownloadClient]:
    """The first enabled client (by order) that accepts this kind of link."""
    for config in DownloadClientConfig.objects.filter(enabled=True).order_by("order", "pk"):
        if config.kind in CLIENTS and link_kind in link_kinds_of(config.kind):
            return config, client_for(config.kind, config.to_settings())
    protocol = protocol_of_link(link_kind)
    raise ConfigurationError(
        f"No enabled download client takes {protocol} releases.",
        hint="Add or enable one in Settings > Download clients.",
    )


def client_by_config(config_id: int | None) -> DownloadClient:
    """The client an attempt was sent to (enabled or not), else the default one."""
    config = DownloadClientConfig.objects.filter(pk=config_id).first() if config_id else None
    if config is None:
        return download_client()[1]
    return client_for(config.kind, config.to_settings())


def search_item(item_id: int) -> indexer_services.SearchOutcome:
    """Search indexers for one item; its status shows SEARCHING meanwhile."""
    if not MediaItem.objects.filter(pk=item_id).exists():
        raise NotFound(f"Media item {item_id} does not exist")
    status.begin_search(item_id)
    try:
        return indexer_services.search_releases(item_id)
    finally:
        status.end_search(item_id)


def _release_of(result: SearchResult) -> Release:
    return Release(
        title=result.title,
        guid=result.guid,
        protocol=result.protocol,
        indexer=result.indexer,
        indexer_id=result.indexer_id,
        download_url=result.download_url,
        magnet_url=result.magnet_url,
        size=result.size,
        info_hash=result.info_hash,
    )


def _check_grabbable(item_id: int, result: SearchResult) -> None:
    if result.protocol == "torrent" or result.magnet_url.startswith("magnet:"):
        raise InvalidInput(TORRENT_REFUSED, details={"result_id": result.pk, "protocol": result.protocol})
    if indexer_services.is_blacklisted(guid=result.guid, info_hash=result.info_hash):
        raise Conflict(f"Release {result.title!r} is blacklisted", hint="Remove it from the blacklist first.")
    active = DownloadAttempt.objects.filter(item_id=item_id, state__in=ACTIVE_STATES).first()
    if active is not None:
        raise Conflict(
            f"Item {item_id} already has an active download (attempt {active.pk}, {active.state})",
            hint="Cancel or blacklist that download first.",
            details={"attempt_id": active.pk},
        )


def grab(item_id: int, result_id: int, *, automatic: bool = False) -> DownloadAttempt:
    """Send one stored search result to the download client. One active download per item."""
    result = SearchResult.objects.filter(pk=result_id, item_id=item_id).first()
    if result is None:
        raise NotFound(
            f"Search result {result_id} of item {item_id} does not exist",
            hint="Search again: results are replaced by each search.",
        )
    _check_grabbable(item_id, result)
    link = resolve_download_link(_release_of(result))
    if link.kind not in link_kinds_supported():
        raise InvalidInput(TORRENT_REFUSED)
    config, client = download_client(link.kind)
    try:
        with transaction.atomic():
            attempt = DownloadAttempt.objects.create(
                item_id=item_id,
                search_result=result,
                release_title=result.title,
                guid=result.guid,
                info_hash=result.info_hash,
                indexer=result.indexer,
                protocol=result.protocol,
                download_url=link.url,
                size=result.size,
                score=result.score,
                automatic=automatic,
                client_kind=config.kind,
                client_config_id=config.pk,
            )
    except IntegrityError as exc:
        client.close()
        raise Conflict(f"Item {item_id} already has an active download") from exc
    status.set_media_status(item_id, status.MEDIA_FOR_ATTEMPT[AttemptState.PENDING])
    return _send(attempt, client, link.kind)


def _send(attempt: DownloadAttempt, client: DownloadClient, link_kind: str) -> DownloadAttempt:
    item = MediaItem.objects.get(pk=attempt.item_id)
    try:
        job_id = client.add(
            AddRequest(
                url=attempt.download_url, name=attempt.release_title, kind=item.kind, link_kind=link_kind
            )
        )
    except OmniError as exc:
        status.move(
            attempt,
            AttemptState.FAILED,
            error=f"Could not send to the download client: {exc}"[:4000],
            completed_at=timezone.now(),
        )
        raise
    finally:
        client.close()
    status.move(
        attempt, AttemptState.SENT, client_job_id=job_id, sent_at=timezone.now(), client_status="Sent"
    )
    logger.info("Grabbed %r for item %s as %s", attempt.release_title, attempt.item_id, job_id)
    return attempt


def attempted_guids(item_id: int) -> set[str]:
    return set(DownloadAttempt.objects.filter(item_id=item_id).values_list("guid", flat=True))


def next_candidate(item_id: int, *, min_score: float | None = None) -> SearchResult | None:
    """The best stored, acceptable, usenet result not tried yet and not blacklisted."""
    tried = attempted_guids(item_id)
    results = SearchResult.objects.filter(item_id=item_id, accepted=True).exclude(protocol="torrent")
    if min_score is not None:
        results = results.filter(score__gte=min_score)
    for result in results.order_by("-score", "rank"):
        if result.guid in tried:
            continue
        if indexer_services.is_blacklisted(guid=result.guid, info_hash=result.info_hash):
            continue
        return result
    return None


def auto_grab(item_id: int) -> DownloadAttempt | None:
    """Grab the best candidate above the configured score, within the attempt budget."""
    settings = AcquisitionSettings.current()
    if not settings.auto_grab:
        return None
    failures = DownloadAttempt.objects.filter(
        item_id=item_id, state__in=(AttemptState.FAILED, AttemptState.BLACKLISTED)
    ).count()
    if failures >= settings.max_attempts:
        logger.info("Item %s: %s failed attempts, no more automatic grabs", item_id, failures)
        return None
    candidate = next_candidate(item_id, min_score=settings.auto_grab_min_score)
    if candidate is None:
        return None
    return grab(item_id, candidate.pk, automatic=True)


def cancel_attempt(attempt_id: int) -> DownloadAttempt | None:
    """DELETE: an active attempt is removed from the client (with its files) and marked
    failed; a finished one is deleted from the history. Returns the attempt if kept."""
    attempt = DownloadAttempt.objects.filter(pk=attempt_id).first()
    if attempt is None:
        raise NotFound(f"Download attempt {attempt_id} does not exist")
    if not attempt.is_active:
        attempt.delete()
        return None
    if attempt.state == AttemptState.DOWNLOADED:
        raise Conflict(f"Attempt {attempt_id} is downloaded and waiting for import; blacklist it instead")
    _remove_from_client(attempt)
    status.move(attempt, AttemptState.FAILED, error="Cancelled by the user", completed_at=timezone.now())
    return attempt


def _remove_from_client(attempt: DownloadAttempt) -> None:
    if not attempt.client_job_id:
        return
    client = client_by_config(attempt.client_config_id)
    try:
        client.remove(attempt.client_job_id, delete_files=True)
    finally:
        client.close()


def blacklist_attempt(
    attempt_id: int,
    *,
    reason: str = BlacklistReason.MANUAL,
    details: str = "",
    expires_in_days: int | None = None,
    user=None,
) -> DownloadAttempt:
    """Blacklist an attempt's release; an active download is removed from the client."""
    attempt = DownloadAttempt.objects.filter(pk=attempt_id).first()
    if attempt is None:
        raise NotFound(f"Download attempt {attempt_id} does not exist")
    indexer_services.add_to_blacklist(
        title=attempt.release_title,
        guid=attempt.guid,
        info_hash=attempt.info_hash,
        indexer=attempt.indexer,
        size=attempt.size,
        protocol=attempt.protocol,
        item_id=attempt.item_id,
        reason=reason,
        details=details,
        expires_in_days=expires_in_days,
        user=user,
    )
    if attempt.state in (AttemptState.PENDING, AttemptState.SENT, AttemptState.DOWNLOADING):
        try:
            _remove_from_client(attempt)
        except OmniError as exc:
            logger.warning("Could not remove %s from the client: %s", attempt.client_job_id, exc)
    if attempt.state not in (AttemptState.FAILED, AttemptState.BLACKLISTED, AttemptState.IMPORTED):
        status.move(
            attempt,
            AttemptState.FAILED,
            error=details or f"Blacklisted: {reason}",
            completed_at=timezone.now(),
        )
    if attempt.state == AttemptState.FAILED:
        status.move(attempt, AttemptState.BLACKLISTED)
    return attempt
