"""Covers are stored once, content-addressed, under settings.COVERS_DIR; thumbnails for
grids are made later by a background job so books are searchable before they exist."""

from __future__ import annotations

import errno
import logging
from io import BytesIO
from pathlib import Path

from django.conf import settings

from media.covers import CoverWriter, DiskFull, store_image
from scanning.extractors import Cover

__all__ = ["CoverWriter", "DiskFull", "make_thumbnail", "store_cover", "thumbnail_path"]

logger = logging.getLogger(__name__)
THUMB_SIZE = (240, 360)


def store_cover(cover: Cover, writer: CoverWriter | None = None) -> str:
    """Store an extracted cover (content-addressed, see media.covers.store_image); with a
    writer, in the background: call `writer.wait()` before committing."""
    if writer is not None:
        return writer.store(cover.data, cover.extension)
    return store_image(cover.data, cover.extension)


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
