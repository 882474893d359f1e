"""The API's rate limits: per API key, per logged-in user (the UI's own requests) and per IP for
anonymous requests; writes counted apart from reads; 429 in the envelope with Retry-After."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from core.models import ApiKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    settings.API_RATE_READ = 5
    settings.API_RATE_WRITE = 2
    return settings


def _user(name: str, **extra):
    return get_user_model().objects.create_user(name, password=f"pw-{name}-123", **extra)


def test_reads_past_the_limit_get_429_with_retry_after_in_the_envelope(limits):
    key = ApiKey.issue(_user("script", is_staff=True))
    client = Client(HTTP_X_API_KEY=key)
    answers = [client.get("/api/v1/jobs/kinds") for _ in range(5)]
    assert [r.status_code for r in answers] == [200] * 5
    assert [r["X-RateLimit-Remaining"] for r in answers] == ["4", "3", "2", "1", "0"]
    refused = client.get("/api/v1/jobs/")
    assert refused.status_code == 429
    body = refused.json()
    assert body["success"] is False and body["error_code"] == "rate_limited"
    retry_after = int(refused["Retry-After"])
    assert 1 <= retry_after <= 60 and body["details"] == {"retry_after": retry_after, "limit": 5, "scope": "read"}
    assert client.get("/api/jobs/kinds").status_code == 429  # the deprecated alias counts the same


def test_writes_have_their_own_stricter_limit(limits):
    key = ApiKey.issue(_user("writer", is_staff=True))
    client = Client(HTTP_X_API_KEY=key)
    writes = [client.post("/api/v1/jobs/", data="{}", content_type="application/json") for _ in range(3)]
    assert [r.status_code for r in writes] == [422, 422, 429]
    assert writes[-1].json()["details"]["scope"] == "write"
    assert client.get("/api/v1/jobs/kinds").status_code == 200  # reads still allowed


def test_the_ui_session_counts_per_user(limits):
    first, second = Client(), Client()
    first.force_login(_user("alice"))
    second.force_login(_user("bob"))
    assert [first.get("/api/v1/jobs/kinds").status_code for _ in range(6)] == [200] * 5 + [429]
    assert second.get("/api/v1/jobs/kinds").status_code == 200  # same address, another user


def test_anonymous_requests_count_per_ip_and_a_wrong_key_does_not_escape_it(limits):
    stranger = Client(REMOTE_ADDR="203.0.113.7")
    answers = [stranger.get("/api/v1/jobs/", HTTP_X_API_KEY=f"guess-{i}").status_code for i in range(6)]
    assert answers == [401] * 5 + [429]
    assert stranger.get("/api/v1/health").status_code == 429
    assert Client(REMOTE_ADDR="203.0.113.8").get("/api/v1/health").status_code in (200, 503)


def test_a_limit_of_zero_turns_it_off_and_pages_are_never_limited(settings, admin_client):
    settings.API_RATE_READ = 0
    assert all(admin_client.get("/api/v1/jobs/kinds").status_code == 200 for _ in range(30))
    settings.API_RATE_READ = 1
    assert [admin_client.get("/api/v1/jobs/kinds").status_code for _ in range(2)] == [200, 429]
    assert admin_client.get("/activity/").status_code == 200


def test_behind_a_trusted_proxy_anonymous_clients_count_by_their_forwarded_address(limits):
    proxy = Client(REMOTE_ADDR="10.0.0.2")

    def through(address: str) -> int:
        return proxy.get("/api/v1/jobs/", HTTP_X_FORWARDED_FOR=f"1.2.3.4, {address}").status_code

    assert [through("198.51.100.1") for _ in range(6)] == [401] * 5 + [429]  # untrusted: all the proxy's
    limits.TRUSTED_PROXY = True
    assert [through("198.51.100.2") for _ in range(6)] == [401] * 5 + [429]
    assert through("198.51.100.3") == 401  # another client behind the same proxy; forged left part ignored
