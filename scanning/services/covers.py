"""Covers are stored once, content-addressed, under settings.COVERS_DIR; thumbnails for
grids are made later by a background job so books are searchable before they exist."""

from __future__ import annotations

import errno
import functools
import hashlib
import logging
import os
from io import BytesIO
from pathlib import Path

from django.conf import settings

from core.errors import ServiceUnavailable
from scanning.extractors import Cover

logger = logging.getLogger(__name__)
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


def store_cover(cover: Cover) -> str:
    """Write the cover bytes once, named by their SHA-256; return the path relative to the
    data directory. A file of the right size is trusted (a crash mid-write leaves a short
    file, which is rewritten next time)."""
    digest = hashlib.sha256(cover.data).hexdigest()
    folder = os.path.join(settings.COVERS_DIR, digest[:2])
    target = os.path.join(folder, f"{digest}.{cover.extension}")
    prefix = _covers_prefix(str(settings.COVERS_DIR), str(settings.DATA_DIR))
    relative = f"{prefix}/{digest[:2]}/{digest}.{cover.extension}"
    try:
        if os.path.getsize(target) == len(cover.data):
            return relative
    except OSError:
        pass
    if folder not in _made_dirs:
        os.makedirs(folder, exist_ok=True)
        _made_dirs.add(folder)
    try:
        _write(target, cover.data)
    except FileNotFoundError:  # the covers folder was removed while we ran
        os.makedirs(folder, exist_ok=True)
        _write(target, cover.data)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            Path(target).unlink(missing_ok=True)
            raise DiskFull(
                f"Disk full while writing covers to {settings.COVERS_DIR}",
                hint="Free some space; the scan resumes where it stopped.",
            ) from exc
        raise
    return relative


def thumbnail_path(cover_path: str) -> Path:
    name = Path(cover_path).stem
    return Path(settings.COVERS_DIR) / "thumbs" / name[:2] / f"{name}.jpg"


def make_thumbnail(cover_path: str) -> bool:
    """Make the grid thumbnail of a stored cover; False if the image cannot be decoded."""
    from PIL import Image, UnidentifiedImageError

    source = Path(settings.DATA_DIR) / cover_path
    target = thumbnail_path(cover_path)
    if target.exists():
        return True
    try:
        with Image.open(BytesIO(source.read_bytes())) as image:
            image.draft("RGB", THUMB_SIZE)
            image = image.convert("RGB")
            image.thumbnail(THUMB_SIZE)
            target.parent.mkdir(parents=True, exist_ok=True)
            image.save(target, "JPEG", quality=80)
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError) as exc:
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            raise DiskFull("Disk full while writing thumbnails") from exc
        logger.warning("Cannot make a thumbnail of %s: %s", cover_path, exc)
        return False
    return True
