"""A minimal single HTTP Range (`bytes=a-b`, `bytes=a-`, `bytes=-n`) for `file-download`, so the
audiobook player can seek (Chromium seeks a media file only when the server answers ranges).

Stop-gap written by R4 for the player until R1's download work (Range, ETag, Last-Modified,
metadata file names) is merged: replace this module by R1's."""

from __future__ import annotations

import mimetypes
import re

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) inclusive, or None to answer the whole file (no, several or a bad range)."""
    match = _RANGE.match(header.strip())
    if not match or size <= 0 or match.group(1) == match.group(2) == "":
        return None
    if match.group(1) == "":
        first, last = max(0, size - int(match.group(2))), size - 1
    else:
        first = int(match.group(1))
        last = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
    return (first, last) if first <= last < size else None


def partial_response(handle, first: int, last: int, *, size: int, filename: str) -> StreamingHttpResponse:
    def chunks():
        with handle:
            handle.seek(first)
            left = last - first + 1
            while left > 0:
                data = handle.read(min(CHUNK, left))
                if not data:
                    return
                left -= len(data)
                yield data

    media_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response = StreamingHttpResponse(chunks(), status=206, content_type=media_type)
    response["Content-Range"] = f"bytes {first}-{last}/{size}"
    response["Content-Length"] = str(last - first + 1)
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
