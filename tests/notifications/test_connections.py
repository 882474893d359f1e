"""Webhooks and Apprise to local receivers on 127.0.0.1, through the real job system (a Dramatiq
worker on the stub broker): signed bodies, a 500 retried with backoff, the delivery log, events
recorded with no connection at all, and URLs/secrets never shown back."""

from __future__ import annotations

import pytest

from core import events
from core.events import EventType
from core.models import Job
from notifications.models import Connection, ConnectionKind, Delivery, DeliveryState, Event
from tests.acquisition.test_pipeline_e2e import _wait
from tests.notifications.receiver import Receiver

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


def _webhook(url: str, **values) -> Connection:
    return Connection.objects.create(name=values.pop("name", "hook"), kind=ConnectionKind.WEBHOOK, url=url,
                                     events=values.pop("events", list(EventType.values)), **values)


def test_webhook_delivery_is_signed_and_logged(receiver, worker):
    hook = _webhook(receiver.url)
    events.emit(EventType.DOWNLOAD_FAILED, title="Download failed: Dune", message="Aborted: missing articles",
                level="error", data={"attempt_id": 7})
    got = receiver.wait_for(lambda r: True)
    assert got.signed_with(hook.secret) and not got.signed_with("another secret")
    body = got.json
    assert (body["event"], body["title"], body["message"], body["data"]) == (
        "download_failed", "Download failed: Dune", "Aborted: missing articles", {"attempt_id": 7})
    assert got.headers["x-omni-event"] == "download_failed"
    delivery = _wait(lambda: Delivery.objects.filter(state=DeliveryState.DELIVERED).first(), message="delivered")
    assert (delivery.connection_id, delivery.event.kind, delivery.attempts) == (hook.pk, "download_failed", 1)
    assert delivery.last_status == 200 and '"ok": true' in delivery.last_response


def test_a_500_is_retried_after_a_backoff_and_then_delivered(receiver, worker, settings):
    settings.NOTIFY_RETRY_BASE_SECONDS = 0.3
    receiver.statuses = [500]
    _webhook(receiver.url)
    events.emit(EventType.IMPORTED, title="Imported: Dune", data={"files": ["/library/Dune.epub"]})
    delivery = _wait(lambda: Delivery.objects.filter(state=DeliveryState.DELIVERED).first(), message="retry")
    assert len(receiver.received) == 2
    first, second = receiver.received
    assert first.body == second.body  # the same delivery, the same signed body
    assert delivery.attempts == 2 and delivery.last_status == 200
    assert Job.objects.filter(kind="notifications.deliver").count() == 2  # each try is a job


def test_a_refusal_is_not_retried_and_the_answer_is_logged(receiver, worker):
    receiver.statuses = [404]
    _webhook(receiver.url)
    events.emit(EventType.BOOK_WANTED, title="Wanted: Dune")
    delivery = _wait(lambda: Delivery.objects.filter(state=DeliveryState.FAILED).first(), message="failure")
    assert (delivery.attempts, delivery.last_status, delivery.last_error) == (1, 404, "HTTP 404")
    assert "receiver failed" in delivery.last_response and len(receiver.received) == 1


def test_a_connection_gets_only_the_events_it_asked_for_and_none_when_disabled(receiver, worker):
    _webhook(receiver.url, events=["imported"])
    _webhook(receiver.url, name="off", enabled=False)
    events.emit(EventType.BOOK_WANTED, title="Wanted: Dune")
    events.emit(EventType.IMPORTED, title="Imported: Dune")
    receiver.wait_for(lambda r: r.json["event"] == "imported")
    assert Delivery.objects.count() == 1 and [r.json["event"] for r in receiver.received] == ["imported"]


def test_events_are_recorded_without_any_connection_and_shown_on_the_dashboard(admin_client):
    events.emit(EventType.RELEASE_GRABBED, title="Grabbed Dune.EPUB-GRP", url="/library/1/")
    assert list(Event.objects.values_list("kind", "title")) == [("release_grabbed", "Grabbed Dune.EPUB-GRP")]
    assert not Delivery.objects.exists()
    page = admin_client.get("/").content.decode()
    assert "What happened" in page and "Grabbed Dune.EPUB-GRP" in page
    listed = admin_client.get("/api/notifications/events").json()["data"]["items"]
    assert [e["title"] for e in listed] == ["Grabbed Dune.EPUB-GRP"]


def test_an_event_inside_a_rolled_back_transaction_is_not_recorded():
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        events.emit(EventType.BOOK_WANTED, title="Wanted: never")
        raise RuntimeError("the change that emitted it failed")
    assert not Event.objects.exists()


