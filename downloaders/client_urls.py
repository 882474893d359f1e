"""The addresses people type for a download client, made into url + URL base (+ API key):
`host:port`, `host`, `http://host:port/sabnzbd`, or an API URL pasted from the browser
(`http://host:8080/sabnzbd/api?mode=queue&apikey=KEY`). Pure: no Django, no network."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from core.errors import InvalidInput
from core.text import mask_secret, valid_host

__all__ = ["ClientAddress", "display_url", "mask_secret", "parse_client_url"]

_BASE_PATH = re.compile(r"^(/[\w.~%-]+)*$")
EXAMPLE = "e.g. 192.168.1.10:8080 or http://192.168.1.10:8080/sabnzbd"


@dataclass(frozen=True)
class ClientAddress:
    url: str  # scheme://host[:port]
    base_path: str = ""  # "/sabnzbd" or ""
    api_key: str = ""  # found in a pasted API URL


def parse_client_url(text: str, *, default_port: int | None = None) -> ClientAddress:
    raw = text.strip()
    if not raw:
        raise InvalidInput(f"Enter the client's address ({EXAMPLE}).")
    typed_scheme = "://" in raw
    parts = urlsplit(raw if typed_scheme else "http://" + raw)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise InvalidInput(f"{raw!r}: the address must start with http:// or https:// ({EXAMPLE}).")
    if parts.username or parts.password:
        raise InvalidInput("Put the user name and password in their own fields, not in the address.")
    host = parts.hostname
    if not host or any(c.isspace() for c in host):
        raise InvalidInput(f"{raw!r} has no host name ({EXAMPLE}).")
    if not valid_host(host):
        raise InvalidInput(f"{host!r} is not a valid host name or address.")
    try:
        port = parts.port
    except ValueError as exc:
        raise InvalidInput(f"{raw!r}: the port must be a number from 1 to 65535.") from exc
    if port is None and not typed_scheme:
        port = default_port
    path, query = parts.path.rstrip("/"), parse_qs(parts.query)
    if path.endswith("/api"):  # a pasted API URL: the URL base is what comes before /api
        path = path[: -len("/api")]
    if not _BASE_PATH.match(path) or any(segment in (".", "..") for segment in path.split("/")):
        raise InvalidInput(f"{path!r} is not a usable URL base: letters, digits, '.', '-', '_' between slashes.")
    netloc = f"[{host}]" if ":" in host else host
    netloc += f":{port}" if port else ""
    return ClientAddress(f"{scheme}://{netloc}", path, (query.get("apikey") or [""])[0].strip())


def display_url(url: str, base_path: str) -> str:
    """What the forms show: the address with its URL base, never with a key."""
    return url.rstrip("/") + base_path
