"""Issue 20, defect 6: the wizard's flash messages sit inside the layout, its review step is
readable (no Python lists), a password without a username is refused, and the generated
`admin` account can be disabled from the admin step."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from core.wizard.models import WizardState

pytestmark = pytest.mark.django_db
PASSWORD = "a-Long-pass-123"


def test_a_password_without_a_username_is_refused_with_a_message(admin_client):
    response = admin_client.post("/wizard/admin/", {"username": "", "password": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 422
    assert "Enter the username this password is for." in response.content.decode()
    assert get_user_model().objects.count() == 1


@pytest.fixture
def generated_admin(db):
    """What `manage.py ensure_admin` leaves on a fresh install."""
    from django.core.management import call_command

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    call_command("ensure_admin", stdout=open("/dev/null", "w"))  # noqa: SIM115
    yield get_user_model().objects.get(username="admin")
    (settings.DATA_DIR / "initial_admin_password").unlink(missing_ok=True)


def test_the_admin_step_offers_to_disable_the_generated_account_and_does(client, generated_admin):
    client.force_login(generated_admin)
    page = client.get("/wizard/admin/").content.decode()
    assert "Disable the generated &#x27;admin&#x27; account" in page
    response = client.post(
        "/wizard/admin/",
        {"username": "owner", "password": PASSWORD, "password2": PASSWORD, "disable_generated": "on"},
    )
    assert response.status_code == 302 and response["Location"] == "/wizard/folders/"
    generated_admin.refresh_from_db()
    assert not generated_admin.is_active
    assert get_user_model().objects.get(username="owner").is_superuser
    assert client.get("/wizard/folders/").status_code == 200  # signed in as the new account


def test_disabling_the_generated_account_needs_an_account_of_ones_own(client, generated_admin):
    client.force_login(generated_admin)
    response = client.post("/wizard/admin/", {"username": "", "password": "", "disable_generated": "on"})
    assert response.status_code == 422 and "Create your own admin account first" in response.content.decode()
    generated_admin.refresh_from_db()
    assert generated_admin.is_active


def test_the_review_step_reads_as_words_not_python_lists(admin_client):
    WizardState.objects.create(
        pk=1,
        data={
            "content": {"kinds": ["ebook", "comic"]},
            "metadata": {"providers": ["openlibrary"], "openlibrary_url": ""},
            "folders": {"library_folders": "/books\n/comics", "downloads_dir": ""},
        },
    )
    html = admin_client.get("/wizard/review/").content.decode()
    assert "[" not in html.split('id="step-h"')[1].split("<form")[0]
    assert "<dd>Ebooks, Comics</dd>" in html and "<dd>Open Library (no key needed)</dd>" in html
    assert "<dd>/books, /comics</dd>" in html and "<dt>What this library holds.</dt>" not in html


def test_flash_messages_are_inside_the_layout(admin_client):
    response = admin_client.post("/wizard/admin/", {"username": "", "password": ""}, follow=True)
    html = response.content.decode()
    assert 'class="messages"' in html
    assert html.index("<main") < html.index('class="messages"') < html.index("</main>")
