"""KOReader progress sync ("kosync"), answering as koreader-sync-server 2.1 does
(config/routes.lua, app/controllers/1/syncs_controller.lua, config/errors.lua): JSON bodies, errors
as {"code": N, "message": ...} with the same status codes. Mounted at /kosync/: point KOReader's
"Progress sync" custom server at https://<host>/kosync.

Accounts are the app's users: `x-auth-user` is the username and `x-auth-key` the MD5 of the user's
KOReader sync key (set on the KOReader page; never the log-in password). Registration through
/users/create is closed (402, code 2005), as on a server started without ENABLE_USER_REGISTRATION.

A document is kept per user as the real server keeps it (so two devices sync even books we do not
have); when it is a file of a book the user may see (reading.digests), the position also becomes
that book's progress, and the web readers' newer position of a page-based book is answered back.
Conflicts between devices: the last write wins by server time."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from reading import digests
from reading.models import KosyncKey, KosyncRecord, ReadingProgress
from reading.progress import save_progress
from reading.visibility import visible_files

PAGED_FORMATS = frozenset({"pdf", "cbz", "cbr", "zip", "rar", "djvu"})  # KOReader's progress is a page
KEY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
MIN_KEY_LENGTH = 8

ERRORS = {  # koreader-sync-server config/errors.lua
    2001: (401, "Unauthorized"),
    2003: (403, "Invalid request"),
    2004: (403, "Field 'document' not provided."),
    2005: (402, "User registration is disabled."),
}
_KEY_FIELD = re.compile(r"^[^:]+$")


class KosyncError(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _error(code: int) -> JsonResponse:
    status, message = ERRORS[code]
    return JsonResponse({"code": code, "message": message}, status=status)


def kosync_view(view):
    """CSRF-exempt (KOReader has no session; the headers are the credentials) and errors as
    the real server writes them."""

    @csrf_exempt
    def wrapped(request, *args, **kwargs):
        try:
            status, body = view(request, *args, **kwargs)
        except KosyncError as exc:
            return _error(exc.code)
        return JsonResponse(body, status=status)

    wrapped.__name__ = view.__name__
    return wrapped


# --- keys -------------------------------------------------------------------------------------


def _hash(salt: str, md5_hex: str) -> str:
    return hashlib.sha256((salt + md5_hex).encode()).hexdigest()


def set_key(user, key: str | None = None) -> str:
    """Store the user's sync key (a new random one when None) and return it, to be shown once."""
    key = key if key is not None else "".join(secrets.choice(KEY_ALPHABET) for _ in range(20))
    if len(key) < MIN_KEY_LENGTH:
        raise ValueError(f"A KOReader sync key needs at least {MIN_KEY_LENGTH} characters.")
    salt = secrets.token_hex(16)
    md5_hex = hashlib.md5(key.encode("utf-8"), usedforsecurity=False).hexdigest()
    KosyncKey.objects.update_or_create(
        user=user, defaults={"salt": salt, "key_hash": _hash(salt, md5_hex), "updated_at": timezone.now()}
    )
    return key


def remove_key(user) -> None:
    KosyncKey.objects.filter(user=user).delete()


def _authorize(request):
    """The active user named by x-auth-user whose sync key's MD5 is x-auth-key, else 2001."""
    username = request.headers.get("x-auth-user", "")
    md5_hex = request.headers.get("x-auth-key", "")
    if username and md5_hex and _KEY_FIELD.match(username):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        stored = KosyncKey.objects.filter(user=user).first() if user else None
        if stored and hmac.compare_digest(stored.key_hash, _hash(stored.salt, md5_hex)):
            return user
    raise KosyncError(2001)


# --- positions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Position:
    progress: str
    percentage: float
    device: str
    device_id: str
    timestamp: int

    def as_body(self, document: str) -> dict:
        return {
            "document": document,
            "progress": self.progress,
            "percentage": self.percentage,
            "device": self.device,
            "device_id": self.device_id,
            "timestamp": self.timestamp,
        }


