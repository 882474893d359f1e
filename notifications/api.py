"""JSON endpoints: the events (what happened), the connections (admins; URLs and secrets are
write-only and shown masked), their test and delivery log, and the health checks (admins)."""

from __future__ import annotations

from datetime import datetime

from ninja import Query, Router, Schema, Status
from pydantic import Field

from core.api.envelope import Envelope, Page, PageParams, ok, paginate
from core.api.types import Flag, Id
from core.events import EventType
from core.jobs import submit_job
from notifications import services
from notifications.health import service as health
from notifications.models import Connection, ConnectionKind, Delivery
from notifications.store import visible_events

router = Router(tags=["notifications"])


class NotificationEventOut(Schema):
    id: int
    kind: str
    level: str
    title: str
    message: str
    url: str
    data: dict
    created_at: datetime


class NotificationEventFilter(PageParams):
    kind: EventType | None = None


@router.get("/events", response=Envelope[Page[NotificationEventOut]], summary="What happened, newest first")
def list_events(request, filters: Query[NotificationEventFilter]):
    rows = visible_events(request.auth)  # none about a book of a library hidden from the caller
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    return ok(paginate(rows, filters))


class ConnectionOut(Schema):
    id: int
    name: str
    kind: ConnectionKind
    url_masked: str = Field(description="Scheme and host only: the URL is write-only")
    has_secret: bool
    events: list[str]
    enabled: bool
    created_at: datetime


def _shown(connection: Connection) -> dict:
    """A connection as the API shows it: never its URL or secret."""
    return {"id": connection.pk, "name": connection.name, "kind": connection.kind,
            "url_masked": services.mask_url(connection.url), "has_secret": bool(connection.secret),
            "events": connection.events, "enabled": connection.enabled, "created_at": connection.created_at}


class ConnectionIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    kind: ConnectionKind
    url: str = Field(..., min_length=1, max_length=2000, description="Apprise URL or the webhook's URL")
    secret: str = Field("", max_length=200, description="Webhook signing key; empty: one is generated")
    events: list[EventType] | None = Field(None, description="Kinds to send; omitted: all")
    enabled: Flag = True


class ConnectionPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    kind: ConnectionKind | None = None
    url: str | None = Field(None, max_length=2000, description="Empty or omitted: keep the stored URL")
    secret: str | None = Field(None, max_length=200, description="Empty or omitted: keep the stored secret")
    new_secret: Flag = False
    events: list[EventType] | None = None
    enabled: Flag | None = None


class ConnectionCreated(ConnectionOut):
    secret: str = Field(description="The webhook signing key, shown only in this response")


class DeliveryOut(Schema):
    id: int
    event_id: int | None
    event_kind: str | None
    state: str
    attempts: int
    next_attempt_at: datetime | None
    last_status: int | None
    last_response: str
    last_error: str
    created_at: datetime
    delivered_at: datetime | None

    @staticmethod
    def resolve_event_kind(obj: Delivery) -> str | None:
        return obj.event.kind if obj.event_id else "test"


@router.get("/connections", response=Envelope[list[ConnectionOut]], summary="Notification connections")
def list_connections(request):
    return ok([_shown(c) for c in Connection.objects.all()])


@router.post("/connections", response={201: Envelope[ConnectionCreated]},
             summary="Add a connection (Apprise URL or webhook); the webhook secret is shown once")
def create_connection(request, payload: ConnectionIn):
    values = payload.dict()
    if values.get("events") is not None:
        values["events"] = [str(kind) for kind in values["events"]]
    connection = services.save_connection(None, values)
    return Status(201, ok({**_shown(connection), "secret": connection.secret}))


@router.get("/connections/{connection_id}", response=Envelope[ConnectionOut], summary="One connection")
def get_connection(request, connection_id: Id):
    return ok(_shown(services.get_connection(connection_id)))


@router.patch("/connections/{connection_id}", response=Envelope[ConnectionOut],
              summary="Change a connection: events, enabled, name, URL or secret")
def update_connection(request, connection_id: Id, payload: ConnectionPatch):
    values = payload.dict(exclude_unset=True)
    if values.get("events") is not None:
        values["events"] = [str(kind) for kind in values["events"]]
    return ok(_shown(services.save_connection(connection_id, values)))


@router.delete("/connections/{connection_id}", response=Envelope[None], summary="Delete a connection and its log")
def delete_connection(request, connection_id: Id):
    services.delete_connection(connection_id)
    return ok(None)


@router.post("/connections/{connection_id}/test", response=Envelope[DeliveryOut],
             summary="Send a test message now; the answer is in the delivery")
def test_connection(request, connection_id: Id):
    return ok(services.send_test(connection_id))


@router.get("/connections/{connection_id}/deliveries", response=Envelope[Page[DeliveryOut]],
            summary="The connection's delivery log, newest first")
def list_deliveries(request, connection_id: Id, filters: Query[PageParams]):
    connection = services.get_connection(connection_id)
    return ok(paginate(connection.deliveries.select_related("event"), filters))


class HealthIssueOut(Schema):
    key: str
    level: str
    message: str
    fix: str
    raised_at: datetime


class HealthCheckOut(Schema):
    name: str
    title: str
    ok: bool
    since: datetime | None = Field(description="Failing since (its oldest open problem), or OK since the last clear")
    issues: list[HealthIssueOut]


@router.get("/health", response=Envelope[list[HealthCheckOut]], summary="Each health check with its state and fixes")
def health_checks(request):
    return ok(health.check_rows())


class JobStarted(Schema):
    job_id: int


@router.post("/health/check", response={202: Envelope[JobStarted]}, summary="Run the health checks now")
def run_health_checks(request):
    job = submit_job("notifications.check_health", params={}, user=request.auth)
    return Status(202, ok({"job_id": job.pk}))
