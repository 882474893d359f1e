"""Connections (create, change, test) and deliveries (send one try, retry with backoff, the
sweep that picks up deliveries whose job was lost)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.errors import InvalidInput, NotFound
from core.events import EventType, Level
from notifications import senders
from notifications.models import (
    OPEN_DELIVERY_STATES,
    Connection,
    ConnectionKind,
    Delivery,
    DeliveryState,
    Event,
    HealthIssue,
    new_secret,
)
from notifications.store import queue_deliveries

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 6  # the first try and five retries: 30 s, 1, 2, 4, 8 min with the default base
SWEEP_GRACE = timedelta(minutes=2)  # a due delivery without a job this long is queued again
SENDING_TIMEOUT = timedelta(minutes=5)  # a try that never ended (its worker died) is tried again
KEEP = timedelta(days=90)  # events (with their deliveries) and resolved health problems


def retry_delay_seconds(attempts: int) -> float:
    """Backoff after the `attempts`-th failed try: base, 2x base, 4x base, ..."""
    return settings.NOTIFY_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)


# --- connections --------------------------------------------------------------------------------
def mask_url(url: str) -> str:
    """Scheme and host only: Apprise URLs and webhook paths often carry tokens or passwords."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    rest = url[len(f"{parts.scheme}://"):] if parts.scheme else url
    hidden = "/…" if rest.strip("/") != host else ""
    return f"{parts.scheme}://{host}{hidden}" if parts.scheme else "…"


def _clean_events(events: list[str]) -> list[str]:
    unknown = sorted(set(events) - set(EventType.values))
    if unknown:
        raise InvalidInput(f"Unknown event kind(s): {', '.join(unknown)}", details={"known": EventType.values})
    return [kind for kind in EventType.values if kind in events]


def _check_url(kind: str, url: str) -> str:
    url = url.strip()
    if not url:
        raise InvalidInput("Give the connection's URL")
    if kind == ConnectionKind.WEBHOOK:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidInput("A webhook URL starts with http:// or https:// and names a host")
    elif kind == ConnectionKind.APPRISE:
        import apprise

        if apprise.Apprise.instantiate(url, suppress_exceptions=True) is None:
            raise InvalidInput("Apprise does not understand this URL", hint="See the Apprise wiki for each "
                               "service's URL, e.g. ntfys://topic, gotify://host/token, mailtos://user:pass@host")
    else:
        raise InvalidInput(f"Unknown connection kind {kind!r}")
    return url


def save_connection(connection_id: int | None, values: dict[str, Any]) -> Connection:
    """Create (`connection_id` None) or change a connection. An empty `url` or `secret` keeps the
    stored one (they are never shown back); `new_secret` True replaces the secret."""
    connection = Connection() if connection_id is None else get_connection(connection_id)
    for name in ("name", "kind", "enabled"):
        if values.get(name) is not None:
            setattr(connection, name, values[name])
    if not connection.name.strip():
        raise InvalidInput("Give the connection a name")
    if values.get("events") is not None:
        connection.events = _clean_events(list(values["events"]))
    elif connection_id is None:
        connection.events = list(EventType.values)
    if values.get("url") or connection_id is None or values.get("kind"):
        connection.url = _check_url(connection.kind, values.get("url") or connection.url)
    if values.get("secret"):
        connection.secret = values["secret"]
    elif values.get("new_secret"):
        connection.secret = new_secret()
    if Connection.objects.filter(name=connection.name).exclude(pk=connection.pk).exists():
        raise InvalidInput(f"A connection named {connection.name!r} exists already")
    connection.save()
    return connection


def delete_connection(connection_id: int) -> None:
    get_connection(connection_id).delete()


def get_connection(connection_id: int) -> Connection:
    connection = Connection.objects.filter(pk=connection_id).first()
    if connection is None:
        raise NotFound(f"Notification connection {connection_id} does not exist")
    return connection


def send_test(connection_id: int) -> Delivery:
    """Send a test message now (in the request: the admin waits for the answer), and log it."""
    connection = get_connection(connection_id)
    delivery = Delivery.objects.create(connection=connection, state=DeliveryState.SENDING, attempts=1)
    result = senders.send(_target(connection), _test_message(connection))
    _record(delivery, result, final=True)
    delivery.refresh_from_db()
    return delivery


