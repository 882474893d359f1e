"""A small real library built through the real services: generated EPUBs scanned from a
folder, their covers stored, their scanned values turned into provenance, a rename batch
executed (the journal), and some settings changed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from core.models import ApiKey, ScheduleSetting
from operations.models import BackupSettings
from processing.models import ExistingFilePolicy, ImportSettings, KindProcessingSettings
from processing.renaming import journal
from processing.renaming.models import ConflictPolicy, NamingTemplate
from processing.renaming.services import Selection, create_preview
from scanning.models import ScanFolder
from scanning.services import FolderInput, save_folder, scan_folder
from scanning.services.jobs import make_thumbnails
from search.models import MetadataSettings
from search.services.scan_provenance import record_pending
from tests.scanning import samples as s

BOOKS = (
    s.Book(
        "Dune",
        authors=(("Frank Herbert", "Herbert, Frank"),),
        isbn="9780441172719",
        series="Dune",
        series_index="1",
        uuid="00000000-0000-4000-8000-00000000d001",
    ),
    s.Book("Emma", authors=(("Jane Austen", "Austen, Jane"),), uuid="00000000-0000-4000-8000-00000000e001"),
    s.Book(
        "The Left Hand of Darkness",
        isbn="9780441478125",
        subjects=("Fiction", "Science fiction"),
        uuid="00000000-0000-4000-8000-00000000f001",
    ),
)
TEMPLATE = "${author.sortname}/${title}.${ext}"


@dataclass
class Library:
    root: Path
    folder: ScanFolder
    data: Path


@pytest.fixture
def data_dir(tmp_path, settings) -> Path:
    """A data folder of this test's own (covers, backups, recycle bin)."""
    data = tmp_path / "data"
    data.mkdir()
    settings.DATA_DIR = data
    settings.COVERS_DIR = data / "covers"
    settings.BACKUP_DIR = data / "backups"
    settings.RECYCLE_DIR = data / "recycle"
    return data


@pytest.fixture
def built_library(tmp_path, settings, data_dir) -> Library:
    root = tmp_path / "library"
    settings.LIBRARY_DIR = root
    for n, book in enumerate(BOOKS):
        s.make_epub(root / "incoming" / f"{book.title}.epub", book, cover=s.noise_jpeg(n))
    folder = save_folder(FolderInput(path=str(root), content_type="ebooks"))
    assert scan_folder(folder.pk)["added"] == len(BOOKS)
    assert make_thumbnails()["covers_stored"] == len(BOOKS)
    record_pending()
    batch = create_preview(
        template=TEMPLATE, selection=Selection.parse({"everything": True}), policy=ConflictPolicy.SKIP, root=root
    )
    journal.execute_batch(batch.pk)
    _change_settings()
    return Library(root, folder, data_dir)


def _change_settings() -> None:
    BackupSettings.objects.update_or_create(pk=1, defaults={"keep": 3, "include_covers": True})
    MetadataSettings.objects.update_or_create(pk=1, defaults={"strong_distance": 0.2})
    ImportSettings.objects.update_or_create(pk=1, defaults={"min_cover_size": 450})
    KindProcessingSettings.objects.update_or_create(
        kind="comic", defaults={"existing_file_policy": ExistingFilePolicy.KEEP_BOTH, "template": "${title}.${ext}"}
    )
    ScheduleSetting.objects.update_or_create(name="library_rescan", defaults={"interval_seconds": 3600})
    NamingTemplate.objects.create(name="Mine", template="${author}/${title}.${ext}")
    user = get_user_model().objects.create_user("owner", password="pw-owner-123", is_staff=True)
    ApiKey.issue(user)
