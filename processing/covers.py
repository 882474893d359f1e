"""Choosing and writing the cover: candidates from providers, the book itself and the
download folder; the best is the highest-priority source, then the largest image; images
below the minimum size or that Pillow cannot decode are rejected with a reason. Pure."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from core.errors import InvalidInput

DEFAULT_PRIORITY = ("manual", "provider", "embedded", "folder")
_MAX_PIXELS = 60_000_000  # a decompression bomb is not a cover


@dataclass(frozen=True)
class CoverCandidate:
    source: str  # "manual", "provider", "embedded", "folder"
    data: bytes
    label: str = ""  # e.g. the provider name or file name, for the explanation


@dataclass(frozen=True)
class CheckedCover:
    candidate: CoverCandidate
    width: int
    height: int
    image_format: str


@dataclass(frozen=True)
class CoverChoice:
    chosen: CheckedCover | None
    rejected: tuple[tuple[str, str], ...]  # (label, reason)

    def explain(self) -> str:
        if self.chosen is None:
            return "no usable cover" + (
                f" ({'; '.join(f'{label}: {why}' for label, why in self.rejected)})" if self.rejected else ""
            )
        c = self.chosen
        return f"{c.candidate.source} {c.candidate.label} {c.width}x{c.height}".strip()


def inspect(candidate: CoverCandidate, *, min_size: int) -> CheckedCover:
    """Decode the image fully (Pillow verify + load) and enforce the minimum edge size."""
    if not candidate.data:
        raise InvalidInput("empty image")
    try:
        with Image.open(io.BytesIO(candidate.data)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(candidate.data)) as image:
            if image.width * image.height > _MAX_PIXELS:
                raise InvalidInput(f"image too large ({image.width}x{image.height})")
            image.load()
            width, height, fmt = image.width, image.height, (image.format or "").lower()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise InvalidInput(f"not a readable image ({exc})") from exc
    if min(width, height) < min_size:
        raise InvalidInput(f"too small ({width}x{height}, minimum {min_size}px)")
    return CheckedCover(candidate, width, height, fmt)


def choose_cover(
    candidates: Iterable[CoverCandidate], *, min_size: int = 300, priority: Sequence[str] = DEFAULT_PRIORITY
) -> CoverChoice:
    """The best valid candidate: source priority first, then pixel area."""
    rank = {source: i for i, source in enumerate(priority)}
    valid: list[CheckedCover] = []
    rejected: list[tuple[str, str]] = []
    for candidate in candidates:
        try:
            valid.append(inspect(candidate, min_size=min_size))
        except InvalidInput as exc:
            rejected.append((candidate.label or candidate.source, exc.message))
    valid.sort(key=lambda c: (rank.get(c.candidate.source, len(rank)), -(c.width * c.height)))
    return CoverChoice(valid[0] if valid else None, tuple(rejected))


def write_cover_jpeg(cover: CheckedCover, path: Path, *, quality: int = 90) -> Path:
    """Write the cover as a baseline RGB JPEG (re-encoded: no stray metadata or CMYK)."""
    with Image.open(io.BytesIO(cover.candidate.data)) as image:
        rgb = image.convert("RGB")
    tmp = path.with_name(f".{path.name}.part")
    try:
        rgb.save(tmp, "JPEG", quality=quality, optimize=True)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
