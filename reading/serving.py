"""Files over HTTP as download managers, e-readers and <audio> expect them: the right
Content-Type, a Content-Disposition with a readable name (RFC 6266 + RFC 5987 for non-ASCII),
ETag and Last-Modified with conditional GETs (304/412: Django's `get_conditional_response`),
single byte ranges (206 + Content-Range, 416 when unsatisfiable, If-Range), multi-range
requests answered with the whole file (RFC 9110 allows it).

The file is opened with core.files.open_regular: a FIFO, device or socket in a book's place is
refused at once (NotARegularFile, an OSError) instead of blocking the server. Size and mtime
come from the open file's fstat, so the validators describe the bytes actually sent."""

from __future__ import annotations

import io
import mimetypes
import os
import unicodedata
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from urllib.parse import quote

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from werkzeug.http import parse_range_header

from core.files import open_regular

# Formats Python's mimetypes does not know (or knows wrongly for readers); the rest falls back to it.
CONTENT_TYPES = {
    "epub": "application/epub+zip",
    "kepub": "application/kepub+zip",
    "azw3": "application/vnd.amazon.mobi8-ebook",
    "azw": "application/vnd.amazon.ebook",
    "mobi": "application/x-mobipocket-ebook",
    "pdf": "application/pdf",
    "fb2": "application/x-fictionbook+xml",
    "djvu": "image/vnd.djvu",
    "cbz": "application/vnd.comicbook+zip",
    "cbr": "application/vnd.comicbook-rar",
    "cb7": "application/x-cb7",
    "cbt": "application/x-cbt",
    "m4b": "audio/mp4",
    "m4a": "audio/mp4",
    "mp3": "audio/mpeg",
    "flac": "audio/flac",
    "ogg": "audio/ogg",
    "oga": "audio/ogg",
    "opus": "audio/ogg",
    "wav": "audio/wav",
    "aac": "audio/aac",
    "txt": "text/plain; charset=utf-8",
    "zip": "application/zip",
}
CHUNK = 64 * 1024


def content_type_for(name: str) -> str:
    """The Content-Type of a file name ('x.kepub.epub' counts as kepub)."""
    lower = name.lower()
    fmt = "kepub" if lower.endswith(".kepub.epub") else lower.rsplit(".", 1)[-1] if "." in lower else ""
    return CONTENT_TYPES.get(fmt) or mimetypes.guess_type(lower)[0] or "application/octet-stream"


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """`attachment; filename="Ascii fallback.epub"` plus `filename*=UTF-8''...` (RFC 5987) when
    the name is not plain ASCII, so old clients get a readable name and new ones the exact one."""
    disposition = "inline" if inline else "attachment"
    fallback = "".join(_ascii(c) for c in unicodedata.normalize("NFKD", filename)).strip() or "download"
    header = f'{disposition}; filename="{fallback}"'
    if fallback != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header


def _ascii(char: str) -> str:
    """Accents dropped (NFKD leaves them as combining marks), other non-ASCII as "_"."""
    if unicodedata.combining(char):
        return ""
    return char if " " <= char <= "~" and char not in '"\\' else "_"


@dataclass(frozen=True)
class Validators:
    etag: str  # quoted, strong
    last_modified: float  # seconds since the epoch

    @classmethod
    def of(cls, st: os.stat_result, salt: object = "") -> Validators:
        return cls(f'"{st.st_size:x}-{st.st_mtime_ns:x}-{salt}"', st.st_mtime)

    @property
    def http_date(self) -> str:
        return formatdate(int(self.last_modified), usegmt=True)


def with_validators(response: HttpResponse, validators: Validators) -> HttpResponse:
    response["ETag"] = validators.etag
    response["Last-Modified"] = validators.http_date
    return response


def not_modified(request: HttpRequest, validators: Validators) -> HttpResponse | None:
    """A 304 (or 412 for a failed If-Match/If-Unmodified-Since) when the client's copy is
    current; None when the body must be sent."""
    response = get_conditional_response(request, etag=validators.etag, last_modified=int(validators.last_modified))
    return with_validators(response, validators) if response is not None else None


def _range_applies(request: HttpRequest, validators: Validators) -> bool:
    """If-Range: the range is honoured only if the client's copy is this one (strong ETag or
    the exact Last-Modified date); otherwise the whole file is sent."""
    if_range = request.headers.get("If-Range")
    return if_range is None or if_range.strip() in (validators.etag, validators.http_date)


def requested_range(request: HttpRequest, size: int, validators: Validators) -> tuple[int, int] | bool | None:
    """(start, stop) of one satisfiable byte range; None: send the whole file (no Range, a
    malformed one, several ranges or an If-Range mismatch); False: unsatisfiable (416)."""
    header = request.headers.get("Range")
    if not header or request.method != "GET" or not _range_applies(request, validators):
        return None
    parsed = parse_range_header(header)
    if parsed is None or parsed.units != "bytes" or len(parsed.ranges) != 1:
        return None
    found = parsed.range_for_length(size)
    return found if found is not None else False


class _Slice:
    """`length` bytes of an open file from `start`: what a 206 streams. Only read and close (no
    fileno, seek or tell), so a server's sendfile() cannot send past the range."""

    def __init__(self, handle: io.BufferedReader, start: int, length: int) -> None:
        self._handle = handle
        self._left = length
        handle.seek(start)

    def read(self, size: int = -1) -> bytes:
        wanted = self._left if size is None or size < 0 else min(size, self._left)
        data = self._handle.read(wanted) if wanted else b""
        self._left -= len(data)
        return data

    def close(self) -> None:
        self._handle.close()


def serve_file(
    request: HttpRequest,
    path: Path | str,
    *,
    filename: str,
    salt: object = "",
    inline: bool = False,
    content_type: str | None = None,
) -> HttpResponse:
    """The response for one regular file. OSError (missing, unreadable, not a regular file)
    is left to the caller, which answers 404 without telling more than it should."""
    handle = open_regular(path)
    try:
        st = os.fstat(handle.fileno())
        validators = Validators.of(st, salt)
        early = not_modified(request, validators)
        if early is not None:
            handle.close()
            return early
        wanted = requested_range(request, st.st_size, validators)
        if wanted is False:
            handle.close()
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{st.st_size}"
            return with_validators(response, validators)
        response = _body(handle, st.st_size, wanted)
    except BaseException:
        handle.close()
        raise
    response["Content-Type"] = content_type or content_type_for(filename)
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-cache"  # revalidate: cheap with the ETag
    return with_validators(response, validators)


def _body(handle: io.BufferedReader, size: int, wanted: tuple[int, int] | None) -> FileResponse:
    if wanted is None:
        response = FileResponse(handle)
        response["Content-Length"] = str(size)
    else:
        start, stop = wanted
        response = FileResponse(_Slice(handle, start, stop - start), status=206)
        response["Content-Length"] = str(stop - start)
        response["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
    response.block_size = CHUNK  # read at each step of the stream, so it may be set now
    return response
