"""Cover management of one item: list the candidates (current cover, earlier local covers,
provider cover URLs) and set the cover from a candidate, a URL or an uploaded image.

A chosen cover is a 'manual' candidate of the 'cover' field (it always wins, the field is
locked against refreshes, the change is in the history and can be reverted). Covers are
content-addressed: nothing is deleted, the previous cover file stays where it was."""

from __future__ import annotations

import hashlib
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from core.errors import InvalidInput, NotFound, OmniError, ServiceUnavailable
from core.files import read_limited
from core.http import HttpClient, HttpConfig
from media import covers as media_covers
from media.models import MediaItem
from search.merge import MANUAL_SOURCE
from search.models import FieldCandidate, MetadataChange, ResolvedField
from search.services.candidates import lock_field, record_candidates
from search.services.cover_images import MAX_COVER_BYTES, validate_image


@dataclass(frozen=True)
class CoverCandidate:
    id: str
    kind: str  # current | local | provider
    source: str
    url: str  # where the browser can show it
    current: bool = False


def is_local_cover(value: object) -> bool:
    return isinstance(value, str) and "://" not in value and media_covers.cover_file(value) is not None


def _local_id(relative: str) -> str:
    return "file-" + hashlib.sha256(relative.encode()).hexdigest()[:16]


def _local_paths(item: MediaItem) -> list[tuple[str, str]]:
    """(path, source) of every stored cover this item has had: current, candidates, history."""
    found: dict[str, str] = {}
    if item.cover_path:
        found[item.cover_path] = "current"
    for value, source in FieldCandidate.objects.filter(item=item, field="cover").values_list("value", "source__name"):
        if is_local_cover(value):
            found.setdefault(value, source)
    for old, new in MetadataChange.objects.filter(item=item, field="cover").values_list("old_value", "new_value"):
        for value in (old, new):
            if is_local_cover(value):
                found.setdefault(value, "history")
    return [(p, s) for p, s in found.items() if media_covers.cover_file(p) is not None]


def list_candidates(item: MediaItem) -> list[CoverCandidate]:
    out = []
    for path, source in _local_paths(item):
        current = path == item.cover_path
        cid = _local_id(path)
        out.append(CoverCandidate(cid, "current" if current else "local", source,
                                  reverse("cover-candidate", args=[item.pk, cid]), current))
    rows = FieldCandidate.objects.filter(item=item, field="cover").select_related("source").order_by("-confidence")
    for row in rows:
        if isinstance(row.value, str) and urlsplit(row.value).scheme in ("http", "https"):
            out.append(CoverCandidate(f"fc-{row.pk}", "provider", row.source.label, row.value))
    return out


def local_candidate_file(item: MediaItem, candidate_id: str):
    """The file of a local candidate (only paths the item really had: never a path from a request)."""
    for path, _ in _local_paths(item):
        if _local_id(path) == candidate_id:
            return media_covers.cover_file(path)
    return None


def check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"{url[:200]!r} is not an http(s) URL", hint="e.g. https://covers.openlibrary.org/...")
    return url


class PrivateAddress(InvalidInput):
    code = "private_address"


def _public_address(host: str) -> str:
    """The address to connect to for `host`, refusing hosts that are, or resolve to, loopback,
    private, link-local or otherwise non-public addresses: a cover URL must not reach the
    server's own network (SSRF)."""
    try:
        addresses = [info[4][0].split("%", 1)[0] for info in socket.getaddrinfo(host, None)]  # no IPv6 scope
    except (socket.gaierror, UnicodeError) as exc:
        raise InvalidInput(f"Cannot resolve {host!r}", hint="Check the address.") from exc
    for address in addresses:
        ip = ipaddress.ip_address(address)
        if not ip.is_global:
            raise PrivateAddress(
                f"{host} is a private or local address ({ip}): cover downloads only reach public sites",
                hint="Set OMNI_COVER_FETCH_ALLOW_PRIVATE=true to allow servers on your own network.",
            )
    if not addresses:
        raise InvalidInput(f"Cannot resolve {host!r}", hint="Check the address.")
    return addresses[0]


class PublicOnlyTransport(httpx.BaseTransport):
    """Checks every request, redirects included, before it leaves, and connects to the very
    address it checked: a name resolved a second time could answer differently (DNS
    rebinding). The request keeps its Host header, and TLS its server name, so certificates
    are still checked against the host of the URL."""

    def __init__(self, inner: httpx.BaseTransport | None = None) -> None:
        self._inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        address = _public_address(host)
        if address != host:
            request.url = request.url.copy_with(host=address)
            request.extensions = {**request.extensions, "sni_hostname": host}
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


def fetch_image(url: str, *, transport=None) -> bytes:
    url = check_url(url)
    config = HttpConfig(base_url="", service="Cover download", timeout=15.0, retries=0)
    if not settings.COVER_FETCH_ALLOW_PRIVATE:
        transport = PublicOnlyTransport(transport)
    try:
        with HttpClient(config, transport=transport) as client:
            return client.get_bytes(url, max_bytes=MAX_COVER_BYTES)
    except PrivateAddress:
        raise
    except ServiceUnavailable as exc:
        raise ServiceUnavailable(f"Cannot download the cover from {url}: {exc.message}",
                                 hint="Check the address and that the site is reachable.") from exc
    except OmniError as exc:
        raise InvalidInput(f"Cannot download the cover from {url}: {exc.message}") from exc


def _pin_current(item: MediaItem) -> None:
    """Make the history's 'old value' the cover shown now, so a revert brings it back."""
    state = ResolvedField.objects.filter(item=item, field="cover").first()
    if state is not None and item.cover_path and state.value != item.cover_path:
        state.value, state.source = item.cover_path, None
        state.save(update_fields=["value", "source"])


@transaction.atomic
def _use(item: MediaItem, data: bytes, *, what: str, user) -> MediaItem:
    extension = validate_image(data, what=what)
    relative = media_covers.store_image(data, extension)
    item = MediaItem.objects.select_for_update().get(pk=item.pk)  # never a stale cover_path
    _pin_current(item)
    record_candidates(item, MANUAL_SOURCE, {"cover": relative}, 1.0, user=user)
    lock_field(item, "cover", locked=True)
    item.refresh_from_db()
    media_covers.make_thumbnail(item.cover_path)
    return item


def set_cover_from_url(item: MediaItem, url: str, *, user=None, transport=None) -> MediaItem:
    data = fetch_image(url, transport=transport)
    return _use(item, data, what=f"The image at {url}", user=user)


def set_cover_from_upload(item: MediaItem, data: bytes, *, user=None) -> MediaItem:
    return _use(item, data, what="The uploaded file", user=user)


def _read_stored(path) -> bytes:
    """A stored cover's bytes, no more than a cover may have (one byte more: validate_image says it is too big)."""
    try:
        return read_limited(path, MAX_COVER_BYTES + 1)
    except OSError as exc:
        raise InvalidInput(f"The earlier cover cannot be read: {exc.strerror or exc}") from exc


def set_cover_from_candidate(item: MediaItem, candidate_id: str, *, user=None, transport=None) -> MediaItem:
    for candidate in list_candidates(item):
        if candidate.id != candidate_id:
            continue
        if candidate.kind == "provider":
            return set_cover_from_url(item, candidate.url, user=user, transport=transport)
        path = local_candidate_file(item, candidate_id)
        return _use(item, _read_stored(path), what="The earlier cover", user=user)
    raise NotFound(f"Item #{item.pk} has no cover candidate {candidate_id!r}")
