"""The event store core.events writes through: each event becomes an `Event` row plus one
pending `Delivery` per enabled connection that wants its kind; the deliveries are queued as
jobs after the commit (a delivery whose job cannot be queued is picked up by the sweep)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import IntegerField, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from core import events as core_events
from core.visibility import without_hidden
from notifications.models import Connection, Delivery, Event

logger = logging.getLogger(__name__)


class DatabaseEventStore:
    def record(self, event: core_events.Event) -> None:
        with transaction.atomic():  # a savepoint: a failure here leaves the caller's transaction usable
            row = Event.objects.create(kind=event.kind, level=event.level, title=event.title,
                                       message=event.message, url=event.url[:500], data=event.data)
            connections = [c for c in Connection.objects.filter(enabled=True) if c.wants(event.kind)]
            deliveries = [Delivery.objects.create(connection=c, event=row) for c in connections]
        if deliveries:
            ids = [d.pk for d in deliveries]
            transaction.on_commit(lambda: queue_deliveries(ids), robust=True)

    def recent(self, limit: int, viewer=None) -> list[core_events.Event]:
        rows = Event.objects.all() if viewer is None else visible_events(viewer)
        return [as_event(row) for row in rows[:limit]]


def visible_events(viewer) -> QuerySet[Event]:
    """The events `viewer` may read: those about no book, or about a book they may see (an event
    names its book in data["item_id"]; a book of a library hidden from them does not exist)."""
    rows = Event.objects.annotate(about_item=Cast(KeyTextTransform("item_id", "data"), IntegerField()))
    return without_hidden(rows, viewer, "about_item")


def as_event(row: Event) -> core_events.Event:
    return core_events.Event(kind=row.kind, title=row.title, message=row.message, level=row.level, url=row.url,
                             data=row.data, created_at=row.created_at, id=row.pk)


def queue_deliveries(delivery_ids: list[int], *, delay_seconds: float | None = None) -> int:
    """One job per delivery; returns how many were queued (the others wait for the sweep)."""
    from core.errors import OmniError
    from core.jobs import submit_job

    queued = 0
    for delivery_id in delivery_ids:
        try:
            submit_job("notifications.deliver", target=f"delivery:{delivery_id}",
                       params={"delivery_id": delivery_id}, delay_seconds=delay_seconds)
        except OmniError as exc:
            logger.warning("Delivery %s not queued (the sweep will try again): %s", delivery_id, exc)
            continue
        queued += 1
    return queued
