"""Cover files: store cover bytes once (content-addressed under settings.COVERS_DIR),
resolve `MediaItem.cover_path` safely inside the data directory and make the grid thumbnails
(once per cover: the cover job makes them ahead, the grid's request if it comes first)."""

from __future__ import annotations

import errno
import functools
import hashlib
import logging
import os
from io import BytesIO
from pathlib import Path

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from core.blobs import BlobStore
from core.errors import DiskFull
from core.files import read_limited

__all__ = [
    "DiskFull",
    "content_type",
    "cover_file",
    "cover_store",
    "make_thumbnail",
    "store_image",
    "thumbnail",
    "thumbnail_path",
]

logger = logging.getLogger(__name__)
IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
}
THUMB_SIZE = (240, 360)
MAX_COVER_BYTES = 16 * 1024 * 1024  # no stored cover is bigger (the extractors' and uploads' limits)


def cover_store() -> BlobStore:
    """Where covers go: settings.COVERS_DIR, recorded relative to the data directory."""
    return _store(str(settings.COVERS_DIR), str(settings.DATA_DIR))


@functools.lru_cache(maxsize=4)
def _store(covers_dir: str, data_dir: str) -> BlobStore:
    return BlobStore(covers_dir, Path(covers_dir).relative_to(data_dir).as_posix())


def store_image(data: bytes, extension: str) -> str:
    """Write the cover bytes once, named by their SHA-256; return the path relative to the
    data directory (see core.blobs.BlobStore.store)."""
    return cover_store().store(data, extension)


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


def thumbnail_path(cover_path: str) -> Path:
    """Where the grid thumbnail of a stored cover lives: named by the cover's content hash, so
    items sharing a cover share it and a new cover gets a new one."""
    name = os.path.splitext(os.path.basename(cover_path))[0]
    return Path(settings.COVERS_DIR, "thumbs", name[:2], f"{name}.jpg")


def make_thumbnail(cover_path: str, data: bytes | None = None) -> bool:
    """Make the grid thumbnail of a stored cover (JPEG, at most THUMB_SIZE) from its bytes
    (`data`, when the caller has just stored them) or its file; False if the image cannot be
    decoded. JPEGs are decoded at a reduced scale (draft mode)."""
    target = thumbnail_path(cover_path)
    if target.exists():
        return True
    if data is None:
        source = cover_file(cover_path)
        if source is None:
            return False
        data = read_limited(source, MAX_COVER_BYTES)
    try:
        with Image.open(BytesIO(data)) as image:
            image.draft("RGB", THUMB_SIZE)
            image = image.convert("RGB")
            image.thumbnail(THUMB_SIZE)
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".part")
            image.save(partial, "JPEG", quality=80)
            partial.replace(target)
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError) as exc:
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            raise DiskFull("Disk full while writing thumbnails") from exc
        logger.warning("Cannot make a thumbnail of %s: %s", cover_path, exc)
        return False
    return True


def thumbnail(cover_path: str) -> Path | None:
    """The file to serve as the grid thumbnail: the stored thumbnail (made now if the cover job
    has not made it yet), the cover itself if it cannot be thumbnailed, None without a cover."""
    source = cover_file(cover_path)
    if source is None:
        return None
    return thumbnail_path(cover_path) if make_thumbnail(cover_path) else source


MOSAIC_TILES = 4


def mosaic(cover_paths: list[str]) -> Path | None:
    """A series' default cover: the thumbnails of up to four of its books' covers in a 2x2 grid
    (one cover: that thumbnail). Cached under a name made of the covers' content hashes (stored
    covers are named by them), so a changed cover makes a new mosaic and an unchanged one is
    never redrawn. None when no cover can be read."""
    tiles = [p for p in cover_paths if thumbnail(p) is not None][:MOSAIC_TILES]
    if len(tiles) < 2:
        return thumbnail(tiles[0]) if tiles else None
    key = hashlib.sha256("\n".join(os.path.basename(p) for p in tiles).encode()).hexdigest()
    target = Path(settings.COVERS_DIR, "mosaics", key[:2], f"{key}.jpg")
    if target.exists():
        return target
    width, height = THUMB_SIZE[0] // 2, THUMB_SIZE[1] // 2
    sheet = Image.new("RGB", THUMB_SIZE, "white")
    for n, cover in enumerate(tiles):
        with Image.open(thumbnail(cover)) as image:
            tile = image.convert("RGB").resize((width, height))
        sheet.paste(tile, ((n % 2) * width, (n // 2) * height))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    sheet.save(partial, "JPEG", quality=80)
    partial.replace(target)
    return target
