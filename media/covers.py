"""Cover files: store cover bytes once (content-addressed under settings.COVERS_DIR),
resolve `MediaItem.cover_path` safely inside the data directory and make cached thumbnails
for the library grid."""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from core.blobs import BlobStore
from core.errors import DiskFull

__all__ = ["DiskFull", "content_type", "cover_file", "cover_store", "store_image", "thumbnail"]

logger = logging.getLogger(__name__)
IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
}
THUMB_SIZE = (240, 360)


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