def test_apprise_json_schema_reaches_a_local_receiver(receiver, worker):
    port = receiver.httpd.server_address[1]
    Connection.objects.create(name="apprise", kind=ConnectionKind.APPRISE, url=f"json://127.0.0.1:{port}/apprise",
                              events=["download_failed"])
    events.emit(EventType.DOWNLOAD_FAILED, title="Download failed: Dune", message="Aborted", level="error")
    got = receiver.wait_for(lambda r: r.path == "/apprise")
    assert (got.json["title"], got.json["message"], got.json["type"]) == ("Download failed: Dune", "Aborted",
                                                                           "failure")
    _wait(lambda: Delivery.objects.filter(state=DeliveryState.DELIVERED).exists(), message="apprise delivered")


def test_api_creates_a_webhook_shows_its_secret_once_and_masks_the_url_after(admin_client, receiver):
    url = receiver.url + "?token=s3cret-token"
    created = admin_client.post("/api/notifications/connections", {"name": "n8n", "kind": "webhook", "url": url,
                                                                     "events": ["imported"]},
                                content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()["data"]
    secret = data["secret"]
    assert len(secret) > 20 and data["url_masked"] == f"http://127.0.0.1:{receiver.httpd.server_address[1]}/…"
    shown = admin_client.get(f"/api/notifications/connections/{data['id']}").content.decode()
    assert "s3cret-token" not in shown and secret not in shown and '"has_secret":true' in shown.replace(" ", "")
    page = admin_client.get(f"/settings/notifications/{data['id']}/").content.decode()
    assert "s3cret-token" not in page and secret not in page

    tested = admin_client.post(f"/api/notifications/connections/{data['id']}/test").json()["data"]
    assert (tested["state"], tested["last_status"], tested["event_kind"]) == ("delivered", 200, "test")
    assert receiver.received[-1].signed_with(secret) and receiver.received[-1].json["event"] == "test"

    patched = admin_client.patch(f"/api/notifications/connections/{data['id']}", {"enabled": False, "url": ""},
                                 content_type="application/json").json()["data"]
    assert patched["enabled"] is False and Connection.objects.get(pk=data["id"]).url == url  # empty keeps it
    log = admin_client.get(f"/api/notifications/connections/{data['id']}/deliveries").json()["data"]["items"]
    assert [d["state"] for d in log] == ["delivered"]


def test_bad_connection_input_is_refused_with_a_clear_error(admin_client, reader_user):
    from django.test import Client

    reader_client = Client()
    reader_client.force_login(reader_user)
    bad_hook = admin_client.post("/api/notifications/connections", {"name": "x", "kind": "webhook",
                                                                     "url": "ftp://example.org"},
                                 content_type="application/json")
    assert bad_hook.status_code == 422 and "http://" in bad_hook.json()["error"]
    bad_apprise = admin_client.post("/api/notifications/connections", {"name": "y", "kind": "apprise",
                                                                        "url": "nosuchservice://abc"},
                                    content_type="application/json")
    assert bad_apprise.status_code == 422 and "Apprise" in bad_apprise.json()["error"]
    assert not Connection.objects.exists()
    assert reader_client.get("/api/notifications/connections").status_code == 403
    assert reader_client.get("/settings/notifications/").status_code == 403


def test_sweep_queues_deliveries_whose_job_was_lost_and_prunes_old_events(receiver, worker):
    from datetime import timedelta

    from django.utils import timezone

    from notifications import services

    hook = _webhook(receiver.url)
    event = Event.objects.create(kind="imported", title="Imported: lost job")
    lost = Delivery.objects.create(connection=hook, event=event, created_at=timezone.now() - timedelta(minutes=10))
    old = Event.objects.create(kind="imported", title="Imported long ago",
                               created_at=timezone.now() - timedelta(days=91))
    outcome = services.sweep()
    assert outcome["queued"] == 1 and outcome["pruned"] >= 1 and not Event.objects.filter(pk=old.pk).exists()
    receiver.wait_for(lambda r: r.json["title"] == "Imported: lost job")
    _wait(lambda: Delivery.objects.get(pk=lost.pk).state == DeliveryState.DELIVERED, message="sweep delivery")


def test_the_notifications_page_adds_a_webhook_and_shows_its_secret_only_once(admin_client, receiver):
    response = admin_client.post("/settings/notifications/", {"name": "hook", "kind": "webhook", "url": receiver.url,
                                                              "events": ["imported", "download_failed"],
                                                              "enabled": "on"})
    connection = Connection.objects.get(name="hook")
    assert response.status_code == 200 and connection.secret in response.content.decode()
    assert connection.events == ["download_failed", "imported"] and connection.enabled
    listing = admin_client.get("/settings/notifications/").content.decode()
    detail = admin_client.get(f"/settings/notifications/{connection.pk}/").content.decode()
    assert "hook" in listing and connection.secret not in listing + detail and "/hook" not in listing + detail
    tested = admin_client.post(f"/settings/notifications/{connection.pk}/test", follow=True).content.decode()
    assert "Test message delivered (HTTP 200)" in tested and receiver.received[0].signed_with(connection.secret)