def _locator(progress: str, file_format: str) -> dict:
    if file_format in PAGED_FORMATS and progress.isdigit():
        return {"page": int(progress)}
    return {"xpointer": progress}


def _from_reader(row: ReadingProgress) -> Position | None:
    """A position the web readers saved, when KOReader can go there (a page or an xpointer)."""
    locator = row.locator or {}
    if isinstance(locator.get("page"), int):
        progress = str(locator["page"])
    elif isinstance(locator.get("xpointer"), str):
        progress = locator["xpointer"]
    else:
        return None
    return Position(progress, row.percent / 100, row.device, "", int(row.updated_at.timestamp()))


def _from_record(record: KosyncRecord) -> Position:
    return Position(
        record.progress, record.percentage, record.device, record.device_id, int(record.updated_at.timestamp())
    )


def push(user, document: str, *, progress: str, percentage: float, device: str, device_id: str) -> int:
    """Keep the device's position; a visible book's progress follows. Returns the server time."""
    library_file = digests.file_for_document(visible_files(user), document)
    now = timezone.now()
    with transaction.atomic():
        if library_file is not None:
            row = save_progress(
                user,
                library_file.item,
                locator=_locator(progress, library_file.format),
                percent=percentage * 100,
                file=library_file,
                device=device,
            )
            now = row.updated_at
        KosyncRecord.objects.update_or_create(
            user=user,
            document=document,
            defaults={
                "item": library_file.item if library_file else None,
                "progress": progress[:2000],
                "percentage": percentage,
                "device": device[:100],
                "device_id": device_id[:100],
                "updated_at": now,
            },
        )
    return int(now.timestamp())


def pull(user, document: str) -> Position | None:
    """The latest position: the device's record, or the web readers' when it is newer."""
    record = KosyncRecord.objects.filter(user=user, document=document).first()
    library_file = digests.file_for_document(visible_files(user), document)
    row = ReadingProgress.objects.filter(user=user, item=library_file.item).first() if library_file else None
    if row is not None and (record is None or row.updated_at > record.updated_at):
        position = _from_reader(row)
        if position is not None:
            return position
    return _from_record(record) if record else None


# --- the protocol's endpoints -------------------------------------------------------------------


def _body(request) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise KosyncError(2003) from exc
    if not isinstance(body, dict):
        raise KosyncError(2003)
    return body


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@require_http_methods(["POST"])
@kosync_view
def create_user(request):
    raise KosyncError(2005)


@require_GET
@kosync_view
def auth_user(request):
    _authorize(request)
    return 200, {"authorized": "OK"}


@require_http_methods(["PUT"])
@kosync_view
def update_progress(request):
    user = _authorize(request)
    body = _body(request)
    document = body.get("document")
    if not isinstance(document, str) or not _KEY_FIELD.match(document) or len(document) > 64:
        raise KosyncError(2004)
    percentage, progress, device = _number(body.get("percentage")), body.get("progress"), body.get("device")
    if (
        percentage is None
        or not 0 <= percentage <= 1
        or not isinstance(progress, str | int | float)
        or not isinstance(device, str)
    ):
        raise KosyncError(2003)
    device_id = body.get("device_id")
    timestamp = push(
        user,
        document,
        progress=str(progress),
        percentage=percentage,
        device=device,
        device_id=device_id if isinstance(device_id, str) else "",
    )
    return 200, {"document": document, "timestamp": timestamp}


@require_GET
@kosync_view
def get_progress(request, document: str):
    user = _authorize(request)
    if not _KEY_FIELD.match(document) or len(document) > 64:
        raise KosyncError(2004)
    position = pull(user, document)
    return 200, position.as_body(document) if position else {}


@require_GET
@kosync_view
def healthcheck(request):
    return 200, {"state": "OK"}
