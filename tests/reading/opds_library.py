"""A small real library for the OPDS tests: two scan folders (one of them hidden from a limited
reader), books with authors, series, tags and several formats, a real CBZ, and a bulk maker for
paging tests."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from media.models import Author, Contribution, ContributorRole, ItemTag, LibraryFile, MediaItem, Series
from media.search_index import rebuild_all
from reading.models import LibraryAccess
from scanning.models import ScanFolder
from tests.scanning.samples import jpeg, make_cbz

COMIC_PAGES = 4


@dataclass
class Library:
    shared: ScanFolder
    private: ScanFolder
    dune: MediaItem
    messiah: MediaItem
    comic: MediaItem
    audiobook: MediaItem
    secret: MediaItem  # only in the private folder
    herbert: Author
    hidden_author: Author
    hidden_series: Series
    cbz: LibraryFile


def add_file(item: MediaItem, folder: ScanFolder, name: str, data: bytes, fmt: str) -> LibraryFile:
    path = Path(folder.path) / name
    path.write_bytes(data)
    return LibraryFile.objects.create(
        item=item, path=str(path), size=len(data), mtime_ns=path.stat().st_mtime_ns, format=fmt
    )


def _item(title: str, author: Author, **fields) -> MediaItem:
    item = MediaItem.objects.create(title=title, sort_title=title.removeprefix("The ").lower(), **fields)
    Contribution.objects.create(item=item, author=author, role=ContributorRole.AUTHOR)
    return item


def _cover(data_dir: Path, item: MediaItem) -> None:
    covers = data_dir / "covers"
    covers.mkdir(parents=True, exist_ok=True)
    (covers / f"{item.pk}.jpg").write_bytes(jpeg((10 * item.pk % 255, 50, 50), (120, 180)))
    MediaItem.objects.filter(pk=item.pk).update(cover_path=f"covers/{item.pk}.jpg")


def make_library(tmp_path: Path, data_dir: Path) -> Library:
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared-private").mkdir()  # starts like the other folder's name: not inside it
    shared = ScanFolder.objects.create(path=str(tmp_path / "shared"), name="Shared")
    private = ScanFolder.objects.create(path=str(tmp_path / "shared-private"), name="Private")
    herbert = Author.objects.create(name="Frank Herbert", sort_name="Herbert, Frank", normalized="frank herbert")
    hidden_author = Author.objects.create(name="Zelda Hidden", sort_name="Hidden, Zelda", normalized="zelda hidden")
    saga = Series.objects.create(title="Dune Chronicles", normalized="dune chronicles")
    hidden_series = Series.objects.create(title="Private Diaries", normalized="private diaries")
    dune = _item(
        "Dune",
        herbert,
        language="en",
        series=saga,
        series_index=Decimal(1),
        published="1965-08-01",
        description="Arrakis & spice <melange>.",
        isbn13="9780441013593",
        publisher="Chilton",
    )
    messiah = _item("Dune Messiah", herbert, language="fr", series=saga, series_index=Decimal(2))
    comic = _item("Saga 001", herbert, kind="comic", language="en")
    audiobook = _item("Dune Audio", herbert, kind="audiobook", language="en", duration_seconds=3600)
    secret = _item("Secret Diary", hidden_author, language="de", series=hidden_series, series_index=Decimal(1))
    ItemTag.objects.create(item=dune, name="Science Fiction", normalized="science fiction")
    add_file(dune, shared, "Dune.epub", b"PK epub dune", "epub")
    add_file(dune, shared, "Dune.pdf", b"%PDF-1.4 dune", "pdf")
    add_file(dune, private, "Dune (private copy).azw3", b"azw3 private", "azw3")  # hidden from the limited reader
    add_file(messiah, shared, "Messiah.epub", b"PK epub messiah", "epub")
    cbz_path = make_cbz(Path(shared.path) / "Saga 001.cbz", None, pages=COMIC_PAGES)
    cbz = LibraryFile.objects.create(
        item=comic, path=str(cbz_path), size=cbz_path.stat().st_size, mtime_ns=cbz_path.stat().st_mtime_ns, format="cbz"
    )
    add_file(audiobook, shared, "Dune Audio.m4b", b"m4b audio", "m4b")
    add_file(secret, private, "Secret Diary.epub", b"PK epub secret", "epub")
    for item in (dune, secret):
        _cover(data_dir, item)
    for item in (dune, messiah, comic, audiobook, secret):
        item.refresh_from_db()
    return Library(shared, private, dune, messiah, comic, audiobook, secret, herbert, hidden_author, hidden_series, cbz)


def limit_to(user, *folders: ScanFolder) -> None:
    access, _ = LibraryAccess.objects.get_or_create(user=user, defaults={"all_libraries": False})
    access.all_libraries = False
    access.save()
    access.libraries.set(folders)


def bulk_books(folder: ScanFolder, count: int, *, prefix: str = "Book") -> list[int]:
    """`count` books with one tiny EPUB each, bulk-created (then indexed for search)."""
    author = Author.objects.create(name=f"{prefix} Writer", sort_name=f"Writer, {prefix}", normalized="writer")
    items = MediaItem.objects.bulk_create(
        MediaItem(title=f"{prefix} {n:04d}", sort_title=f"{prefix.lower()} {n:04d}", language="en")
        for n in range(count)
    )
    Contribution.objects.bulk_create(Contribution(item=item, author=author) for item in items)
    root = Path(folder.path) / prefix
    root.mkdir(exist_ok=True)
    files = []
    for item in items:
        path = root / f"{item.pk}.epub"
        path.write_bytes(b"PK tiny")
        files.append(LibraryFile(item=item, path=str(path), size=7, mtime_ns=1, format="epub"))
    LibraryFile.objects.bulk_create(files)
    rebuild_all()
    return [item.pk for item in items]
