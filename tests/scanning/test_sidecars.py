"""Sidecars belong to one book: a generic metadata.opf or cover.jpg applies only when the
folder holds one book (or calibre's one-book folder), a named one (`<stem>.opf`) to its
book; in a folder of several books the generic ones are ignored and reported, and the
books are never merged because of them."""

from __future__ import annotations

import pytest

from media.models import LibraryFile, MediaItem
from scanning.services import scan_folder
from tests.scanning import samples as s

pytestmark = pytest.mark.django_db

WEIR = (("Andy Weir", "Weir, Andy"),)
MARTIAN = s.Book("The Martian", authors=WEIR, isbn="9780553418026", uuid="00000000-0000-4000-8000-00000000a001")
ARTEMIS = s.Book("Artemis", authors=WEIR, uuid="00000000-0000-4000-8000-00000000a002")
RANDOMIZE = s.Book("Randomize", authors=WEIR, uuid="00000000-0000-4000-8000-00000000a003")


def _items() -> dict[str, set[str]]:
    return {
        item.title: {f.path.rsplit("/", 1)[-1] for f in item.files.all()}
        for item in MediaItem.objects.prefetch_related("files")
    }


def test_a_generic_opf_in_a_folder_of_two_books_merges_nothing(library, make_folder):
    weir = library / "Weir, Andy"
    s.make_epub(weir / "Artemis.epub", ARTEMIS)
    s.make_epub(weir / "Randomize.epub", RANDOMIZE)
    s.make_opf(weir / "metadata.opf", MARTIAN)
    (weir / "cover.jpg").write_bytes(s.jpeg((9, 9, 9)))
    result = scan_folder(make_folder(library).pk)
    assert result["added"] == 2 and LibraryFile.objects.count() == 2
    assert _items() == {"Artemis": {"Artemis.epub"}, "Randomize": {"Randomize.epub"}}
    assert not MediaItem.objects.filter(isbn13=MARTIAN.isbn).exists()
