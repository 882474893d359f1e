"""Checking a cover image someone sent (an upload, a download): the size in bytes and pixels,
the format, the shorter edge (Pillow verify), and re-encoding a hostile upload so only its
pixels are kept. No model of this app: series and item covers both use it."""

from __future__ import annotations

from io import BytesIO

from django.apps import apps
from PIL import Image, UnidentifiedImageError

from core.errors import InvalidInput

MAX_COVER_BYTES = 10 * 1024 * 1024
MAX_COVER_PIXELS = 60_000_000  # as processing.covers: larger is a decompression bomb, not a cover
DEFAULT_MIN_EDGE = 300
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
UNREADABLE = (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError)


def _unreadable(what: str) -> InvalidInput:
    return InvalidInput(f"{what} is not an image Pillow can read", hint="Use a JPEG, PNG, WebP or GIF.")


def min_cover_edge() -> int:
    """processing's ImportSettings.min_cover_size when that app is installed (looked up at run
    time: search does not import processing), else 300 px."""
    try:
        model = apps.get_model("processing", "ImportSettings")
    except LookupError:
        return DEFAULT_MIN_EDGE
    row = model.objects.filter(pk=1).values_list("min_cover_size", flat=True).first()
    return int(row or DEFAULT_MIN_EDGE)


def validate_image(data: bytes, *, what: str = "The file") -> str:
    """The file extension of a usable cover image, or InvalidInput saying what is wrong."""
    if not data:
        raise InvalidInput(f"{what} is empty")
    if len(data) > MAX_COVER_BYTES:
        raise InvalidInput(f"{what} is larger than {MAX_COVER_BYTES // (1024 * 1024)} MB")
    try:
        with Image.open(BytesIO(data)) as image:
            fmt, size = image.format, image.size
            image.verify()
    except UNREADABLE as exc:
        raise _unreadable(what) from exc
    if fmt not in FORMATS:
        raise InvalidInput(f"{what} is a {fmt} image; covers must be JPEG, PNG, WebP or GIF")
    minimum = min_cover_edge()
    if min(size) < minimum:
        raise InvalidInput(
            f"{what} is too small ({size[0]}x{size[1]} px); a cover needs at least {minimum} px on its shorter edge"
        )
    return FORMATS[fmt]


def reencoded_jpeg(data: bytes, *, what: str = "The file") -> bytes:
    """A hostile upload made safe to keep: checked by validate_image (Pillow verify, format, size
    in bytes, shorter edge), refused above MAX_COVER_PIXELS (a decompression bomb is not a
    cover), then decoded and written anew as a baseline RGB JPEG (transparency on white), so
    nothing of the file but its pixels is kept: no metadata, no trailing bytes, no second format."""
    validate_image(data, what=what)
    try:
        with Image.open(BytesIO(data)) as image:
            if image.width * image.height > MAX_COVER_PIXELS:
                raise InvalidInput(
                    f"{what} has too many pixels ({image.width}x{image.height})",
                    hint=f"Use an image of at most {MAX_COVER_PIXELS // 1_000_000} megapixels.",
                )
            image.load()
            rgba = image.convert("RGBA")
    except UNREADABLE as exc:
        raise _unreadable(what) from exc
    flat = Image.new("RGB", rgba.size, "white")
    flat.paste(rgba, mask=rgba.getchannel("A"))
    out = BytesIO()
    flat.save(out, "JPEG", quality=90, optimize=True)
    return out.getvalue()
