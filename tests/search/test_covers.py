"""Cover management: candidates (current, earlier, provider URLs), choosing one, fetching
from a URL on a local HTTP server, uploading; bad input is refused with a clear message
and nothing changed; a chosen cover is locked, survives a forced refresh and can be reverted."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from media.covers import cover_file, store_image
from media.models import MediaItem
from search.models import FieldCandidate, MetadataChange, ResolvedField
from search.services import record_candidates, revert_change
from search.services.covers import set_cover_from_upload
from search.services.enrich import enrich_items

pytestmark = pytest.mark.django_db


def jpeg(width: int, height: int, colour=(200, 30, 30)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "JPEG")
    return buffer.getvalue()


BIG, OTHER, SMALL = jpeg(400, 600), jpeg(500, 750, (10, 90, 200)), jpeg(100, 150)
FILES = {"/big.jpg": ("image/jpeg", BIG), "/small.jpg": ("image/jpeg", SMALL),
         "/page.html": ("text/html", b"<html><body>not a cover</body></html>")}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        kind, body = FILES.get(self.path, ("text/plain", b""))
        self.send_response(200 if self.path in FILES else 404)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def images(settings):
    settings.COVER_FETCH_ALLOW_PRIVATE = True  # the test image server is on 127.0.0.1
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def reader(reader_user):
    other = Client()
    other.force_login(reader_user)
    return other


def make_item(title="Use of Weapons") -> MediaItem:
    extracted = store_image(jpeg(320, 480, (30, 160, 30)), "jpg")  # what a scan extracted
    return MediaItem.objects.create(title=title, sort_title=title, cover_path=extracted)


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_fetch_from_url_sets_locks_and_keeps_the_previous_file(admin_client, images):
    item = make_item()
    extracted = item.cover_path
    response = post(admin_client, f"/api/media/{item.pk}/cover", {"url": f"{images}/big.jpg"})
    assert response.status_code == 200, response.json()
    data = response.json()["data"]
    item.refresh_from_db()
    assert item.cover_path != extracted and cover_file(item.cover_path).read_bytes() == BIG
    assert cover_file(extracted) is not None  # nothing deleted
    assert data["locked"] and data["cover_path"] == item.cover_path
    kinds = {c["kind"] for c in data["candidates"]}
    assert kinds == {"current", "local"}
    change = MetadataChange.objects.get(item=item, field="cover")
    assert (change.old_value, change.new_value, change.reason) == (extracted, item.cover_path, "manual")
    assert admin_client.get(f"/covers/{item.pk}/thumb").status_code == 200
    earlier = next(c for c in data["candidates"] if c["kind"] == "local")
    shown = admin_client.get(earlier["url"])
    assert shown.status_code == 200 and b"".join(shown.streaming_content) == Path(cover_file(extracted)).read_bytes()


@pytest.mark.parametrize(("path", "status", "message"), [
    ("/small.jpg", 422, "too small (100x150 px)"),
    ("/page.html", 422, "not an image"),
    ("/missing.jpg", 422, "Cannot download the cover"),
])
def test_bad_urls_are_refused_and_nothing_changes(admin_client, images, path, status, message):
    item = make_item()
    before = item.cover_path
    response = post(admin_client, f"/api/media/{item.pk}/cover", {"url": images + path})
    assert response.status_code == status
    assert message in response.json()["error"]
    item.refresh_from_db()
    assert item.cover_path == before and cover_file(before) is not None
    assert not MetadataChange.objects.filter(item=item).exists()


@pytest.mark.parametrize(("url", "status", "message"), [
    ("file:///etc/passwd", 422, "not an http(s) URL"),
    ("ftp://example.org/a.jpg", 422, "not an http(s) URL"),
    ("http://127.0.0.1:9/cover.jpg", 503, "Cannot download the cover"),  # nothing listens there
])
def test_unreachable_and_non_http_urls(admin_client, settings, url, status, message):
    settings.COVER_FETCH_ALLOW_PRIVATE = True  # "unreachable" is simulated on 127.0.0.1
    item = make_item()
    response = post(admin_client, f"/api/media/{item.pk}/cover", {"url": url})
    assert response.status_code == status and message in response.json()["error"]
    assert not MetadataChange.objects.filter(item=item).exists()


def test_upload_and_its_validation(admin_client, reader):
    item = make_item()
    url = f"/api/media/{item.pk}/cover/upload"
    upload = SimpleUploadedFile("c.jpg", OTHER, content_type="image/jpeg")
    assert reader.post(url, {"file": upload}).status_code == 403
    bad = admin_client.post(url, {"file": SimpleUploadedFile("c.jpg", b"GIF89a garbage")})
    assert bad.status_code == 422 and "not an image" in bad.json()["error"]
    small = admin_client.post(url, {"file": SimpleUploadedFile("c.jpg", SMALL)})
    assert small.status_code == 422 and "too small" in small.json()["error"]
    ok = admin_client.post(url, {"file": SimpleUploadedFile("c.jpg", OTHER, content_type="image/jpeg")})
    assert ok.status_code == 200, ok.json()
    item.refresh_from_db()
    assert cover_file(item.cover_path).read_bytes() == OTHER


def test_candidates_revert_and_choosing_an_earlier_cover(admin_client, reader, images):
    item = make_item()
    extracted = item.cover_path
    record_candidates(item, "openlibrary", {"cover": f"{images}/big.jpg"}, 0.9)
    listed = reader.get(f"/api/media/{item.pk}/covers").json()["data"]  # readers may look
    provider = next(c for c in listed["candidates"] if c["kind"] == "provider")
    assert provider["url"] == f"{images}/big.jpg" and provider["source"]
    assert post(reader, f"/api/media/{item.pk}/cover", {"candidate_id": provider["id"]}).status_code == 403
    assert post(admin_client, f"/api/media/{item.pk}/cover", {"candidate_id": provider["id"]}).status_code == 200
    set_cover_from_upload(item, OTHER)
    item.refresh_from_db()
    assert cover_file(item.cover_path).read_bytes() == OTHER

    latest = MetadataChange.objects.filter(item=item, field="cover").first()
    revert_change(latest.pk)  # back to the provider image
    item.refresh_from_db()
    assert cover_file(item.cover_path).read_bytes() == BIG
    first = MetadataChange.objects.filter(item=item, field="cover").order_by("id").first()
    response = post(admin_client, f"/api/media/changes/{first.pk}/revert", {})
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.cover_path == extracted  # the extracted cover is back

    listed = admin_client.get(f"/api/media/{item.pk}/covers").json()["data"]["candidates"]
    big = next(c for c in listed if c["kind"] == "local" and admin_client.get(c["url"]).getvalue() == BIG)
    assert post(admin_client, f"/api/media/{item.pk}/cover", {"candidate_id": big["id"]}).status_code == 200
    item.refresh_from_db()
    assert cover_file(item.cover_path).read_bytes() == BIG
    missing = post(admin_client, f"/api/media/{item.pk}/cover", {"candidate_id": "file-0000"})
    assert missing.status_code == 404
    assert admin_client.get(f"/library/{item.pk}/covers/..%2F..%2Fetc%2Fpasswd").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_forced_refresh_does_not_replace_a_chosen_cover(live_providers):
    item = MediaItem.objects.create(title="use of weapons", sort_title="use of weapons")
    record_candidates(item, "embedded_epub", {"title": "use of weapons", "authors": ["Banks, Iain"],
                                              "isbn13": "9780316030571"}, 0.8)
    set_cover_from_upload(item, OTHER)
    chosen = MediaItem.objects.get(pk=item.pk).cover_path
    enrich_items([item.pk], force=True)
    item.refresh_from_db()
    assert item.title == "Use of Weapons"  # the refresh did run
    assert FieldCandidate.objects.filter(item=item, field="cover", source__name="openlibrary").exists()
    assert item.cover_path == chosen
    state = ResolvedField.objects.get(item=item, field="cover")
    assert state.locked and state.value == chosen and state.source.name == "manual"
    assert Path(settings.DATA_DIR, chosen).read_bytes() == OTHER


def test_detail_page_has_the_cover_panel_and_only_admins_get_the_tools(admin_client, reader):
    item = make_item()
    admin_page = admin_client.get(f"/library/{item.pk}/").content.decode()
    reader_page = reader.get(f"/library/{item.pk}/").content.decode()
    assert 'id="cover-candidates"' in admin_page and 'id="cover-upload-form"' in admin_page
    assert 'id="cover-candidates"' not in reader_page and 'id="cover-upload-form"' not in reader_page  # Edit mode only


def test_urls_on_local_or_private_addresses_are_refused_by_default(admin_client, images, settings):
    settings.COVER_FETCH_ALLOW_PRIVATE = False
    item = make_item()
    before = item.cover_path
    for url in (f"{images}/big.jpg", "http://localhost/x.jpg", "http://10.1.2.3/x.jpg", "http://[::1]/x.jpg",
                "http://169.254.169.254/latest/meta-data"):
        response = post(admin_client, f"/api/media/{item.pk}/cover", {"url": url})
        assert response.status_code == 422, url
        assert "private or local address" in response.json()["error"]
    item.refresh_from_db()
    assert item.cover_path == before and not MetadataChange.objects.filter(item=item).exists()


def test_a_public_url_redirecting_to_a_private_address_is_refused_before_the_redirect(monkeypatch, settings):
    import socket

    import httpx

    from search.services import covers as cover_service

    settings.COVER_FETCH_ALLOW_PRIVATE = False
    real_getaddrinfo = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host == "covers.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 0))]
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    seen = []

    def handler(request):
        seen.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://10.0.0.5/cover.jpg"})

    with pytest.raises(cover_service.PrivateAddress):
        cover_service.fetch_image("http://covers.example/c.jpg", transport=httpx.MockTransport(handler))
    assert seen == ["http://93.184.216.34/c.jpg"]  # the address checked, see below


def test_a_cover_download_connects_to_the_address_it_checked_not_to_a_second_answer(monkeypatch, settings):
    """DNS rebinding: a name that resolves to a public address for the check and to a private
    one a moment later must not reach the private one."""
    import socket

    import httpx

    from search.services import covers as cover_service

    settings.COVER_FETCH_ALLOW_PRIVATE = False
    answers = iter(["93.184.216.34", "127.0.0.1", "127.0.0.1"])
    lookups = []

    def resolve(host, *args, **kwargs):
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), 0))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    sent = []

    def handler(request):
        sent.append(request)
        return httpx.Response(200, content=BIG)

    data = cover_service.fetch_image("https://rebind.example:8443/c.jpg", transport=httpx.MockTransport(handler))
    assert data == BIG and lookups == ["rebind.example"]
    request = sent[0]
    assert request.url.host == "93.184.216.34" and request.url.port == 8443
    assert request.headers["Host"] == "rebind.example:8443"
    assert request.extensions["sni_hostname"] == "rebind.example"  # TLS checks the certificate of the name
