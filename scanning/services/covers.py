"""Covers are stored once, content-addressed, as files are read (gather.PrepareSetup);
thumbnails for grids are made later by a background job so books are searchable before
they exist."""

from __future__ import annotations

import errno
import logging
from io import BytesIO
from pathlib import Path

from django.conf import settings

from core.errors import DiskFull

__all__ = ["DiskFull", "make_thumbnail", "thumbnail_path"]

logger = logging.getLogger(__name__)
THUMB_SIZE = (240, 360)


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