def _test_message(connection: Connection) -> senders.Message:
    title = "OmniReadarr test message"
    body = f"If you read this, the connection {connection.name!r} works."
    payload = {"event": "test", "title": title, "message": body, "level": Level.INFO, "url": "", "data": {},
               "created_at": timezone.now().isoformat(), "event_id": None}
    return senders.Message("test", title, body, Level.INFO, payload)


# --- deliveries ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class DeliveryOutcome:
    delivery_id: int
    state: str
    status: int | None = None
    retry_in: float | None = None


def _target(connection: Connection) -> senders.Target:
    return senders.Target(connection.kind, connection.url, connection.secret)


def message_for(event: Event, delivery_id: int) -> senders.Message:
    payload = {"event": event.kind, "event_id": event.pk, "delivery_id": delivery_id, "title": event.title,
               "message": event.message, "level": event.level, "url": event.url, "data": event.data,
               "created_at": event.created_at.isoformat()}
    return senders.Message(event.kind, event.title, event.message, event.level, payload)


def _claim(delivery_id: int) -> Delivery | None:
    delivery = Delivery.objects.select_related("connection", "event").filter(pk=delivery_id).first()
    if delivery is None or delivery.state not in OPEN_DELIVERY_STATES or delivery.event is None:
        return None
    claimed = Delivery.objects.filter(pk=delivery.pk, state=delivery.state, attempts=delivery.attempts).update(
        state=DeliveryState.SENDING, attempts=delivery.attempts + 1, updated_at=timezone.now())
    if claimed != 1:
        return None
    delivery.attempts += 1
    return delivery


def deliver(delivery_id: int) -> DeliveryOutcome | None:
    """One try of one delivery (a job): claimed with a compare-and-swap, so a delivery queued
    twice is sent once. A failure worth retrying is queued again after the backoff."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    if not delivery.connection.enabled:
        _record(delivery, senders.SendResult(False, error="The connection was disabled"), final=True)
        return DeliveryOutcome(delivery.pk, DeliveryState.FAILED)
    result = senders.send(_target(delivery.connection), message_for(delivery.event, delivery.pk))
    final = result.ok or not result.retry or delivery.attempts >= MAX_ATTEMPTS
    state = _record(delivery, result, final=final)
    if final:
        return DeliveryOutcome(delivery.pk, state, result.status)
    delay = retry_delay_seconds(delivery.attempts)
    queue_deliveries([delivery.pk], delay_seconds=delay)
    return DeliveryOutcome(delivery.pk, state, result.status, retry_in=delay)


def _record(delivery: Delivery, result: senders.SendResult, *, final: bool) -> str:
    now = timezone.now()
    state = DeliveryState.DELIVERED if result.ok else DeliveryState.FAILED if final else DeliveryState.RETRYING
    next_at = None if final else now + timedelta(seconds=retry_delay_seconds(delivery.attempts))
    Delivery.objects.filter(pk=delivery.pk).update(
        state=state, last_status=result.status, last_response=result.response[:500],
        last_error=result.error[:1000], next_attempt_at=next_at, updated_at=now,
        delivered_at=now if result.ok else None)
    log = logger.info if result.ok else logger.warning
    log("Delivery %s to %s: %s %s", delivery.pk, delivery.connection.name, state, result.error or result.status or "")
    return state


def sweep() -> dict[str, int]:
    """Queue again the deliveries whose job was lost (broker down when they were recorded, a
    worker killed mid-try): those due for a while, and tries that never ended."""
    now = timezone.now()
    with transaction.atomic():
        stale = Delivery.objects.filter(state=DeliveryState.SENDING, updated_at__lt=now - SENDING_TIMEOUT,
                                        event__isnull=False)
        reset = stale.update(state=DeliveryState.RETRYING, next_attempt_at=now, updated_at=now)
    due = Delivery.objects.filter(state__in=OPEN_DELIVERY_STATES, event__isnull=False).exclude(
        next_attempt_at__gt=now - SWEEP_GRACE).exclude(state=DeliveryState.PENDING, created_at__gt=now - SWEEP_GRACE)
    ids = list(due.values_list("pk", flat=True)[:500])
    pruned, _ = Event.objects.filter(created_at__lt=now - KEEP).delete()
    HealthIssue.objects.filter(cleared_at__lt=now - KEEP).delete()
    Delivery.objects.filter(event__isnull=True, created_at__lt=now - KEEP).delete()  # test messages
    return {"reset": reset, "queued": queue_deliveries(ids), "pruned": pruned}
