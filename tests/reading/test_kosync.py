"""KOReader progress sync: a recorded KOReader session (tests/fixtures/kosync/session.json, written
from the protocol's public description) replayed against /kosync/, KOReader's document digest
checked against KOReader's own known answers, and the mapping of positions onto our books."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from django.test import Client

from reading import digests, kosync, progress
from reading.models import FileDigest, KosyncKey, ReadingProgress
from tests.reading.library import add_book, limit_to

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "kosync"
SYNC_KEY = "a-long-sync-key-42"
KEY_MD5 = hashlib.md5(SYNC_KEY.encode()).hexdigest()
UNKNOWN = "0123456789abcdef0123456789abcdef"


def _fill(value, names: dict[str, str]):
    if isinstance(value, str):
        for name, real in names.items():
            value = value.replace("{" + name + "}", real)
        return value
    if isinstance(value, dict):
        return {k: _fill(v, names) for k, v in value.items()}
    return value


def _replay(client: Client, step: dict, names: dict[str, str]):
    request = _fill(step["request"], names)
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in request["headers"].items()}
    body = json.dumps(request["json"]) if "json" in request else None
    call = getattr(client, request["method"].lower())
    kwargs = {"data": body, "content_type": "application/json"} if body is not None else {}
    return call("/kosync" + request["path"], **kwargs, **headers)


def _matches(expected, actual) -> bool:
    if expected == "<int>":
        return isinstance(actual, int) and not isinstance(actual, bool)
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and expected.keys() == actual.keys()
            and all(_matches(v, actual[k]) for k, v in expected.items())
        )
    return expected == actual


def _kosync_headers(username="reader", key_md5=KEY_MD5) -> dict:
    return {"HTTP_X_AUTH_USER": username, "HTTP_X_AUTH_KEY": key_md5, "HTTP_ACCEPT": "application/vnd.koreader.v1+json"}


def _push(client, document, percentage, progress_text, device="Kobo", **headers):
    body = {
        "document": document,
        "progress": progress_text,
        "percentage": percentage,
        "device": device,
        "device_id": "D1",
    }
    return client.put(
        "/kosync/syncs/progress",
        data=json.dumps(body),
        content_type="application/json",
        **(headers or _kosync_headers()),
    )


def _pull(client, document, **headers):
    return client.get(f"/kosync/syncs/progress/{document}", **(headers or _kosync_headers()))


@pytest.mark.parametrize(
    "sample", json.loads((FIXTURES / "koreader_partial_md5.json").read_text())["files"], ids=lambda s: s["name"]
)
def test_the_document_digest_is_koreaders_partial_md5(tmp_path, sample):
    """KOReader's spec/unit/util_spec.lua hashes these two files of koreader/test-data; the fixture
    keeps the bytes partialMD5 reads, which this rebuilds at the original size."""
    path = tmp_path / sample["name"]
    with path.open("wb") as handle:
        handle.truncate(sample["size"])
        for part in sample["samples"]:
            handle.seek(part["offset"])
            handle.write(base64.b64decode(part["base64"]))
    assert digests.partial_md5(path) == sample["partial_md5"]


def test_a_recorded_koreader_session_pushes_and_pulls_progress(reader_user, libraries):
    kosync.set_key(reader_user, SYNC_KEY)
    document = digests.partial_md5(Path(libraries.open_file.path))
    names = {"KEY": KEY_MD5, "DOC": document, "UNKNOWN": UNKNOWN}
    session = json.loads((FIXTURES / "session.json").read_text())
    client = Client()
    for step in session["steps"]:
        response = _replay(client, step, names)
        expected = _fill(step["response"], names)
        assert response.status_code == expected["status"], (step["name"], response.content)
        assert response["Content-Type"].startswith("application/json"), step["name"]
        assert _matches(expected["json"], response.json()), (step["name"], response.json())
    row = ReadingProgress.objects.get(user=reader_user, item=libraries.open_item)
    assert row.locator == {"xpointer": "/body/DocFragment[2]/body/p[1]/text().0"}
    assert row.percent == pytest.approx(22) and row.device == "PocketBook Era" and row.status == "reading"
    assert row.file_id == libraries.open_file.pk


def test_only_a_hash_of_the_sync_key_is_stored_and_it_is_not_the_password(reader_user, reader_client):
    shown = reader_client.post("/api/reading/koreader-key", data="{}", content_type="application/json").json()["data"]
    stored = KosyncKey.objects.get(user=reader_user)
    md5 = hashlib.md5(shown["key"].encode()).hexdigest()
    assert shown["username"] == "reader" and len(shown["key"]) >= 16
    assert shown["key"] not in stored.key_hash and md5 not in stored.key_hash
    assert Client().get("/kosync/users/auth", **_kosync_headers(key_md5=md5)).status_code == 200
    password_md5 = hashlib.md5(b"pw-reader-123").hexdigest()
    assert Client().get("/kosync/users/auth", **_kosync_headers(key_md5=password_md5)).status_code == 401
    assert "not shown again" in reader_client.get("/account/koreader/").content.decode()
    reader_client.delete("/api/reading/koreader-key")
    assert Client().get("/kosync/users/auth", **_kosync_headers(key_md5=md5)).status_code == 401


def test_a_deactivated_user_cannot_sync(reader_user, libraries):
    kosync.set_key(reader_user, SYNC_KEY)
    reader_user.is_active = False
    reader_user.save()
    response = _push(Client(), UNKNOWN, 0.5, "3")
    assert response.status_code == 401 and response.json() == {"code": 2001, "message": "Unauthorized"}


def test_a_newer_page_from_the_web_reader_is_what_koreader_pulls(reader_user, libraries):
    kosync.set_key(reader_user, SYNC_KEY)
    pdf = add_book(libraries.kids, "Atlas", fmt="pdf")
    document = digests.partial_md5(Path(pdf.path))
    client = Client()
    assert _push(client, document, 0.1, "5").status_code == 200
    assert ReadingProgress.objects.get(user=reader_user, item=pdf.item).locator == {"page": 5}
    progress.save_progress(reader_user, pdf.item, locator={"page": 40}, percent=80, device="web")
    body = _pull(client, document).json()
    assert body["progress"] == "40" and body["percentage"] == pytest.approx(0.8) and body["device"] == "web"


def test_file_name_matching_finds_the_book_too(reader_user, libraries):
    kosync.set_key(reader_user, SYNC_KEY)
    by_name = hashlib.md5(Path(libraries.open_file.path).name.encode()).hexdigest()
    assert _push(Client(), by_name, 0.4, "/body/DocFragment[1]").status_code == 200
    assert ReadingProgress.objects.get(user=reader_user, item=libraries.open_item).percent == pytest.approx(40)


def test_digests_are_cached_and_recomputed_when_the_file_changes(reader_user, libraries):
    kosync.set_key(reader_user, SYNC_KEY)
    first = digests.digests_of(libraries.open_file)
    path = Path(libraries.open_file.path)
    path.write_bytes(b"changed " * 500)
    libraries.open_file.size, libraries.open_file.mtime_ns = path.stat().st_size, path.stat().st_mtime_ns
    libraries.open_file.save()
    second = digests.digests_of(libraries.open_file)
    assert first.partial_md5 != second.partial_md5 == digests.partial_md5(path)
    assert FileDigest.objects.filter(file=libraries.open_file).count() == 1


def test_a_limited_reader_never_reaches_a_hidden_book_through_kosync(reader_user, libraries):
    kosync.set_key(reader_user, SYNC_KEY)
    hidden_doc = digests.partial_md5(Path(libraries.hidden_file.path))
    progress.save_progress(reader_user, libraries.hidden_item, locator={"page": 9}, percent=9, device="web")
    limit_to(reader_user, libraries.kids)
    client = Client()
    assert _pull(client, hidden_doc).json() == {}  # the old web position of a now-hidden book is not told
    assert _push(client, hidden_doc, 0.7, "/body/x").status_code == 200  # kept as an unknown document
    row = ReadingProgress.objects.get(user=reader_user, item=libraries.hidden_item)
    assert row.percent == 9 and row.locator == {"page": 9}  # the hidden book's progress is untouched
    body = _pull(client, hidden_doc).json()
    assert body["progress"] == "/body/x" and body["percentage"] == 0.7


def test_kosync_needs_no_csrf_token_and_is_reachable_before_setup(reader_user, settings):
    settings.WIZARD_REDIRECT = True
    kosync.set_key(reader_user, SYNC_KEY)
    client = Client(enforce_csrf_checks=True)
    assert client.get("/kosync/users/auth", **_kosync_headers()).status_code == 200
    assert _push(client, UNKNOWN, 0.5, "7").status_code == 200
