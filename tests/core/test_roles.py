"""The roles table (core/permissions.py) covers every API operation and every page, and each role
gets the answer the table documents: anonymous 401 (API) or the log-in page, readers 403, and an
allowed role never a 401/403."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from core.api.edge import API_APP_NAME
from core.permissions import API, PAGES, Role, api_access, api_table_path, page_access

pytestmark = pytest.mark.django_db

WRITES = ("post", "put", "patch", "delete")
MISSING_ID = "999999"


def _operations(client) -> list[tuple[str, str]]:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    return [(method, path) for path, operations in paths.items() for method in operations]


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", MISSING_ID, path)


def _pages(resolver=None, prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    """(page key, example URL) for every route of the URLconf outside /api/."""
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == API_APP_NAME:  # /api/v1/ and its deprecated alias /api/
                continue
            if entry.namespace == "admin":
                found.append(("admin:*", "/" + prefix + str(entry.pattern)))
                continue
            found += _pages(entry, prefix + str(entry.pattern), entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            route = re.sub(r"<(?:int:)?\w+>", MISSING_ID, prefix + str(entry.pattern))
            route = re.sub(r"<(?:str|slug|path):\w+>", "x", route)
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            found.append((name or f"(unnamed {route})", "/" + route))
    return found


def _clients(admin_user, reader_user) -> dict[Role, Client]:
    reader, admin = Client(), Client()
    reader.force_login(reader_user)
    admin.force_login(admin_user)
    return {Role.ANONYMOUS: Client(), Role.READER: reader, Role.ADMIN: admin}


def test_every_api_operation_has_an_entry_in_the_roles_table(admin_client):
    missing = [f"{method.upper()} {path}" for method, path in _operations(admin_client)
               if f"{method.upper()} {api_table_path(path)}" not in API]
    assert missing == [], "add these to core/permissions.py API (and the README's roles table)"


def test_every_page_of_the_urlconf_has_an_entry_in_the_roles_table():
    missing = [(key, url) for key, url in _pages() if key not in PAGES]
    assert missing == [], "add these to core/permissions.py PAGES (and the README's roles table)"


def test_the_roles_table_lists_nothing_that_does_not_exist(admin_client):
    operations = {f"{method.upper()} {api_table_path(path)}" for method, path in _operations(admin_client)}
    docs = {"GET /api/openapi.json", "GET /api/docs"}
    assert set(API) - operations - docs == set()
    assert set(PAGES) - {key for key, _ in _pages()} == set()


def test_each_role_gets_the_documented_answer_for_every_api_write(admin_user, reader_user, broker):
    clients = _clients(admin_user, reader_user)
    checked = 0
    for method, path in _operations(clients[Role.ADMIN]):
        if method not in WRITES:
            continue
        access = api_access(method, path)
        for role, client in clients.items():
            response = getattr(client, method)(_concrete(path), data=json.dumps({}), content_type="application/json")
            where = f"{role} {method.upper()} {path} -> {response.status_code}"
            if access.allows(role):
                assert response.status_code not in (401, 403), where
            else:
                assert response.status_code == (401 if role == Role.ANONYMOUS else 403), where
                assert response.json()["error_code"] in ("authentication_required", "permission_denied")
            checked += 1
    assert checked >= 3 * 50


def test_readers_are_refused_every_api_read_the_table_keeps_for_admins(admin_user, reader_user):
    reader = _clients(admin_user, reader_user)[Role.READER]
    for method, path in _operations(reader):
        if method == "get" and not api_access(method, path).allows(Role.READER):
            assert reader.get(_concrete(path)).status_code == 403, path


def test_each_role_gets_the_documented_answer_for_every_page(admin_user, reader_user):
    clients = _clients(admin_user, reader_user)
    for key, url in _pages():
        access = page_access(key)
        for role, client in clients.items():
            response = client.get(url)
            to_login = response.status_code == 302 and response["Location"].startswith("/accounts/login/")
            where = f"{role} GET {url} ({key}) -> {response.status_code}"
            if access.allows(role):
                assert not to_login and response.status_code != 403, where
            elif role == Role.ANONYMOUS and key.startswith("opds:"):  # reading apps cannot fill in a log-in page
                assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Basic "), where
            elif role == Role.ANONYMOUS:
                assert to_login, where
            else:
                assert response.status_code == 403, where


def test_a_reader_cannot_search_indexers_for_an_item_the_interactive_search_leads_to_grabs(reader_client):
    from media.models import MediaItem, MediaStatus

    item = MediaItem.objects.create(title="Dune", sort_title="dune", status=MediaStatus.WANTED)
    response = reader_client.post(f"/api/downloads/search/{item.pk}/", data="{}", content_type="application/json")
    assert response.status_code == 403
    assert reader_client.get(f"/downloads/search/{item.pk}/").status_code == 403


def test_the_wizard_is_open_to_anonymous_visitors_only_before_the_first_account(client, django_user_model):
    assert client.get("/wizard/welcome/").status_code == 200
    django_user_model.objects.create_user("someone", password="pw-someone-123")
    response = client.get("/wizard/welcome/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_readme_shows_the_roles_table_as_the_code_has_it():
    from pathlib import Path

    from core.permissions import markdown_table

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    missing = [line for line in markdown_table().splitlines() if line.strip() and line not in readme]
    assert missing == [], "paste core.permissions.markdown_table() into the README's Security section"
