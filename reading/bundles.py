"""All files of a book (an audiobook in parts) as one zip, streamed while it is written: members
are stored (audio does not compress), written by the standard zipfile module to an unseekable
sink that hands each piece to the response. Nothing is built in memory or on disk beyond one
read buffer; ZIP64 is used for members past 4 GB."""

from __future__ import annotations

import os
import time
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from core.files import open_regular

CHUNK = 256 * 1024
_ZIP64_LIMIT = (1 << 31) - 1  # zipfile's own threshold


class _Sink:
    """A write-only file whose writes are collected until `take`."""

    def __init__(self) -> None:
        self._pieces: list[bytes] = []

    def write(self, data) -> int:
        self._pieces.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._pieces)
        self._pieces.clear()
        return data


def _zip_date(mtime: float) -> tuple[int, int, int, int, int, int]:
    stamp = time.gmtime(max(mtime, 315532800))  # zip dates start in 1980
    return stamp[:6]


def stream_zip(members: Iterable[tuple[str, Path]]) -> Iterator[bytes]:
    """The bytes of a zip holding each (name in the zip, file). Every file is opened as a
    regular file when its turn comes (OSError if it cannot be: the stream then stops)."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, path in members:
            with open_regular(path) as source:
                st = os.fstat(source.fileno())
                size = st.st_size
                info = zipfile.ZipInfo(name, date_time=_zip_date(st.st_mtime))
                info.compress_type = zipfile.ZIP_STORED
                info.file_size = size
                with archive.open(info, "w", force_zip64=size > _ZIP64_LIMIT) as member:
                    while chunk := source.read(CHUNK):
                        member.write(chunk)
                        yield sink.take()
            yield sink.take()
    yield sink.take()
