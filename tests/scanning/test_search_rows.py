"""A scan builds the search rows of the items it creates from the values it just wrote
instead of reading them back: they must be exactly what a reindex from the database gives."""

from __future__ import annotations

import shutil

import pytest

from benchmarks.scan_corpus import generate
from media import search_index
from media.models import MediaItem, SearchDocument
from media.search import backends
from scanning.services import scan_folder
from scanning.services.scan import ScanOptions
from tests.scanning import samples as s

pytestmark = pytest.mark.django_db
ROW_FIELDS = ("item_id", "text", "title_key", "author_sort", "series_sort", "total_size", "formats", "completeness")


@pytest.fixture
def written_texts(monkeypatch):
    """Every search text written to the engine, by item (the last write wins)."""
    texts: dict[int, tuple[str, ...]] = {}
    cls = type(backends.backend())
    original = cls.write_documents

    def record(self, docs):
        texts.update({doc.item_id: doc.columns() for doc in docs})
        return original(self, docs)

    monkeypatch.setattr(cls, "write_documents", record)
    return texts


def _rows() -> dict[int, tuple]:
    return {row[0]: row for row in SearchDocument.objects.values_list(*ROW_FIELDS)}


def _assert_same_as_reindex(written_texts: dict) -> None:
    from_scan, texts_from_scan = _rows(), dict(written_texts)
    assert set(from_scan) == set(MediaItem.objects.values_list("pk", flat=True))
    written_texts.clear()
    search_index.reindex_items(from_scan)
    assert _rows() == from_scan
    assert written_texts == {pk: texts_from_scan[pk] for pk in written_texts}
    assert set(written_texts) == set(from_scan)


def _varied_library(root) -> None:
    generate(root / "corpus", epubs=40, mobis=1, pdfs=2, cbzs=2, corrupt=2)
    twin = s.Book("Twin Formats", series="Pairs", series_index=2.5, isbn="9780316030571", publisher="")
    s.make_epub(root / "Pair" / "Twin Formats.epub", twin)
    s.make_pdf(root / "Pair" / "Twin Formats.pdf", title="Twin Formats", author="Ursula K. Le Guin")
    tags = {"album": "The Hobbit", "artist": "J.R.R. Tolkien", "composer": "Andy Serkis"}
    s.make_mp3(root / "Audio" / "The Hobbit" / "CD1" / "01.mp3", seconds=2, tags={**tags, "title": "One"})
    s.make_mp3(root / "Audio" / "The Hobbit" / "CD2" / "02.mp3", seconds=3, tags={**tags, "title": "Two"})
    s.make_cbz(root / "Comics" / "Watchmen 001.cbz", s.comicinfo("Watchmen", "1", gtin="9781401245252"))


@pytest.mark.parametrize("workers", [0, 1])
def test_search_rows_of_a_scan_equal_a_reindex(tmp_path, make_folder, written_texts, workers):
    _varied_library(tmp_path / "lib")
    folder = make_folder(tmp_path / "lib")
    result = scan_folder(folder.pk, options=ScanOptions(batch_size=16, workers=workers))
    assert result["added"] > 45 and result["errors"] == 0
    _assert_same_as_reindex(written_texts)


def test_search_rows_stay_exact_when_a_later_scan_adds_formats_to_known_items(tmp_path, make_folder, written_texts):
    root = tmp_path / "lib"
    s.make_epub(root / "A" / "Dune.epub", s.Book("Dune", authors=(("Frank Herbert", "Herbert, Frank"),)))
    folder = make_folder(root)
    scan_folder(folder.pk)
    shutil.copytree(root / "A", root / "B")  # a duplicate: reported, not a new item
    s.make_pdf(root / "A" / "Dune.pdf", title="Dune", author="Frank Herbert")  # another format: same item
    s.make_epub(root / "C" / "Emma.epub", s.Book("Emma", authors=(("Jane Austen", "Austen, Jane"),)))
    written_texts.clear()
    result = scan_folder(folder.pk)
    assert result["added"] == 2 and result["duplicates"] == 1
    assert SearchDocument.objects.get(item__title="Dune").formats == "epub pdf"
    _assert_same_as_reindex(written_texts)
