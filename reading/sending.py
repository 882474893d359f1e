"""Send to e-reader by e-mail: the SMTP settings (admins), each user's devices, and the send job.

The format follows the device: a Kindle gets EPUB (Send-to-Kindle takes EPUB; it refuses AZW3 by
mail), a Kobo KEPUB when one can be made (else EPUB), a PocketBook EPUB, any other device the
format its owner chose. A file already in that format goes as it is; another is converted through
the conversion cache (reading.conversions) inside the send job; a file that can be neither
converted nor sent as it is (a comic to a Kindle) is refused with the reason. The mail goes out
through Django's SMTP EmailBackend built from the stored settings, in a background job whose
state and message show the outcome. A server that cannot be reached is a transient error (the job
is retried; nothing is deleted); refused credentials, addresses or sizes are permanent."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend
from django.core.validators import validate_email
from django.db import IntegrityError

from core.errors import (
    AuthenticationFailed,
    ConfigurationError,
    InvalidInput,
    NotFound,
    ServiceUnavailable,
    connection_cause,
)
from core.files import open_regular
from core.jobs import submit_job
from core.models import Job
from media.models import LibraryFile
from reading import conversions
from reading.files import real_path
from reading.models import Device, DeviceKind, MailSecurity, MailSettings
from reading.names import download_name, safe_file_name
from reading.serving import content_type_for
from reading.visibility import visible_file

JOB_KIND = "reading.send"
TIMEOUT_SECONDS = 30
KINDLE_LIMIT_MB = 50  # Send-to-Kindle's limit for one document
CHOOSABLE_FORMATS = ("epub", "kepub", "azw3", "pdf")
# What a device takes as it is when the wanted format cannot be made (e.g. a PDF: calibre does not
# convert from PDF here).
ACCEPTED_AS_IS = {
    DeviceKind.KINDLE: frozenset({"epub", "pdf", "docx", "txt", "rtf"}),
    DeviceKind.KOBO: frozenset({"kepub", "epub", "pdf", "cbz"}),
    DeviceKind.POCKETBOOK: frozenset({"epub", "pdf", "fb2", "mobi", "azw3", "djvu", "txt", "rtf", "docx", "cbz",
                                      "cbr"}),
}


def not_set_up() -> ConfigurationError:
    return ConfigurationError("Sending by e-mail is not set up",
                              hint="An admin sets the mail server under Settings > E-mail.")


# --- SMTP settings -----------------------------------------------------------------------------


def settings_out(row: MailSettings) -> dict:
    """The settings as pages and the API show them: never the password."""
    return {
        "host": row.host, "port": row.port, "security": row.security, "username": row.username,
        "has_password": bool(row.password), "from_address": row.from_address,
        "max_attachment_mb": row.max_attachment_mb, "configured": row.configured,
    }


def save_settings(values: dict) -> MailSettings:
    """Change what `values` names. An empty or missing password keeps the stored one;
    `clear_password` removes it."""
    row = MailSettings.load()
    for field in ("host", "port", "security", "username", "from_address", "max_attachment_mb"):
        if values.get(field) is not None:
            setattr(row, field, values[field].strip() if isinstance(values[field], str) else values[field])
    if values.get("password"):
        row.password = values["password"]
    elif values.get("clear_password"):
        row.password = ""
    try:
        row.full_clean()
    except ValidationError as exc:
        raise InvalidInput("Mail settings not saved", hint=_errors(exc)) from exc
    row.save()
    return row


def _errors(exc: ValidationError) -> str:
    return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items())


def backend(row: MailSettings) -> EmailBackend:
    return EmailBackend(
        host=row.host, port=row.port, username=row.username, password=row.password,
        use_tls=row.security == MailSecurity.STARTTLS, use_ssl=row.security == MailSecurity.SSL,
        timeout=TIMEOUT_SECONDS, fail_silently=False,
    )


def deliver(row: MailSettings, message: EmailMessage) -> None:
    """Send one message through the stored server; SMTP failures become errors that say whether
    trying again can help."""
    if not row.configured:
        raise not_set_up()
    server = f"The mail server {row.host}:{row.port}"
    message.from_email = row.from_address
    try:
        with backend(row) as connection:
            connection.send_messages([message])
    except smtplib.SMTPAuthenticationError as exc:
        raise AuthenticationFailed(f"{server} refused the user name or password",
                                   hint="Check them under Settings > E-mail.") from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise InvalidInput(f"{server} refused the address {', '.join(exc.recipients)}",
                           hint="Check the device's e-mail address.") from exc
    except smtplib.SMTPSenderRefused as exc:
        if exc.smtp_code == 530:  # "Must issue a STARTTLS command first" / "Authentication required"
            raise ConfigurationError(f"{server} wants STARTTLS or a log-in first: {_reply(exc)}",
                                     hint="Set the security, user name and password under Settings > E-mail.") from exc
        raise ConfigurationError(f"{server} refused the sender {row.from_address}: {_reply(exc)}",
                                 hint="Use an address this server may send from.") from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise ConfigurationError(f"{server} does not offer {row.get_security_display()} or log-in",
                                 hint="Choose another security setting under Settings > E-mail.") from exc
    except smtplib.SMTPResponseException as exc:
        if exc.smtp_code == 552:
            raise InvalidInput(f"{server} refused the mail as too large: {_reply(exc)}",
                               hint="Lower the mail size limit, or download the book instead.") from exc
        if 500 <= exc.smtp_code < 600:
            raise ConfigurationError(f"{server} refused the mail: {_reply(exc)}") from exc
        raise ServiceUnavailable(f"{server} deferred the mail: {_reply(exc)}") from exc
    except ssl.SSLError as exc:
        raise ConfigurationError(f"{server}: the TLS handshake failed ({exc.reason or exc})",
                                 hint="Check the security setting (STARTTLS or SSL/TLS) and the port.") from exc
    except (smtplib.SMTPException, OSError) as exc:
        cause, hint = connection_cause(exc)
        raise ServiceUnavailable(f"{server} cannot be reached: {cause}", hint=hint) from exc


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return f"{exc.smtp_code} {text}".strip()


def send_test(to_address: str) -> str:
    """A short test mail to `to_address`, now. Returns what to tell the admin."""
    _check_address(to_address)
    row = MailSettings.load()
    deliver(row, EmailMessage(
        subject="OmniReadarr test mail",
        body="This is a test mail from OmniReadarr. Books sent to your e-readers go out the same way.",
        to=[to_address],
    ))
    return f"Test mail sent to {to_address} through {row.host}:{row.port}."


def _check_address(address: str) -> None:
    try:
        validate_email(address)
    except ValidationError as exc:
        raise InvalidInput(f"Not an e-mail address: {address!r}") from exc


# --- devices -----------------------------------------------------------------------------------


def device_out(device: Device) -> dict:
    return {"id": device.pk, "name": device.name, "email": device.email, "kind": device.kind,
            "format": device.format, "sends_as": wanted_format(device, None)}


def own_device(user, device_id: int) -> Device:
    device = Device.objects.filter(pk=device_id, user=user).first()
    if device is None:
        raise NotFound(f"No device {device_id}")
    return device


def save_device(user, device_id: int | None, values: dict) -> Device:
    device = Device(user=user) if device_id is None else own_device(user, device_id)
    for field in ("name", "email", "kind", "format"):
        if values.get(field) is not None:
            setattr(device, field, values[field].strip())
    if device.format not in CHOOSABLE_FORMATS:
        raise InvalidInput(f"Cannot send as {device.format!r}", hint=f"Choose one of {', '.join(CHOOSABLE_FORMATS)}")
    try:
        device.full_clean(exclude=["user"], validate_unique=False)
        device.save()
    except ValidationError as exc:
        raise InvalidInput("Device not saved", hint=_errors(exc)) from exc
    except IntegrityError as exc:
        raise InvalidInput(f"You have a device named {device.name!r} already") from exc
    return device


def delete_device(user, device_id: int) -> None:
    own_device(user, device_id).delete()


# --- sending -----------------------------------------------------------------------------------


def wanted_format(device: Device, library_file: LibraryFile | None) -> str:
    """The format a device gets: KEPUB for a Kobo only when it can be made from this file."""
    if device.kind == DeviceKind.OTHER:
        return device.format
    if device.kind == DeviceKind.KOBO:
        kepub_possible = library_file is None or library_file.format == "kepub" or (
            "kepub" in conversions.targets_for(library_file))
        return "kepub" if kepub_possible else "epub"
    return "epub"


@dataclass(frozen=True)
class Plan:
    format: str
    convert: bool  # False: the file goes as it is


def plan(device: Device, library_file: LibraryFile) -> Plan:
    wanted = wanted_format(device, library_file)
    if library_file.format == wanted:
        return Plan(wanted, convert=False)
    if wanted in conversions.targets_for(library_file):
        return Plan(wanted, convert=True)
    if library_file.format in ACCEPTED_AS_IS.get(device.kind, ()):
        return Plan(library_file.format, convert=False)
    raise InvalidInput(f"A {library_file.format.upper()} file cannot be sent to {device.name} as {wanted.upper()}",
                       hint="Download it instead, or choose another format for the device.")


def limit_bytes(device: Device, row: MailSettings) -> int:
    limit_mb = row.max_attachment_mb
    if device.kind == DeviceKind.KINDLE:
        limit_mb = min(limit_mb, KINDLE_LIMIT_MB)
    return limit_mb * 1024 * 1024


def _check_size(size: int, device: Device, row: MailSettings, fmt: str) -> None:
    limit = limit_bytes(device, row)
    if size > limit:
        kindle = " (a Kindle takes at most 50 MB)" if limit < row.max_attachment_mb * 1024 * 1024 else ""
        raise InvalidInput(
            f"The book is {size / 1024 / 1024:.1f} MB as {fmt.upper()}, over the {limit // 1024 // 1024} MB "
            f"mail limit{kindle}",
            hint="Download it instead, or raise the limit under Settings > E-mail if your mail server takes more.",
        )


def request_send(user, library_file: LibraryFile, device_id: int) -> Job:
    """Check what can be checked now (set up, own device, format, size of a file sent as it is),
    then queue the send job. `library_file` is one the user may see (the caller asked)."""
    device = own_device(user, device_id)
    row = MailSettings.load()
    if not row.configured:
        raise not_set_up()
    chosen = plan(device, library_file)
    if not chosen.convert:
        _check_size(library_file.size, device, row, chosen.format)
    return submit_job(
        JOB_KIND,
        target=f"file:{library_file.pk}:device:{device.pk}",
        params={"file_id": library_file.pk, "device_id": device.pk},
        user=user,
    )


def send_book(file_id: int, device_id: int, progress=None) -> dict:
    """The job's work: convert if needed (through the cache), then mail the book to the device.
    The device's owner must still see the file (their libraries may have changed meanwhile)."""
    device = Device.objects.select_related("user").filter(pk=device_id).first()
    if device is None:
        return {"skipped": "the device was removed"}
    library_file = visible_file(device.user, file_id)
    if library_file is None:
        return {"skipped": "the file is no longer in the library"}
    row = MailSettings.load()
    if not row.configured:
        raise not_set_up()
    chosen = plan(device, library_file)
    path = _book_path(library_file, chosen, progress)
    size = path.stat().st_size
    _check_size(size, device, row, chosen.format)
    name = _attachment_name(library_file, chosen)
    if progress is not None:
        progress(95, f"Mailing {name} to {device.name}")
    with open_regular(path) as handle:
        data = handle.read()
    message = EmailMessage(subject=PurePosixPath(name).stem, body=f"{name}, sent by OmniReadarr.", to=[device.email])
    message.attach(name, data, content_type_for(name))
    deliver(row, message)
    return {"device": device.name, "file_name": name, "format": chosen.format, "size": size}


def _book_path(library_file: LibraryFile, chosen: Plan, progress=None) -> Path:
    if not chosen.convert:
        return real_path(library_file)
    ready = conversions.converted_file(library_file, chosen.format)
    if ready is None:
        conversions.convert_into_cache(library_file.pk, chosen.format, progress=progress)
        ready = conversions.converted_file(library_file, chosen.format)
    if ready is None:
        raise ServiceUnavailable("The converted book left the cache before it could be sent", hint="Send it again.")
    return ready


def _attachment_name(library_file: LibraryFile, chosen: Plan) -> str:
    name = download_name(library_file)
    if not chosen.convert:
        return name
    return safe_file_name(PurePosixPath(name).stem, conversions.extension(chosen.format))
