"""Acquisition services: search an item (with its status), grab a release, cancel or
blacklist an attempt, pick the next candidate. Automation (`downloaders.automation`) and
the API call these; every state change goes through `downloaders.status`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import (
    AuthenticationFailed,
    ConfigurationError,
    Conflict,
    InvalidInput,
    NotFound,
    OmniError,
    ServiceUnavailable,
)
from downloaders import status
from downloaders.clients.base import AddRequest, ClientSettings, DownloadClient
from downloaders.clients.registry import CLIENTS, client_for, link_kinds_supported, protocol_of_link
from downloaders.models import ACTIVE_STATES, AttemptState, ClientHealth, DownloadAttempt, DownloadClientConfig
from indexers import learning
from indexers import services as indexer_services
from indexers.clients.base import Release, resolve_download_link
from indexers.models import AcquisitionSettings, BlacklistReason, SearchResult
from media.models import MediaItem

logger = logging.getLogger(__name__)
# A send that never reached the client is tried again after 1 minute, then 2, 4, 8, then every 10
# (and at once when the client answers the monitor about another download).
RESEND_FIRST_SECONDS = 60
RESEND_MAX_SECONDS = 600
TORRENT_REFUSED = (
    "Torrent releases cannot be downloaded: no torrent client is configured "
    "(add qBittorrent, Transmission or Deluge in Settings > Download clients). Choose a usenet release."
)
TORRENT_LINKS = frozenset({"torrent_url", "magnet"})


# --- which client takes a release -----------------------------------------------------------
@dataclass(frozen=True)
class ConfiguredClient:
    kind: str  # a key of downloaders.clients.registry.CLIENTS
    config_id: int | None
    settings: ClientSettings
    enabled: bool = True

    @property
    def protocols(self) -> tuple[str, ...]:
        return tuple(getattr(CLIENTS.get(self.kind), "protocols", ()))

    def client(self) -> DownloadClient:
        return client_for(self.kind, self.settings)


def configured_clients() -> list[ConfiguredClient]:
    """Every configured download client of a registered kind: enabled first, then by the
    user's `order`, then oldest first."""
    rows = DownloadClientConfig.objects.filter(kind__in=list(CLIENTS)).order_by("-enabled", "order", "pk")
    return [ConfiguredClient(c.kind, c.pk, c.to_settings(), c.enabled) for c in rows]


def link_kinds_available() -> set[str]:
    """The link kinds (nzb_url, torrent_url, magnet) an enabled client accepts."""
    kinds = {k for c in configured_clients() if c.enabled for k in c.protocols}
    return kinds & link_kinds_supported()


def torrents_available() -> bool:
    return bool(TORRENT_LINKS & link_kinds_available())


def client_for_link(link_kind: str) -> tuple[ConfiguredClient, DownloadClient]:
    """The first enabled client (by `order`) that takes this kind of link: torrents go to a
    torrent client, NZBs to a usenet client."""
    for configured in configured_clients():
        if configured.enabled and link_kind in configured.protocols:
            return configured, configured.client()
    if link_kind in TORRENT_LINKS:
        raise InvalidInput(TORRENT_REFUSED)
    raise ConfigurationError(
        f"No enabled download client takes {protocol_of_link(link_kind)} releases.",
        hint="Add or enable one in Settings > Download clients.",
    )


def client_by_config(config_id: int | None, kind: str = "sabnzbd") -> DownloadClient:
    """The client an attempt was sent to (also when disabled since); when its configuration is
    gone, the first enabled client of the same kind."""
    candidates = [c for c in configured_clients() if c.kind == kind]
    chosen = next((c for c in candidates if c.config_id == config_id), None)
    chosen = chosen or next((c for c in candidates if c.enabled), None)
    if chosen is None:
        raise ConfigurationError(
            f"No {kind} download client is configured.", hint="Add it again in Settings > Download clients."
        )
    return chosen.client()


def record_client_check(config_id: int | None, *, ok: bool, message: str, tested: bool = False) -> None:
    """The client's connection status (shown in its settings and on the dashboard): set by its
    Test button (`tested`) and by every monitor pass that could or could not ask it."""
    configs = DownloadClientConfig.objects.filter(pk=config_id)
    if ok and not tested:  # a monitor pass that got an answer only flips a failure back (keeps the tested version)
        configs = configs.exclude(last_test_ok=True)
    configs.update(last_test_at=timezone.now(), last_test_ok=ok, last_test_message=message[:500])


def failing_clients() -> list[tuple[str, str]]:
    """(name, last message) of each enabled client whose last check failed."""
    rows = DownloadClientConfig.objects.filter(enabled=True, last_test_ok=False).order_by("name")
    return list(rows.values_list("name", "last_test_message"))


def client_state_for(error: OmniError) -> tuple[str, str]:
    """(ClientHealth, short label) for an error from a download client: a key error is called a
    key error, an outage an outage."""
    if isinstance(error, AuthenticationFailed):
        return ClientHealth.AUTH_FAILED, "Wrong API key or password"
    if isinstance(error, ServiceUnavailable):
        return ClientHealth.UNREACHABLE, "Client unreachable"
    return ClientHealth.ERROR, "Client error"


