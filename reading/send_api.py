"""JSON API of "Send to e-reader": the SMTP settings (admins; the password is write-only), each
user's own devices, and sending a file the caller may see to one of their devices (a job)."""

from __future__ import annotations

from typing import Literal

from ninja import Router, Schema, Status
from pydantic import Field

from core.api.envelope import Envelope, ok
from core.api.types import Flag, Id, whole
from core.errors import NotFound
from reading import conversions, sending
from reading.models import Device, DeviceKind, MailSecurity, MailSettings
from reading.visibility import visible_file

router = Router(tags=["reading"])
Format = Literal["epub", "kepub", "azw3", "pdf"]


class MailSettingsOut(Schema):
    host: str
    port: int
    security: MailSecurity
    username: str
    has_password: bool = Field(description="The password is write-only: only whether one is stored")
    from_address: str
    max_attachment_mb: int
    configured: bool


class MailSettingsIn(Schema):
    """Every field optional: what is left out keeps its value."""

    host: str | None = Field(None, max_length=255)
    port: whole(1, 65535) | None = None  # type: ignore[valid-type]
    security: MailSecurity | None = None
    username: str | None = Field(None, max_length=255)
    password: str | None = Field(None, max_length=255, description="Empty or omitted: keep the stored one")
    clear_password: Flag = False
    from_address: str | None = Field(None, max_length=254)
    max_attachment_mb: whole(1, 200) | None = None  # type: ignore[valid-type]


class MailTestIn(Schema):
    to: str = Field(..., min_length=3, max_length=254, description="Where the test mail goes")


class MailTestOut(Schema):
    message: str


class DeviceOut(Schema):
    id: int
    name: str
    email: str
    kind: DeviceKind
    format: str = Field(description="The format an Other device gets")
    sends_as: str = Field(description="The format this device gets (a Kobo: KEPUB when it can be made, else EPUB)")


class DeviceIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    email: str = Field(..., min_length=3, max_length=254)
    kind: DeviceKind = DeviceKind.OTHER
    format: Format = "epub"


class DevicePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    email: str | None = Field(None, min_length=3, max_length=254)
    kind: DeviceKind | None = None
    format: Format | None = None


class SendIn(Schema):
    device_id: Id


class SendOut(Schema):
    job_id: int
    device: str
    state: str | None = None
    message: str = ""


@router.get("/mail-settings", response=Envelope[MailSettingsOut], summary="The SMTP server books are sent through")
def get_mail_settings(request):
    return ok(sending.settings_out(MailSettings.load()))


@router.patch("/mail-settings", response=Envelope[MailSettingsOut], summary="Change the SMTP settings (admin)")
def change_mail_settings(request, payload: MailSettingsIn):
    return ok(sending.settings_out(sending.save_settings(payload.dict(exclude_unset=True))))


@router.post("/mail-settings/test", response=Envelope[MailTestOut], summary="Send a test mail now")
def test_mail_settings(request, payload: MailTestIn):
    return ok({"message": sending.send_test(payload.to.strip())})


@router.get("/devices", response=Envelope[list[DeviceOut]], summary="Your e-readers that take books by e-mail")
def list_devices(request):
    return ok([sending.device_out(d) for d in Device.objects.filter(user=request.auth)])


@router.post("/devices", response={201: Envelope[DeviceOut]}, summary="Add an e-reader (its e-mail address)")
def create_device(request, payload: DeviceIn):
    return Status(201, ok(sending.device_out(sending.save_device(request.auth, None, payload.dict()))))


@router.patch("/devices/{int:device_id}", response=Envelope[DeviceOut], summary="Change one of your e-readers")
def update_device(request, device_id: Id, payload: DevicePatch):
    return ok(sending.device_out(sending.save_device(request.auth, device_id, payload.dict(exclude_unset=True))))


@router.delete("/devices/{int:device_id}", response=Envelope[None], summary="Remove one of your e-readers")
def delete_device(request, device_id: Id):
    sending.delete_device(request.auth, device_id)
    return ok(None)


@router.post(
    "/files/{int:file_id}/send",
    response={202: Envelope[SendOut]},
    summary="Mail a file to one of your e-readers, converted for it (a job: poll /api/jobs/{job_id})",
)
def send_file(request, file_id: Id, payload: SendIn):
    library_file = visible_file(request.auth, file_id)
    if library_file is None:
        raise NotFound(f"No file {file_id}")
    job = sending.request_send(request.auth, library_file, payload.device_id)
    state = conversions.job_state(job)
    return Status(202, ok({"job_id": job.pk, "device": sending.own_device(request.auth, payload.device_id).name,
                           "state": state["state"], "message": state["message"]}))
