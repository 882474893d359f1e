"""/api/v1/ is the documented API; /api/ answers the same operations, deprecated, for one release.
Both prefixes are checked against the one roles table, and every address under either answers
in the envelope: 404 for an unknown one, 405 (with Allow) for a method it does not take."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from core.permissions import Role, api_access

pytestmark = pytest.mark.django_db


def _operations(client) -> list[tuple[str, str]]:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    return [(method, path) for path, operations in paths.items() for method in operations]


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "999999", path)


def test_the_document_is_version_1_and_lists_only_v1_addresses(admin_client):
    document = admin_client.get("/api/v1/openapi.json").json()
    assert document["info"]["version"].startswith("1.")
    assert document["paths"] and all(path.startswith("/api/v1/") for path in document["paths"])


def test_the_old_prefix_answers_the_same_with_a_deprecation_header(admin_client):
    current, alias = admin_client.get("/api/v1/jobs/kinds"), admin_client.get("/api/jobs/kinds")
    assert current.status_code == alias.status_code == 200
    assert current.json() == alias.json()
    assert "Deprecation" not in current.headers
    assert re.fullmatch(r"@\d+", alias.headers["Deprecation"])  # RFC 9745 structured date
    assert alias.headers["Link"] == '</api/v1/jobs/kinds>; rel="successor-version"'


def test_a_reader_reaches_no_admin_operation_through_either_prefix(admin_client, reader_user):
    reader = Client()
    reader.force_login(reader_user)
    refused = 0
    for method, path in _operations(admin_client):
        if api_access(method, path).allows(Role.READER):
            continue
        for url in (_concrete(path), _concrete(path).replace("/api/v1/", "/api/", 1)):
            body = {} if method == "get" else {"data": json.dumps({}), "content_type": "application/json"}
            response = getattr(reader, method)(url, **body)
            assert response.status_code == 403, f"reader {method.upper()} {url} -> {response.status_code}"
            assert response.json()["error_code"] == "permission_denied"
            refused += 1
    assert refused >= 2 * 60


@pytest.mark.parametrize(
    "url", ["/api/v1/no-such-thing", "/api/no-such-thing", "/api/v1/jobs/not-a-number", "/api/v2/jobs/"]
)
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_an_unknown_api_address_answers_a_json_404(admin_client, url, method):
    response = getattr(admin_client, method)(url)
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["error_code"] == "not_found" and response.json()["success"] is False


@pytest.mark.parametrize("prefix", ["/api/v1/", "/api/"])
def test_a_method_an_address_does_not_take_answers_a_json_405_with_allow(admin_client, prefix):
    response = admin_client.delete(prefix + "jobs/kinds")
    assert response.status_code == 405 and response["Content-Type"] == "application/json"
    assert response["Allow"] == "GET" and response["X-RateLimit-Limit"]
    body = response.json()
    assert body["error_code"] == "method_not_allowed" and body["details"] == {"allowed": ["GET"]}
    both = admin_client.patch(prefix + "scanning/folders/1")
    assert both.status_code == 405 and both["Allow"] == "DELETE, GET, PUT"


def test_only_operations_reached_through_the_alias_are_marked_deprecated(admin_client):
    assert "Deprecation" not in admin_client.get("/api/no-such-thing").headers  # not an operation at all
    assert "Deprecation" in admin_client.get("/api/jobs/999999").headers  # an operation (its 404 included)
