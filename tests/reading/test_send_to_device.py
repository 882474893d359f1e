"""Send to e-reader by e-mail, against a real SMTP server on 127.0.0.1 (aiosmtpd): the book
arrives with its bytes, file name and MIME type; a Kobo gets a KEPUB; STARTTLS with log-in; a
server that is down gives a clear error and the job waits to retry; readers send only what they
may see, to their own devices, and never reach the SMTP settings."""

from __future__ import annotations

import io
import socket
import ssl
import subprocess
import time
import zipfile
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from django.contrib.auth import get_user_model
from django.urls import reverse

from core.errors import ConfigurationError, ServiceUnavailable
from core.models import Job, JobState
from reading import sending
from reading.models import Device, DeviceKind, MailSecurity, MailSettings
from tests.reading.library import limit_to

FROM = "library@example.org"


class Inbox:
    """aiosmtpd handler: keeps what it is given."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls this hook by name
        self.messages.append(envelope)
        return "250 Message accepted"

    def parsed(self, index: int = -1):
        return message_from_bytes(self.messages[index].content, policy=policy.default)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def tls_inbox(tmp_path, monkeypatch):
    """STARTTLS required, then log-in as mailer / pw-mail-123; the client trusts its certificate."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # read by ssl.create_default_context() in the client

    def authenticate(server, session, envelope, mechanism, auth_data):
        good = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            b"mailer", b"pw-mail-123")
        return AuthResult(success=good, handled=False)

    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port(), tls_context=context,
                            require_starttls=True, authenticator=authenticate, auth_required=True,
                            auth_require_tls=True)
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


def _configure(port: int, **values) -> MailSettings:
    row = MailSettings.load()
    row.host, row.port, row.from_address, row.security = "127.0.0.1", port, FROM, MailSecurity.NONE
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    return row


def _device(user, kind=DeviceKind.POCKETBOOK, **values) -> Device:
    values.setdefault("name", f"My {kind}")
    values.setdefault("email", f"{kind}@devices.example.net")
    return Device.objects.create(user=user, kind=kind, **values)


def _wait(job_id: int, done, timeout: float = 60.0) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if done(job):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not get there: {Job.objects.get(pk=job_id).__dict__}")


@pytest.fixture(autouse=True)
def _cache(settings, tmp_path):
    settings.CACHE_DIR = tmp_path / "cache"


@pytest.mark.django_db(transaction=True)
def test_a_book_arrives_with_its_bytes_name_and_type(reader_client, reader_user, broker, worker, inbox,
                                                     libraries):
    _configure(inbox.port)
    device = _device(reader_user)
    response = reader_client.post(f"/api/reading/files/{libraries.open_file.pk}/send",
                                  {"device_id": device.pk}, content_type="application/json")
    assert response.status_code == 202, response.content
    started = response.json()["data"]
    assert started["device"] == "My pocketbook"
    job = _wait(started["job_id"], lambda j: j.state in (JobState.SUCCEEDED, JobState.FAILED))
    assert job.state == JobState.SUCCEEDED, job.last_error
    assert job.message == "Sent to My pocketbook"

    (envelope,) = inbox.messages
    assert envelope.mail_from == FROM and envelope.rcpt_tos == ["pocketbook@devices.example.net"]
    (attachment,) = list(inbox.parsed().iter_attachments())
    assert attachment.get_filename() == "Dune for Kids.epub"
    assert attachment.get_content_type() == "application/epub+zip"
    assert attachment.get_content() == Path(libraries.open_file.path).read_bytes()


@pytest.mark.django_db
def test_a_kobo_gets_a_kepub_made_for_it(reader_user, inbox, libraries):
    _configure(inbox.port)
    device = _device(reader_user, DeviceKind.KOBO)
    result = sending.send_book(libraries.open_file.pk, device.pk)
    assert result["format"] == "kepub"
    (attachment,) = list(inbox.parsed().iter_attachments())
    assert attachment.get_filename() == "Dune for Kids.kepub.epub"
    assert attachment.get_content_type() == "application/kepub+zip"
    with zipfile.ZipFile(io.BytesIO(attachment.get_content())) as book:
        assert any(b'class="koboSpan"' in book.read(n) for n in book.namelist() if n.endswith("html"))


