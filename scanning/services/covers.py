"""Covers are stored once, content-addressed, under settings.COVERS_DIR; thumbnails for
grids are made later by a background job so books are searchable before they exist."""

from __future__ import annotations

import errno
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


def _relative(path: Path) -> str:
    return path.relative_to(settings.DATA_DIR).as_posix()


def store_cover(cover: Cover) -> str:
    """Write the cover bytes once; return the path relative to the data directory."""
    digest = hashlib.sha256(cover.data).hexdigest()
    target = Path(settings.COVERS_DIR) / digest[:2] / f"{digest}.{cover.extension}"
    if target.exists():
        return _relative(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    try:
        tmp.write_bytes(cover.data)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            raise DiskFull(
                f"Disk full while writing covers to {settings.COVERS_DIR}",
                hint="Free some space; the scan resumes where it stopped.",
            ) from exc
        raise
    return _relative(target)


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
