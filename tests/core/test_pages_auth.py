from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PAGES = ["/", "/library/", "/wanted/", "/activity/", "/settings/", "/admin/"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_redirect_anonymous_visitors_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize("path", ["/", "/library/", "/wanted/", "/activity/", "/settings/"])
def test_pages_render_for_a_reader(reader_client, path):
    response = reader_client.get(path)
    assert response.status_code == 200
    assert b'id="main"' in response.content


def test_only_admins_see_system_checks_and_job_controls(reader_user, admin_user):
    reader_client, admin_client = Client(), Client()
    reader_client.force_login(reader_user)
    admin_client.force_login(admin_user)
    assert b"System checks" not in reader_client.get("/settings/").content
    assert b"System checks" in admin_client.get("/settings/").content
    assert b'data-can-manage="0"' in reader_client.get("/activity/").content
    assert b'data-can-manage="1"' in admin_client.get("/activity/").content


def test_login_is_throttled_after_repeated_failures(admin_user, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "admin", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "admin", "password": "pw-admin-123"})
    assert response.status_code == 429
    assert b"Too many failed log-ins" in response.content
    assert "_auth_user_id" not in client.session


def test_successful_login_reaches_the_dashboard(admin_user):
    client = Client()
    response = client.post("/accounts/login/", {"username": "admin", "password": "pw-admin-123"}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert b"Dashboard" in response.content


def test_request_id_is_echoed_or_generated(client):
    assert client.get("/health", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    generated = client.get("/health", HTTP_X_REQUEST_ID="bad id with spaces")["X-Request-ID"]
    assert generated != "bad id with spaces" and len(generated) == 16
