"""API conventions: auth everywhere but health, one envelope, typed validation, roles, CSRF."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from core.models import ApiKey, Job

pytestmark = pytest.mark.django_db


def _openapi(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_api_endpoint_except_health_answers_401_in_the_envelope(admin_client, client):
    schema = _openapi(admin_client)
    checked = 0
    for path, operations in schema["paths"].items():
        for method in operations:
            response = getattr(Client(), method)(_concrete(path), content_type="application/json")
            if path == "/api/v1/health":
                assert response.status_code in (200, 503)
                continue
            assert response.status_code == 401, f"{method.upper()} {path} -> {response.status_code}"
            body = response.json()
            assert body == {"success": False, "data": None, "error": body["error"],
                            "error_code": "authentication_required", "hint": None, "details": None}
            checked += 1
    assert checked >= 6


def test_openapi_and_docs_need_login_and_list_documented_endpoints(admin_client):
    assert Client().get("/api/openapi.json").status_code == 401
    assert Client().get("/api/docs").json()["error_code"] == "authentication_required"
    assert admin_client.get("/api/docs").status_code == 200
    paths = _openapi(admin_client)["paths"]
    for expected in ("/api/v1/health", "/api/v1/jobs/", "/api/v1/jobs/{job_id}", "/api/v1/jobs/{job_id}/cancel",
                     "/api/v1/auth/api-key"):
        assert expected in paths


def test_api_key_header_authenticates(admin_user, client):
    raw = ApiKey.issue(admin_user)
    response = client.get("/api/jobs/", HTTP_X_API_KEY=raw)
    assert response.status_code == 200
    assert response.json()["success"] is True
    assert client.get("/api/jobs/", HTTP_X_API_KEY=raw + "x").status_code == 401


def test_regenerated_key_replaces_the_old_one(admin_client, admin_user):
    first = admin_client.post("/api/auth/api-key", content_type="application/json").json()["data"]["key"]
    second = admin_client.post("/api/auth/api-key", content_type="application/json").json()["data"]["key"]
    assert first != second
    assert Client().get("/api/jobs/", HTTP_X_API_KEY=first).status_code == 401
    assert Client().get("/api/jobs/", HTTP_X_API_KEY=second).status_code == 200
    assert ApiKey.objects.get(user=admin_user).key_hash != second  # only the hash is stored


def test_api_key_of_inactive_user_is_refused(admin_user, client):
    raw = ApiKey.issue(admin_user)
    admin_user.is_active = False
    admin_user.save()
    assert client.get("/api/jobs/", HTTP_X_API_KEY=raw).status_code == 401


def test_validation_errors_name_the_field(admin_client, broker):
    response = admin_client.post("/api/jobs/", data=json.dumps({"params": {}}), content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert body["error_code"] == "invalid_input"
    assert {"field": "kind", "message": "Field required"} in body["details"]

    response = admin_client.get("/api/jobs/?page=0")
    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "page"


def test_reader_can_list_but_not_start_or_cancel_jobs(reader_client, broker):
    assert reader_client.get("/api/jobs/").status_code == 200
    response = reader_client.post("/api/jobs/", data=json.dumps({"kind": "core.selftest"}),
                                  content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error_code"] == "permission_denied"
    job = Job.objects.create(kind="core.selftest")
    assert reader_client.post(f"/api/jobs/{job.pk}/cancel").status_code == 403


def test_admin_starts_a_job_and_gets_202_with_the_job(admin_client, broker):
    response = admin_client.post("/api/jobs/", data=json.dumps({"kind": "core.selftest", "params": {"steps": 2}}),
                                 content_type="application/json")
    assert response.status_code == 202
    data = response.json()["data"]
    assert data["kind"] == "core.selftest" and data["state"] == "queued" and data["created_by"] == "admin"
    assert broker.queues  # the message went to the queue


def test_unknown_job_is_404_in_the_envelope(admin_client):
    response = admin_client.get("/api/jobs/999999")
    assert response.status_code == 404
    assert response.json()["success"] is False and response.json()["error_code"] == "not_found"


def test_session_writes_need_a_csrf_token(admin_user, broker):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post("/api/jobs/", data=json.dumps({"kind": "core.selftest"}), content_type="application/json")
    assert response.status_code in (401, 403)
    assert Job.objects.count() == 0


def test_pagination_has_next_without_counting(admin_client):
    Job.objects.bulk_create([Job(kind="x") for _ in range(5)])
    page1 = admin_client.get("/api/jobs/?page_size=2").json()["data"]
    page3 = admin_client.get("/api/jobs/?page_size=2&page=3").json()["data"]
    assert (len(page1["items"]), page1["has_next"], page1["total"]) == (2, True, None)
    assert (len(page3["items"]), page3["has_next"]) == (1, False)


def test_health_reports_each_component_to_admins(admin_client, client):
    assert client.get("/api/health").json()["data"]["status"] in ("ok", "degraded")  # no login needed
    body = admin_client.get("/api/health").json()
    assert set(body["data"]["checks"]) == {"database", "broker", "worker", "scheduler"}
    assert body["data"]["checks"]["database"]["ok"] is True
    assert body["data"]["checks"]["worker"]["ok"] is False  # no worker heartbeat in this test
    assert client.get("/health").status_code == 200
