"""Setup wizard: redirect until complete, folder checks, resumable, re-runnable, handlers."""

from __future__ import annotations

import os

import pytest
from django.contrib.auth import get_user_model

from core.errors import ConfigurationError
from core.wizard import registry, services
from core.wizard.folders import check_folder
from core.wizard.models import WizardState
from core.wizard.registry import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def enforce(settings):
    settings.WIZARD_REDIRECT = True
    services.forget_cache()
    yield
    services.forget_cache()


@pytest.fixture
def handlers():
    saved = (dict(registry._APPLY), dict(registry._TESTERS), dict(registry._FINISHERS))
    yield registry
    registry._APPLY.clear(), registry._APPLY.update(saved[0])
    registry._TESTERS.clear(), registry._TESTERS.update(saved[1])
    registry._FINISHERS.clear(), registry._FINISHERS.update(saved[2])


def test_pages_redirect_to_the_wizard_until_complete(enforce, admin_client):
    assert admin_client.get("/library/")["Location"] == "/wizard/"
    assert admin_client.get("/api/library/items").status_code == 200  # the API is never redirected
    WizardState.objects.create(pk=1, completed_at="2026-01-01T00:00:00Z")
    services.forget_cache()
    assert admin_client.get("/library/").status_code == 200


def test_existing_install_with_admin_and_library_counts_as_complete(enforce, admin_client):
    from tests.ui.factories import make_item

    make_item("Dune")
    assert admin_client.get("/library/").status_code == 200


def test_fresh_install_creates_the_first_admin_anonymously(enforce, client):
    assert client.get("/").status_code == 302
    assert client.get("/wizard/welcome/").status_code == 200
    response = client.post(
        "/wizard/admin/", {"username": "owner", "password": "a-Long-pass-123", "password2": "a-Long-pass-123"}
    )
    assert response["Location"] == "/wizard/folders/"
    owner = get_user_model().objects.get(username="owner")
    assert owner.is_superuser and owner.check_password("a-Long-pass-123")
    assert "password" not in WizardState.load().data["admin"]
    assert client.get("/wizard/folders/").status_code == 200  # logged in now


def test_once_an_account_exists_the_wizard_needs_an_admin(client, reader_user, admin_user):
    assert client.get("/wizard/admin/").status_code == 302
    client.force_login(reader_user)
    assert client.get("/wizard/admin/").status_code == 403


@pytest.mark.parametrize(
    ("answers", "error"),
    [
        (
            {"username": "owner", "password": "a-Long-pass-123", "password2": "other"},
            "The two passwords differ",
        ),
        ({"username": "owner", "password": "123", "password2": "123"}, "too short"),
        ({"username": "owner"}, "Choose a password"),
    ],
)
def test_admin_step_validates(admin_client, answers, error):
    response = admin_client.post("/wizard/admin/", answers)
    assert response.status_code == 422 and error in response.content.decode()


def test_folder_checks_are_specific_and_never_touch_disk(tmp_path):
    readonly = tmp_path / "ro"
    readonly.mkdir()
    afile = tmp_path / "file.txt"
    afile.write_text("x")
    missing = tmp_path / "nope" / "deeper"
    assert check_folder(str(tmp_path), label="L", need_write=True)[0].level == "ok"
    assert "does not exist" in check_folder(str(missing), label="L", need_write=True)[0].text
    assert not missing.exists() and not missing.parent.exists()
    assert "mkdir -p" in check_folder(str(missing), label="L", need_write=True)[0].hint
    assert "is a file" in check_folder(str(afile), label="L", need_write=True)[0].text
    assert "not an absolute path" in check_folder("books", label="L", need_write=True)[0].text
    if os.getuid() != 0:  # root can write anywhere
        readonly.chmod(0o555)
        assert check_folder(str(readonly), label="L", need_write=True)[0].level == "warning"


