"""The importer never makes a folder of several books with one generic sidecar: books that
share a folder (an author's standalone books, a series) get sidecars named after them, and
the scanner then gives each book its own."""

from __future__ import annotations

import pytest

from processing.models import PostProcessStatus
from scanning.services.gather import SidecarCache
from scanning.sidecars import settle
from scanning.walker import walk
from tests.processing import samples
from tests.processing.conftest import make_item, set_kind
from tests.processing.test_pipeline import run

pytestmark = pytest.mark.django_db


def _import(dirs, title: str, isbn: str):
    item = make_item(title=title, authors=("Andy Weir",), isbn13=isbn)
    epub = samples.make_epub(
        dirs.downloads / f"{title}.epub", title=title, authors=("Andy Weir",), cover=samples.image_bytes(600, 900)
    )
    result = run(epub, item)
    assert result.post_process_status == PostProcessStatus.COMPLETED, result.error
    return item


def test_two_standalone_books_of_one_author_get_sidecars_the_scan_gives_to_each(dirs, import_settings):
    _import(dirs, "Artemis", "9780553448122")
    _import(dirs, "Project Hail Mary", "9780593135204")
    folder = dirs.library / "Weir, Andy"
    assert sorted(p.name for p in folder.iterdir()) == [
        "Artemis.epub",
        "Artemis.jpg",
        "Artemis.opf",
        "Project Hail Mary.epub",
        "Project Hail Mary.jpg",
        "Project Hail Mary.opf",
    ]
    [directory] = list(walk(str(dirs.library), frozenset({"epub"})))
    directory, shared = settle(directory)
    assert shared is None  # nothing for the scan to set aside
    cache = SidecarCache()
    read = {f.name: cache.for_file(directory, f.name) for f in directory.files}
    assert {name: (opf.title, opf.isbn13) for name, (opf, _) in read.items()} == {
        "Artemis.epub": ("Artemis", "9780553448122"),
        "Project Hail Mary.epub": ("Project Hail Mary", "9780593135204"),
    }
    assert all(cover is not None for _, cover in read.values())


def test_a_template_with_a_folder_per_book_keeps_the_generic_names(dirs, import_settings):
    set_kind("ebook", template="${author.sortname}/${title}/${title}.${ext}")
    _import(dirs, "Artemis", "9780553448122")
    assert sorted(p.name for p in (dirs.library / "Weir, Andy" / "Artemis").iterdir()) == [
        "Artemis.epub",
        "cover.jpg",
        "metadata.opf",
    ]
