from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from media.models import Author, Contribution, ContributorRole, MediaItem, MediaKind, MediaStatus, Series
from processing.models import ImportSettings, KindProcessingSettings
from tests.processing import samples


@dataclass
class ImportDirs:
    downloads: Path
    library: Path
    recycle: Path


@pytest.fixture
def dirs(settings, tmp_path) -> ImportDirs:
    """Downloads, library and recycle folders of this test (same filesystem: hardlinks work)."""
    d = ImportDirs(tmp_path / "downloads", tmp_path / "library", tmp_path / "recycle")
    for folder in (d.downloads, d.library, d.recycle):
        folder.mkdir()
    settings.DOWNLOADS_DIR, settings.LIBRARY_DIR, settings.RECYCLE_DIR = d.downloads, d.library, d.recycle
    return d


@pytest.fixture
def import_settings(db) -> ImportSettings:
    return ImportSettings.load()


def set_kind(kind: str, **values) -> KindProcessingSettings:
    """Change one kind's processing settings (validated as the settings page would)."""
    row = KindProcessingSettings.for_kind(kind)
    for name, value in values.items():
        setattr(row, name, value)
    row.full_clean()
    row.save()
    return row


def make_item(
    *,
    title: str,
    authors: tuple[str, ...] = (),
    kind: str = MediaKind.EBOOK,
    series: str = "",
    series_index: str | None = None,
    isbn13: str = "",
    **fields,
) -> MediaItem:
    from core.text import author_sort_name, comparison_key, sort_title

    series_row = (
        Series.objects.create(title=series, normalized=comparison_key(series), kind=kind) if series else None
    )
    item = MediaItem.objects.create(
        kind=kind,
        status=MediaStatus.DOWNLOADED,
        title=title,
        sort_title=sort_title(title),
        series=series_row,
        series_index=Decimal(series_index) if series_index else None,
        isbn13=isbn13,
        **fields,
    )
    for position, name in enumerate(authors):
        author = Author.objects.create(
            name=name, sort_name=author_sort_name(name), normalized=comparison_key(name)
        )
        Contribution.objects.create(item=item, author=author, role=ContributorRole.AUTHOR, position=position)
    return item


@pytest.fixture
def earthsea(db) -> MediaItem:
    return make_item(
        title="A Wizard of Earthsea",
        authors=("Ursula K. Le Guin",),
        series="Earthsea",
        series_index="1",
        isbn13="9780547773742",
        language="en",
        publisher="Parnassus & Sons",
        published="1968-11-01",
        description="<p>A boy & his <b>shadow</b>. 魔法使い</p>",
    )


@pytest.fixture
def earthsea_epub(dirs) -> Path:
    return samples.make_epub(
        dirs.downloads / "Le Guin - A Wizard of Earthsea" / "A Wizard of Earthsea.epub",
        title="A Wizard of Earthsea",
        authors=("Ursula K. Le Guin",),
        isbn="9780547773742",
        cover=samples.image_bytes(600, 900),
    )


@pytest.fixture(scope="session")
def session_mobi(tmp_path_factory) -> Path:
    """A real MOBI made by calibre from a generated EPUB (once per session: ~2 s)."""
    folder = tmp_path_factory.mktemp("mobi")
    epub = samples.make_epub(
        folder / "source.epub",
        title="The Tombs of Atuan",
        authors=("Ursula K. Le Guin",),
        cover=samples.image_bytes(500, 800),
    )
    return samples.convert_with_calibre(epub, folder / "The Tombs of Atuan.mobi")
