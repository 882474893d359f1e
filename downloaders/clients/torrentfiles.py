"""Info hashes of .torrent files and magnet links, shared by the torrent clients.

The v1 info hash is the SHA-1 of the `info` dictionary exactly as it is written in the file,
so this walks the bencoding to find that span instead of decoding and re-encoding (which
changes the bytes of a non-canonical file). It is a few lines, hence no library."""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import parse_qs, urlsplit

from core.errors import InvalidInput

_BTIH = re.compile(r"^urn:btih:([0-9a-fA-F]{40}|[A-Za-z2-7]{32})$")
_MAX_DEPTH = 64


def _skip(data: bytes, pos: int, depth: int = 0) -> int:
    """Position just after the bencoded value starting at `pos`."""
    if depth > _MAX_DEPTH:
        raise ValueError("nested too deeply")
    head = data[pos : pos + 1]
    if head == b"i":
        end = data.index(b"e", pos)
        int(data[pos + 1 : end])
        return end + 1
    if head in (b"l", b"d"):
        pos += 1
        while data[pos : pos + 1] != b"e":
            if pos >= len(data):
                raise ValueError("unterminated list or dictionary")
            pos = _skip(data, pos, depth + 1)
        return pos + 1
    if head.isdigit():
        colon = data.index(b":", pos)
        length = int(data[pos:colon])
        end = colon + 1 + length
        if end > len(data):
            raise ValueError("string runs past the end")
        return end
    raise ValueError(f"unexpected byte {head!r} at {pos}")


def _info_span(data: bytes) -> tuple[int, int]:
    if data[:1] != b"d":
        raise ValueError("not a dictionary")
    pos = 1
    while data[pos : pos + 1] != b"e":
        colon = data.index(b":", pos)
        key_end = colon + 1 + int(data[pos:colon])
        key = data[colon + 1 : key_end]
        value_end = _skip(data, key_end)
        if key == b"info":
            if data[key_end : key_end + 1] != b"d":
                raise ValueError("info is not a dictionary")
            return key_end, value_end
        pos = value_end
    raise ValueError("no info dictionary")


def info_hash_of_torrent(data: bytes) -> str:
    """The lower-case hex v1 info hash of a .torrent file; InvalidInput when it is not one."""
    try:
        start, end = _info_span(data)
    except (ValueError, IndexError) as exc:
        raise InvalidInput(f"Not a valid .torrent file ({exc})") from exc
    return hashlib.sha1(data[start:end], usedforsecurity=False).hexdigest()


def info_hash_of_magnet(url: str) -> str:
    """The lower-case hex info hash named by a magnet link's `xt=urn:btih:` (hex or base32)."""
    parts = urlsplit(url)
    if parts.scheme != "magnet":
        raise InvalidInput(f"Not a magnet link: {url[:60]!r}")
    for topic in parse_qs(parts.query).get("xt", []):
        match = _BTIH.match(topic.strip())
        if match:
            value = match.group(1)
            return value.lower() if len(value) == 40 else base64.b32decode(value.upper()).hex()
    raise InvalidInput(f"Magnet link without a BitTorrent info hash (xt=urn:btih:...): {url[:80]!r}")
