"""User management by admins in the app: create users with a role and the libraries they see,
deactivate, reset passwords; never lose the last admin or lock yourself out; readers are refused."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from core.errors import Conflict
from core.permissions import Role
from reading import users
from reading.visibility import visible_items

pytestmark = pytest.mark.django_db
STRONG = "correct horse battery 42"


def _logs_in(username: str, password: str) -> bool:
    """Through the real log-in page (axes wants the request)."""
    response = Client().post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302


def _send(client, method, url, body):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def test_an_admin_creates_a_reader_who_sees_only_the_chosen_library(admin_client, libraries):
    response = _send(
        admin_client,
        "post",
        "/api/users/",
        {
            "username": "kid",
            "password": STRONG,
            "email": "kid@example.org",
            "role": "reader",
            "libraries": {"all_libraries": False, "folder_ids": [libraries.kids.pk]},
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert data["role"] == "reader" and data["libraries"] == {"all_libraries": False, "folder_ids": [libraries.kids.pk]}
    kid = get_user_model().objects.get(username="kid")
    assert list(visible_items(kid)) == [libraries.open_item]
    assert _logs_in("kid", STRONG)


def test_an_admin_changes_what_a_reader_sees(admin_client, reader_user, libraries):
    url = f"/api/users/{reader_user.pk}/libraries"
    assert (
        _send(admin_client, "put", url, {"all_libraries": False, "folder_ids": [libraries.private.pk]}).status_code
        == 200
    )
    assert list(visible_items(reader_user)) == [libraries.hidden_item]
    assert _send(admin_client, "put", url, {"all_libraries": True}).status_code == 200
    assert visible_items(reader_user).count() == 2
    assert _send(admin_client, "put", url, {"all_libraries": False, "folder_ids": [999999]}).status_code == 404


def test_weak_passwords_bad_emails_and_taken_usernames_are_refused(admin_client, reader_user):
    base = {"username": "newbie", "password": STRONG}
    assert _send(admin_client, "post", "/api/users/", {**base, "password": "123"}).status_code == 422
    assert _send(admin_client, "post", "/api/users/", {**base, "email": "not-an-address"}).status_code == 422
    assert _send(admin_client, "post", "/api/users/", {**base, "username": "READER"}).status_code == 409
    assert not get_user_model().objects.filter(username="newbie").exists()


def test_an_admin_promotes_deactivates_and_resets_a_password(admin_client, reader_user):
    url = f"/api/users/{reader_user.pk}"
    assert _send(admin_client, "patch", url, {"role": "admin"}).json()["data"]["role"] == "admin"
    assert (
        _send(admin_client, "patch", url, {"role": "reader", "is_active": False}).json()["data"]["is_active"] is False
    )
    assert not _logs_in("reader", "pw-reader-123")
    _send(admin_client, "patch", url, {"is_active": True})
    assert _send(admin_client, "post", f"{url}/password", {"password": STRONG}).status_code == 200
    assert _logs_in("reader", STRONG)
    assert _send(admin_client, "post", f"{url}/password", {"password": "short"}).status_code == 422


def test_an_admin_cannot_demote_or_deactivate_themselves(admin_client, admin_user):
    get_user_model().objects.create_user("second-admin", password=STRONG, is_staff=True)  # not the last one
    url = f"/api/users/{admin_user.pk}"
    for change in ({"role": "reader"}, {"is_active": False}):
        response = _send(admin_client, "patch", url, change)
        assert response.status_code == 409 and response.json()["error_code"] == "conflict"
    admin_user.refresh_from_db()
    assert admin_user.is_active and admin_user.is_staff


def test_the_last_active_admin_cannot_be_removed_by_anyone(admin_user, reader_user):
    other = get_user_model().objects.create_user("other-admin", password=STRONG, is_staff=True)
    users.update_user(admin_user, other, role=Role.READER)  # two admins: fine
    with pytest.raises(Conflict, match="last active admin"):
        users.update_user(other, admin_user, is_active=False)  # a stale actor; admin_user is the last one
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_readers_are_refused_user_management(reader_client, reader_user):
    assert reader_client.get("/api/users/").status_code == 403
    assert _send(reader_client, "patch", f"/api/users/{reader_user.pk}", {"role": "admin"}).status_code == 403
    assert reader_client.get("/users/").status_code == 403
    reader_user.refresh_from_db()
    assert not reader_user.is_staff


def test_the_users_pages_list_and_show_users(admin_client, reader_user, libraries):
    users.set_libraries(reader_user, users.Libraries(False, (libraries.kids.pk,)))
    listing = admin_client.get("/users/").content.decode()
    assert "reader" in listing and "Kids" in listing and f"/users/{reader_user.pk}/" in listing
    detail = admin_client.get(f"/users/{reader_user.pk}/").content.decode()
    assert f'value="{libraries.kids.pk}" checked' in detail
    assert admin_client.get("/users/999999/").status_code == 404
