"""Issue 20 defect 3: the wizard's "fix it later in Settings" names the real settings page, and
that page exists."""

from __future__ import annotations

import socket

import pytest

from indexers.wizard_hooks import apply

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pages_named(text: str) -> list[str]:
    return [part.split(")")[0] for part in text.split("(")[1:] if part.startswith("/settings/")]


@pytest.mark.parametrize(
    ("service", "page"), [("prowlarr", "/settings/indexers/"), ("openlibrary", "/settings/metadata/")]
)
def test_unreachable_service_hint_names_its_settings_page(admin_client, service, page):
    url = f"http://127.0.0.1:{_closed_port()}"
    message = admin_client.post(
        f"/wizard/test/{service}", {"url": url, "api_key": "k"}, content_type="application/json"
    )
    hint = message.json()["hint"]
    assert message.json()["level"] == "warning"
    assert _pages_named(hint) == [page]
    assert admin_client.get(page).status_code == 200


def test_skipped_prowlarr_points_to_the_indexers_page(admin_client):
    [message] = apply({"prowlarr_url": ""})
    assert _pages_named(message.text) == ["/settings/indexers/"]
