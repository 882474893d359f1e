"""Cover files: store cover bytes once (content-addressed under settings.COVERS_DIR),
resolve `MediaItem.cover_path` safely inside the data directory and make cached thumbnails
for the library grid."""

from __future__ import annotations

import errno
import functools
import hashlib
import logging
import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from core.errors import ServiceUnavailable

logger = logging.getLogger(__name__)
IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
}
THUMB_SIZE = (240, 360)


class DiskFull(ServiceUnavailable):
    """No space left: the scan pauses (the job is retried later and resumes)."""

    code = "disk_full"


_made_dirs: set[str] = set()


@functools.lru_cache(maxsize=4)
def _covers_prefix(covers_dir: str, data_dir: str) -> str:
    return Path(covers_dir).relative_to(data_dir).as_posix()


def _write(target: str, data: bytes) -> None:
    with open(target, "wb") as handle:
        handle.write(data)


def _location(data: bytes, extension: str) -> tuple[str, str, str]:
    """(path relative to the data directory, folder, absolute target) of these bytes."""
    digest = hashlib.sha256(data).hexdigest()
    folder = os.path.join(settings.COVERS_DIR, digest[:2])
    prefix = _covers_prefix(str(settings.COVERS_DIR), str(settings.DATA_DIR))
    return f"{prefix}/{digest[:2]}/{digest}.{extension}", folder, os.path.join(folder, f"{digest}.{extension}")


def _store_at(folder: str, target: str, data: bytes) -> None:
    try:
        if os.path.getsize(target) == len(data):
            return
    except OSError:
        pass
    if folder not in _made_dirs:
        os.makedirs(folder, exist_ok=True)
        _made_dirs.add(folder)
    try:
        _write(target, data)
    except FileNotFoundError:  # the covers folder was removed while we ran
        os.makedirs(folder, exist_ok=True)
        _write(target, data)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            Path(target).unlink(missing_ok=True)
            raise DiskFull(
                f"Disk full while writing covers to {settings.COVERS_DIR}",
                hint="Free some space; the scan resumes where it stopped.",
            ) from exc
        raise


def store_image(data: bytes, extension: str) -> str:
    """Write the cover bytes once, named by their SHA-256; return the path relative to the
    data directory. A file of the right size is trusted (a crash mid-write leaves a short
    file, which is rewritten next time). Nothing is ever deleted or overwritten with other bytes."""
    relative, folder, target = _location(data, extension)
    _store_at(folder, target, data)
    return relative


class CoverWriter:
    """`store_image` on background threads, for bulk writers: creating thousands of small
    files is slow on some disks, and the caller has database work to do meanwhile.
    `wait()` (before committing rows that name the covers) re-raises any failure, DiskFull
    included; `close()` (or the context manager) shuts the threads down."""

    def __init__(self, threads: int = 4) -> None:
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="cover-writer")
        self._pending: list[Future[None]] = []

    def store(self, data: bytes, extension: str) -> str:
        relative, folder, target = _location(data, extension)
        self._pending.append(self._executor.submit(_store_at, folder, target, data))
        return relative

    def wait(self) -> None:
        pending, self._pending = self._pending, []
        for future in pending:
            future.result()

    def close(self) -> None:
        """Stop the threads: writes not started are dropped, running ones finish."""
        self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> CoverWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def cover_file(relative: str) -> Path | None:
    """The cover's absolute path if it is an image file inside DATA_DIR, else None.
    Absolute paths, '..' and symlinks leading outside are refused."""
    if not relative or "\x00" in relative:
        return None
    root = Path(settings.DATA_DIR).resolve()
    try:
        path = (root / relative).resolve()
    except (OSError, RuntimeError):
        return None
    if root not in path.parents or path.suffix.lower() not in IMAGE_TYPES or not path.is_file():
        return None
    return path


def content_type(path: Path) -> str:
    return IMAGE_TYPES.get(path.suffix.lower(), "image/jpeg")


def thumbnail(item_id: int, source: Path | None) -> Path | None:
    """A JPEG no larger than THUMB_SIZE, cached by item and the source's mtime."""
    if source is None:
        return None
    stat = source.stat()
    cache = Path(settings.DATA_DIR) / "cache" / "thumbs"
    target = cache / f"{item_id}-{stat.st_mtime_ns}-{stat.st_size}.jpg"
    if target.exists():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    try:
        with Image.open(source) as image:
            image.thumbnail(THUMB_SIZE)
            partial = target.with_suffix(".part")
            image.convert("RGB").save(partial, "JPEG", quality=82, optimize=True)
            partial.replace(target)
    except (UnidentifiedImageError, OSError) as exc:
        logger.warning("Cannot make a thumbnail of %s: %s", source, exc)
        return source
    for old in cache.glob(f"{item_id}-*.jpg"):
        if old != target:
            old.unlink(missing_ok=True)
    return target
