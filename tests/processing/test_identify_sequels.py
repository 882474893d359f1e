"""Issue 15: the importer's identify step compared titles by containment, so a download of
"Dune Messiah" was filed as the wanted "Dune". Real EPUBs through the pipeline service."""

from __future__ import annotations

import pytest

from media.models import LibraryFile
from processing.models import PostProcessStatus
from tests.processing import samples
from tests.processing.conftest import make_item
from tests.processing.test_pipeline import run

pytestmark = pytest.mark.django_db


def test_a_sequel_download_is_not_filed_as_the_wanted_first_book(dirs, import_settings):
    dune = make_item(title="Dune", authors=("Frank Herbert",), series="Dune", series_index="1")
    epub = samples.make_epub(dirs.downloads / "Frank Herbert - Dune Messiah" / "Dune Messiah.epub",
                             title="Dune Messiah", authors=("Herbert, Frank",), series="Dune", series_index="2")

    result = run(epub.parent, dune)

    assert result.post_process_status == PostProcessStatus.NEEDS_REVIEW, result.error
    assert "Dune Messiah" in result.error and "title" in result.error
    assert not LibraryFile.objects.filter(item=dune).exists()


def test_the_same_book_with_its_subtitle_is_still_filed(dirs, import_settings):
    item = make_item(title="Sapiens", authors=("Yuval Noah Harari",))
    epub = samples.make_epub(dirs.downloads / "Harari - Sapiens" / "Sapiens.epub",
                             title="Sapiens: A Brief History of Humankind", authors=("Harari, Yuval Noah",))

    result = run(epub.parent, item)

    assert result.post_process_status == PostProcessStatus.COMPLETED, result.error