def search_item(item_id: int) -> indexer_services.SearchOutcome:
    """Search indexers for one item; its status shows SEARCHING meanwhile."""
    if not MediaItem.objects.filter(pk=item_id).exists():
        raise NotFound(f"Media item {item_id} does not exist")
    status.begin_search(item_id)
    try:
        return indexer_services.search_releases(item_id, torrent_client_available=torrents_available())
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
    is_torrent = result.protocol == "torrent" or result.magnet_url.startswith("magnet:")
    if is_torrent and not torrents_available():
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
    config, client = client_for_link(link.kind)
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
                client_config_id=config.config_id,
            )
            learning.record_grab(
                attempt.pk, indexer_config_id=result.indexer_config_id, query_form=result.query_label
            )
    except IntegrityError as exc:
        client.close()
        raise Conflict(f"Item {item_id} already has an active download") from exc
    status.set_media_status(item_id, status.MEDIA_FOR_ATTEMPT[AttemptState.PENDING])
    return _send(attempt, client, link.kind)


def _send(attempt: DownloadAttempt, client: DownloadClient, link_kind: str) -> DownloadAttempt:
    """Add the attempt's release to the client. A send that never reached it (down, timeout,
    5xx) leaves the attempt PENDING for a later send; a refusal by the client fails it."""
    item = MediaItem.objects.get(pk=attempt.item_id)
    try:
        job_id = client.add(
            AddRequest(
                url=attempt.download_url, name=attempt.release_title, kind=item.kind, link_kind=link_kind
            )
        )
    except ServiceUnavailable as exc:
        _wait_for_client(attempt, exc)
        return attempt
    except OmniError as exc:
        state, _ = client_state_for(exc)
        status.move(
            attempt,
            AttemptState.FAILED,
            error=f"The download client refused the grab: {exc}"[:4000],
            client_state=state,
            completed_at=timezone.now(),
            next_send_at=None,
        )
        raise
    finally:
        client.close()
    extra = {"info_hash": job_id.lower()} if link_kind in TORRENT_LINKS and not attempt.info_hash else {}
    status.move(
        attempt,
        AttemptState.SENT,
        client_job_id=job_id,
        sent_at=timezone.now(),
        client_status="Sent",
        client_state=ClientHealth.OK,
        error="",
        next_send_at=None,
        **extra,
    )
    logger.info("Grabbed %r for item %s as %s", attempt.release_title, attempt.item_id, job_id)
    return attempt


def _wait_for_client(attempt: DownloadAttempt, error: ServiceUnavailable) -> None:
    delay = min(RESEND_FIRST_SECONDS * 2**attempt.send_failures, RESEND_MAX_SECONDS)
    when = timezone.now() + timedelta(seconds=delay)
    status.wait_for_client(
        attempt,
        client_state=ClientHealth.UNREACHABLE,
        label="Client unreachable, will retry",
        message=(
            f"The download client is unreachable; the grab will be sent when it is back "
            f"(next try {when:%H:%M:%S} UTC): {error}"
        ),
        next_send_at=when,
    )


def _link_kind(attempt: DownloadAttempt) -> str:
    if attempt.download_url.startswith("magnet:"):
        return "magnet"
    return "torrent_url" if attempt.protocol == "torrent" else "nzb_url"


def send_waiting(*, config_id: int | None = None, due_only: bool = True) -> int:
    """Send again the grabs that waited for their client: those due (the periodic monitor), or
    every one of a client that just answered. Returns how many reached the client."""
    waiting = DownloadAttempt.objects.filter(state=AttemptState.PENDING, next_send_at__isnull=False)
    if due_only:
        waiting = waiting.filter(next_send_at__lte=timezone.now())
    if config_id is not None:
        waiting = waiting.filter(client_config_id=config_id)
    sent = 0
    for attempt in waiting.order_by("next_send_at", "pk")[:100]:
        try:
            client = client_by_config(attempt.client_config_id, attempt.client_kind)
        except OmniError as exc:  # no client configured any more: the attempt keeps waiting
            logger.warning("Attempt %s waits: %s", attempt.pk, exc)
            continue
        if not status.claim_send(attempt):
            client.close()
            continue
        try:
            _send(attempt, client, _link_kind(attempt))
        except OmniError as exc:  # a refusal: the attempt is failed and says why
            logger.warning("Attempt %s could not be sent: %s", attempt.pk, exc)
            continue
        sent += attempt.state == AttemptState.SENT
    return sent


def attempted_guids(item_id: int) -> set[str]:
    return set(DownloadAttempt.objects.filter(item_id=item_id).values_list("guid", flat=True))


def next_candidate(item_id: int, *, min_score: float | None = None) -> SearchResult | None:
    """The best stored, acceptable result not tried yet, not blacklisted, that a configured
    client can download (torrents only with a torrent client)."""
    tried = attempted_guids(item_id)
    results = SearchResult.objects.filter(item_id=item_id, accepted=True)
    if not torrents_available():
        results = results.exclude(protocol="torrent")
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
    learning.void_grab(attempt.pk)
    return attempt


def _remove_from_client(attempt: DownloadAttempt) -> None:
    if not attempt.client_job_id:
        return
    client = client_by_config(attempt.client_config_id, attempt.client_kind)
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
