"""Two libraries with a real EPUB in each, for the reading tests: `kids` (visible to a limited
reader) and `private` (hidden from them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from media.models import LibraryFile, MediaItem
from reading.models import LibraryAccess
from scanning.models import ScanFolder
from tests.scanning.samples import Book, make_epub


@dataclass
class Libraries:
    kids: ScanFolder
    private: ScanFolder
    open_file: LibraryFile
    hidden_file: LibraryFile

    @property
    def open_item(self) -> MediaItem:
        return self.open_file.item

    @property
    def hidden_item(self) -> MediaItem:
        return self.hidden_file.item


def add_book(folder: ScanFolder, title: str, fmt: str = "epub") -> LibraryFile:
    path = make_epub(Path(folder.path) / f"{title}.{fmt}", Book(title=title))
    stat = path.stat()
    item = MediaItem.objects.create(title=title, sort_title=title)
    return LibraryFile.objects.create(
        item=item, path=str(path), size=stat.st_size, mtime_ns=stat.st_mtime_ns, format=fmt
    )


@pytest.fixture
def libraries(tmp_path) -> Libraries:
    (tmp_path / "kids").mkdir()
    (tmp_path / "private").mkdir()
    kids = ScanFolder.objects.create(path=str(tmp_path / "kids"), name="Kids")
    private = ScanFolder.objects.create(path=str(tmp_path / "private"), name="Private")
    return Libraries(kids, private, add_book(kids, "Dune for Kids"), add_book(private, "Dune Unabridged"))


def limit_to(user, *folders: ScanFolder) -> None:
    access, _ = LibraryAccess.objects.update_or_create(user=user, defaults={"all_libraries": False})
    access.libraries.set(folders)
