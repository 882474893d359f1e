"""Comic page serving benchmark: one page of a 200-page comic through the Django view
(`comic-page`, with login, visibility check and conditional headers), as a reader's browser asks.

Generates a CBZ of real JPEG pages (1200x1800, ~0.8 MB each, deflated as comic tools write them)
and, with --cbr, a solid RAR5 CBR (needs `rar`), in a throw-away data directory, then prints
p50/p95/max of:
- cold: the page index is dropped before every request (what each request cost before the
  index cache: the archive's directory read and sorted every time);
- warm: the index is kept in memory (the normal case after a comic's first page);
- CBR: the first request (extracts all pages once into the page cache), then warm pages.

    python benchmarks/comic_pages.py            # CBZ, 200 pages, 300 requests per case
    python benchmarks/comic_pages.py --cbr      # also a CBR

Target (issue 19): p95 <= 30 ms for a page of a 200-page CBZ.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--cbr", action="store_true", help="Also measure a solid RAR5 CBR (needs `rar`)")
    parser.add_argument("--seed", type=int, default=19)
    return parser.parse_args()


def setup_django(data: Path) -> None:
    os.environ["OMNI_DATA_DIR"] = str(data)
    os.environ.setdefault("OMNI_LOG_LEVEL", "warning")
    os.environ.setdefault("OMNI_ALLOWED_HOSTS", "testserver")  # the test client's host name
    os.environ["DJANGO_SETTINGS_MODULE"] = "omnireadarr.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def backgrounds(count: int = 8) -> list:
    """Noisy page backgrounds (they compress like scanned art); made once, drawn on per page."""
    from PIL import Image, ImageFilter

    return [
        Image.effect_noise((1200, 1800), 30 + 5 * i).convert("RGB").filter(ImageFilter.SMOOTH) for i in range(count)
    ]


def page_jpeg(rng: random.Random, number: int, background) -> bytes:
    """A page-like JPEG: panels of colour over a noisy background, numbered."""
    from PIL import ImageDraw

    image = background.copy()
    draw = ImageDraw.Draw(image, "RGBA")
    for _ in range(6):
        x, y = rng.randrange(0, 900), rng.randrange(0, 1500)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256), 160)
        draw.rectangle((x, y, x + rng.randrange(100, 300), y + rng.randrange(100, 300)), fill=colour)
    draw.text((60, 60), f"Page {number}", fill=(0, 0, 0, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def make_comics(folder: Path, pages: int, seed: int, *, cbr: bool) -> dict[str, Path]:
    rng = random.Random(seed)
    images = folder / "images"
    images.mkdir(parents=True)
    base = backgrounds()
    for number in range(1, pages + 1):
        (images / f"page{number:03d}.jpg").write_bytes(page_jpeg(rng, number, base[number % len(base)]))
    made = {"cbz": folder / "Bench Comic 001.cbz"}
    with zipfile.ZipFile(made["cbz"], "w", zipfile.ZIP_DEFLATED) as archive:
        for page in sorted(images.iterdir()):
            archive.write(page, page.name)
    if cbr:
        made["cbr"] = folder / "Bench Comic 002.cbr"
        pictures = sorted(str(p) for p in images.iterdir())
        subprocess.run(["rar", "a", "-ma5", "-m1", "-s", "-idq", "-ep1", str(made["cbr"]), *pictures], check=True)
    shutil.rmtree(images)
    return made


def timed(client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg", response.status_code
    return elapsed


def report(label: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    print(
        f"{label:<34} n={len(ordered):>4}  p50={statistics.median(ordered):6.1f} ms  p95={p95:6.1f} ms  "
        f"max={ordered[-1]:6.1f} ms"
    )


def main() -> None:
    args = parse_args()
    data = Path(tempfile.mkdtemp(prefix="omni-bench-pages-"))
    try:
        setup_django(data)
        run(args, data)
    finally:
        shutil.rmtree(data, ignore_errors=True)


def run(args: argparse.Namespace, data: Path) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from media.models import LibraryFile, MediaItem
    from reading import pages
    from scanning.models import ScanFolder

    settings.WIZARD_REDIRECT = False  # a fresh install would send the reader to the setup wizard
    library = data / "library-comics"
    comics = make_comics(library, args.pages, args.seed, cbr=args.cbr)
    ScanFolder.objects.create(path=str(library), name="Comics")
    user = get_user_model().objects.create_user("bench-reader", password="bench-pass-123")
    client = Client()
    client.force_login(user)
    rng = random.Random(args.seed)
    for fmt, path in comics.items():
        item = MediaItem.objects.create(title=path.stem, sort_title=path.stem, kind="comic")
        st = path.stat()
        comic = LibraryFile.objects.create(
            item=item, path=str(path), size=st.st_size, mtime_ns=st.st_mtime_ns, format=fmt
        )
        print(f"{fmt.upper()}: {args.pages} pages, {st.st_size / 1e6:.1f} MB")
        urls = [reverse("comic-page", args=[comic.pk, rng.randrange(1, args.pages + 1)]) for _ in range(args.requests)]
        first = timed(client, urls[0])
        print(f"{'  first request (builds the index)':<34} {first:8.1f} ms")
        if fmt == "cbz":
            cold = []
            for url in urls:
                pages.INDEXES.clear()
                cold.append(timed(client, url))
            report("  cold (no index cache)", cold)
        report("  warm (index cached)", [timed(client, url) for url in urls])


if __name__ == "__main__":
    main()