def test_folders_step_blocks_on_errors_and_saves_good_answers(admin_client, tmp_path, handlers):
    seen = []
    handlers.register_apply(
        "folders", lambda answers: seen.append(answers) or [Message("ok", "2 folders added")]
    )
    bad = admin_client.post("/wizard/folders/", {"library_folders": f"{tmp_path}\n/does/not/exist"})
    assert bad.status_code == 422 and "/does/not/exist does not exist" in bad.content.decode()
    assert not seen
    good = admin_client.post("/wizard/folders/", {"library_folders": str(tmp_path)})
    assert good["Location"] == "/wizard/content/"
    assert seen[0]["library_folders"] == str(tmp_path)
    state = WizardState.load()
    assert state.current_step == "content" and "folders" in state.completed_steps
    assert admin_client.get("/wizard/")["Location"] == "/wizard/content/"  # resumable
    assert str(tmp_path) in admin_client.get("/wizard/folders/").content.decode()  # answers kept


def test_a_refusing_handler_keeps_the_wizard_on_the_step(admin_client, handlers):
    def refuse(answers):
        raise ConfigurationError("Prowlarr refused the API key", hint="Copy it again")

    handlers.register_apply("downloads", refuse)
    response = admin_client.post(
        "/wizard/downloads/", {"prowlarr_url": "http://127.0.0.1:9", "prowlarr_api_key": "k"}
    )
    assert response["Location"] == "/wizard/downloads/"
    assert "downloads" not in WizardState.load().data


def test_connection_test_warns_when_unreachable_and_uses_registered_testers(admin_client, handlers):
    result = admin_client.post(
        "/wizard/test/prowlarr", {"url": "http://127.0.0.1:9"}, content_type="application/json"
    ).json()
    assert result["level"] == "warning" and "Cannot reach 127.0.0.1:9" in result["text"]
    handlers.register_tester("client", lambda answers: Message("ok", f"SABnzbd 4.3 at {answers['url']}"))
    ok = admin_client.post(
        "/wizard/test/client", {"url": "http://sab:8080"}, content_type="application/json"
    )
    assert ok.json() == {"level": "ok", "text": "SABnzbd 4.3 at http://sab:8080", "hint": ""}
    assert admin_client.post("/wizard/test/evil", {}, content_type="application/json").status_code == 404


@pytest.mark.parametrize(
    ("template", "error"),
    [
        ("${author}/${bogus}.${ext}", "Unknown token ${bogus} at position 10 (marked ▸): ${author}/▸${bogus}"),
        ("/abs/${title}.${ext}", "relative to the library folder at position 0"),
        ("${author}/../${title}", "Empty, &#x27;.&#x27; or &#x27;..&#x27; folder"),
    ],
)
def test_naming_step_validates_templates(admin_client, template, error):
    data = {
        "ebook_template": template,
        "audiobook_template": "${title}.${ext}",
        "comic_template": "${bookseries.title}.${ext}",
    }
    response = admin_client.post("/wizard/naming/", data)
    assert response.status_code == 422 and error in response.content.decode()


def test_review_shows_checks_and_finishing_runs_the_first_scan(enforce, admin_client, handlers):
    started = []
    handlers.register_finisher(
        "start_scan",
        "Start the first scan",
        lambda user: started.append(user) or Message("ok", "Scan started"),
    )
    html = admin_client.get("/wizard/review/").content.decode()
    assert "Your answers" in html and ("All system checks passed" in html or "omni." in html)
    response = admin_client.post("/wizard/review/", {"start_scan": "on"})
    assert response["Location"] == "/" and started
    assert WizardState.load().completed_at is not None
    assert admin_client.get("/library/").status_code == 200


def test_rerun_keeps_answers_and_completion(admin_client):
    WizardState.objects.create(
        pk=1, completed_at="2026-01-01T00:00:00Z", data={"content": {"kinds": ["comic"]}}
    )
    assert admin_client.get("/wizard/")["Location"] == "/wizard/welcome/"
    assert "Running it again keeps your answers" in admin_client.get("/wizard/welcome/").content.decode()
    assert 'value="comic" checked' in admin_client.get("/wizard/content/").content.decode().replace(
        'id="id_kinds_2" ', ""
    )
    admin_client.post("/wizard/content/", {"kinds": ["ebook", "comic"]})
    state = WizardState.load()
    assert state.data["content"]["kinds"] == ["ebook", "comic"] and state.completed_at is not None
