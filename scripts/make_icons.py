"""Draws the app icons (favicon, phone home-screen icons) with Pillow: an open book on the
accent blue. Run from the repository root after changing the design; the PNG/ICO files it
writes are committed under static/img/ (a few kB each)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ACCENT = (45, 108, 223)  # --accent of the light theme
PAPER = (255, 255, 255)
OUT = Path(__file__).resolve().parent.parent / "static" / "img"


def draw(size: int, *, maskable: bool = False) -> Image.Image:
    """The icon at `size` px; a maskable one keeps its drawing inside the centre 80 %."""
    scale = 4  # drawn large, then reduced: smooth edges
    big = size * scale
    image = Image.new("RGB" if maskable else "RGBA", (big, big), ACCENT if maskable else (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if not maskable:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big // 5, fill=ACCENT)
    inset = big * (0.22 if maskable else 0.16)
    left, top, right, bottom = inset, big * 0.27, big - inset, big - big * 0.27
    middle = big / 2
    gap = big * 0.025
    pen.polygon([(left, top + big * 0.04), (middle - gap, top), (middle - gap, bottom), (left, bottom + big * 0.04)],
                fill=PAPER)
    pen.polygon([(middle + gap, top), (right, top + big * 0.04), (right, bottom + big * 0.04), (middle + gap, bottom)],
                fill=PAPER)
    for i in range(1, 4):  # lines of text on each page
        y = top + (bottom - top) * i / 4.5
        width = max(1, big // 60)
        pen.line((left + big * 0.05, y + big * 0.02, middle - big * 0.06, y), fill=ACCENT, width=width)
        pen.line((middle + big * 0.06, y, right - big * 0.05, y + big * 0.02), fill=ACCENT, width=width)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size).save(OUT / f"icon-{size}.png", optimize=True)
    draw(512, maskable=True).save(OUT / "icon-maskable-512.png", optimize=True)
    draw(180, maskable=True).save(OUT / "apple-touch-icon.png", optimize=True)
    draw(64).save(OUT / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48), (64, 64)])


if __name__ == "__main__":
    main()