@pytest.mark.django_db
def test_starttls_and_log_in_and_a_wrong_password_said_plainly(admin_client, tls_inbox):
    _configure(tls_inbox.port, security=MailSecurity.STARTTLS, username="mailer", password="pw-mail-123")
    response = admin_client.post("/api/reading/mail-settings/test", {"to": "me@example.org"},
                                 content_type="application/json")
    assert response.status_code == 200, response.content
    assert len(tls_inbox.messages) == 1 and tls_inbox.messages[0].rcpt_tos == ["me@example.org"]
    assert tls_inbox.parsed()["Subject"] == "OmniReadarr test mail"

    MailSettings.objects.update(password="wrong")
    refused = admin_client.post("/api/reading/mail-settings/test", {"to": "me@example.org"},
                                content_type="application/json").json()
    assert refused["error_code"] == "authentication_failed"
    assert "refused the user name or password" in refused["error"]


@pytest.mark.django_db
def test_plain_smtp_against_a_server_that_wants_starttls_is_refused_with_a_hint(tls_inbox, reader_user, libraries):
    _configure(tls_inbox.port)  # security none, no log-in
    with pytest.raises(ConfigurationError, match="wants STARTTLS or a log-in first: 530"):
        sending.send_book(libraries.open_file.pk, _device(reader_user).pk)
    assert tls_inbox.messages == []


@pytest.mark.django_db(transaction=True)
def test_a_server_that_is_down_gives_a_clear_error_and_the_send_waits_to_retry(
        reader_client, reader_user, broker, worker, libraries):
    _configure(_free_port())  # nothing listens there
    device = _device(reader_user)
    with pytest.raises(ServiceUnavailable, match="cannot be reached: connection refused"):
        sending.send_book(libraries.open_file.pk, device.pk)

    started = reader_client.post(f"/api/reading/files/{libraries.open_file.pk}/send", {"device_id": device.pk},
                                 content_type="application/json").json()["data"]
    job = _wait(started["job_id"], lambda j: bool(j.last_error))
    assert job.state == JobState.QUEUED and job.message == "Failed, will retry"
    assert "127.0.0.1" in job.last_error and "cannot be reached: connection refused" in job.last_error
    assert Path(libraries.open_file.path).is_file() and Device.objects.filter(pk=device.pk).exists()


@pytest.mark.django_db
def test_sending_before_the_mail_server_is_set_up_says_so(reader_client, reader_user, libraries):
    device = _device(reader_user)
    answer = reader_client.post(f"/api/reading/files/{libraries.open_file.pk}/send", {"device_id": device.pk},
                                content_type="application/json")
    assert answer.status_code == 400 and answer.json()["error_code"] == "configuration_error"
    assert "not set up" in answer.json()["error"] and not Job.objects.exists()


@pytest.mark.parametrize(("kind", "limit_mb", "size_mb", "said"), [
    (DeviceKind.POCKETBOOK, 25, 30, "over the 25 MB mail limit"),
    (DeviceKind.KINDLE, 100, 60, "over the 50 MB mail limit (a Kindle takes at most 50 MB)"),
])
@pytest.mark.django_db
def test_a_book_over_the_mail_limit_is_refused(reader_client, reader_user, libraries, kind, limit_mb, size_mb, said):
    _configure(_free_port(), max_attachment_mb=limit_mb)
    device = _device(reader_user, kind)
    libraries.open_file.__class__.objects.filter(pk=libraries.open_file.pk).update(size=size_mb * 1024 * 1024)
    answer = reader_client.post(f"/api/reading/files/{libraries.open_file.pk}/send", {"device_id": device.pk},
                                content_type="application/json")
    assert answer.status_code == 422 and said in answer.json()["error"], answer.content
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_a_comic_cannot_go_to_a_kindle(reader_client, reader_user, libraries, tmp_path):
    _configure(_free_port())
    comic = libraries.open_file
    comic.format = "cbz"
    comic.save()
    answer = reader_client.post(f"/api/reading/files/{comic.pk}/send", {"device_id": _device(reader_user,
                                DeviceKind.KINDLE).pk}, content_type="application/json")
    assert answer.status_code == 422 and "A CBZ file cannot be sent to My kindle as EPUB" in answer.json()["error"]


