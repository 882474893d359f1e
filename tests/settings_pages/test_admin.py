"""Issue 20 defect 3: the Django admin under the project's name, internals for superusers only,
no raw JSON for path mappings, "author aliases" spelled right."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from processing.models import ImportSettings

INTERNAL_PAGES = [
    "/admin/core/heartbeat/",
    "/admin/core/job/",
    "/admin/search/fieldcandidate/",
    "/admin/search/resolvedfield/",
    "/admin/scanning/itemmatchkey/",
    "/admin/indexers/searchresult/",
]


@pytest.fixture
def staff_client(client, db):
    """A staff account that is not a superuser, even holding every Django permission."""
    user = get_user_model().objects.create_user("staffer", password="pw-staff-123", is_staff=True)
    user.user_permissions.set(Permission.objects.all())
    client.force_login(user)
    return client


def test_admin_carries_the_project_name(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert "OmniReadarr administration" in html
    assert "Django administration" not in html
    assert "<title>" in html and "OmniReadarr" in html.split("<title>")[1].split("</title>")[0]


def test_staff_non_superuser_sees_settings_but_no_internals(staff_client):
    html = staff_client.get("/admin/").content.decode()
    assert "Indexer configs" in html  # what a power user needs is there
    for internal in ("Heartbeats", "Field candidates", "Item match keys", "Jobs", "Resolved fields"):
        assert internal not in html, internal
    for url in INTERNAL_PAGES:
        assert staff_client.get(url).status_code == 403, url


def test_superuser_still_reaches_internals(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert "Heartbeats" in html and "Field candidates" in html
    for url in INTERNAL_PAGES:
        assert admin_client.get(url).status_code == 200, url


def test_author_aliases_plural(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert "Author aliases" in html
    assert "Author aliass" not in html


def test_import_settings_admin_shows_mappings_as_text_not_json(admin_client):
    row = ImportSettings.load()
    row.remote_path_mappings = [{"remote": "/sab/complete", "local": "/downloads/complete"}]
    row.save()
    html = admin_client.get(f"/admin/processing/importsettings/{row.pk}/change/").content.decode()
    assert 'name="remote_path_mappings"' not in html
    assert "/sab/complete → /downloads/complete" in html