@pytest.mark.django_db
def test_a_reader_cannot_send_a_book_of_a_hidden_library(reader_client, reader_user, libraries):
    _configure(_free_port())
    limit_to(reader_user, libraries.kids)
    device = _device(reader_user)
    answer = reader_client.post(f"/api/reading/files/{libraries.hidden_file.pk}/send", {"device_id": device.pk},
                                content_type="application/json")
    assert answer.status_code == 404 and not Job.objects.exists()
    # and a job queued before the library was hidden sends nothing
    assert sending.send_book(libraries.hidden_file.pk, device.pk) == {"skipped": "the file is no longer in the library"}


@pytest.mark.django_db
def test_devices_are_their_owners_own(reader_client, reader_user, libraries):
    _configure(_free_port())
    other = get_user_model().objects.create_user("other", password="pw-other-123")
    theirs = _device(other)
    assert reader_client.get("/api/reading/devices").json()["data"] == []
    assert reader_client.delete(f"/api/reading/devices/{theirs.pk}").status_code == 404
    assert reader_client.patch(f"/api/reading/devices/{theirs.pk}", {"name": "Mine now"},
                               content_type="application/json").status_code == 404
    answer = reader_client.post(f"/api/reading/files/{libraries.open_file.pk}/send", {"device_id": theirs.pk},
                                content_type="application/json")
    assert answer.status_code == 404 and not Job.objects.exists()

    made = reader_client.post("/api/reading/devices", {"name": "Kobo", "email": "me@kobo.example", "kind": "kobo"},
                              content_type="application/json")
    assert made.status_code == 201 and made.json()["data"]["sends_as"] == "kepub"
    bad = reader_client.post("/api/reading/devices", {"name": "X", "email": "not-an-address"},
                             content_type="application/json")
    assert bad.status_code == 422
    again = reader_client.post("/api/reading/devices", {"name": "Kobo", "email": "me@kobo.example"},
                               content_type="application/json")
    assert again.status_code == 422 and "already" in again.json()["error"]


@pytest.mark.django_db
def test_a_reader_cannot_see_or_change_the_smtp_settings(reader_client):
    assert reader_client.get("/api/reading/mail-settings").status_code == 403
    assert reader_client.patch("/api/reading/mail-settings", {"host": "evil.example"},
                               content_type="application/json").status_code == 403
    assert reader_client.post("/api/reading/mail-settings/test", {"to": "me@example.org"},
                              content_type="application/json").status_code == 403
    assert reader_client.get(reverse("mail-settings")).status_code == 403
    assert MailSettings.load().host == ""
    assert reader_client.get(reverse("devices")).status_code == 200


@pytest.mark.django_db
def test_the_smtp_password_is_never_shown_back(admin_client):
    changed = admin_client.patch("/api/reading/mail-settings", {
        "host": "smtp.example.org", "port": 465, "security": "ssl", "username": "me", "password": "s3cret-pw-42",
        "from_address": FROM,
    }, content_type="application/json")
    assert changed.status_code == 200, changed.content
    assert "s3cret-pw-42" not in changed.content.decode() and changed.json()["data"]["has_password"] is True
    assert "s3cret-pw-42" not in admin_client.get("/api/reading/mail-settings").content.decode()
    page = admin_client.get(reverse("mail-settings")).content.decode()
    assert "s3cret-pw-42" not in page and "A password is stored" in page
    admin_client.patch("/api/reading/mail-settings", {"password": "", "port": 587},
                       content_type="application/json")
    assert MailSettings.load().password == "s3cret-pw-42"  # empty keeps it
    assert admin_client.patch("/api/reading/mail-settings", {"from_address": "nope"},
                              content_type="application/json").status_code == 422
    assert admin_client.get(reverse("settings")).content.decode().count(reverse("mail-settings")) >= 1
