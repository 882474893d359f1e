"""Done-when check: importing the generated corpus reproduces every valid file's title,
authors, series, series index, ISBN and language exactly; corrupt files are reported."""

from __future__ import annotations

import pytest

from benchmarks.scan_corpus import generate
from media.models import ContributorRole, FileState, LibraryFile
from scanning.services import scan_folder

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_import_of_generated_corpus_matches_the_generator_exactly(tmp_path, make_folder):
    corpus = generate(tmp_path / "corpus", epubs=60, mobis=1, pdfs=2, cbzs=2, corrupt=3)
    folder = make_folder(tmp_path / "corpus")
    result = scan_folder(folder.pk)
    assert result["errors"] == 0 and result["corrupt"] == len(corpus.corrupt)
    files = {f.path: f for f in LibraryFile.objects.select_related("item", "item__series")}
    mismatches = []
    for expected in corpus.valid:
        item = files[expected.path].item
        authors = [
            c.author.name
            for c in item.contributions.all()
            if c.role in (ContributorRole.AUTHOR, ContributorRole.WRITER)
        ]
        got = (
            item.title,
            authors if expected.kind != "comic" else [],
            item.series.title if item.series else "",
            float(item.series_index) if item.series_index is not None else None,
            item.isbn13,
            item.language,
        )
        want = (
            expected.title,
            expected.authors,
            expected.series,
            expected.series_index,
            expected.isbn13,
            expected.language,
        )
        if got != want:
            mismatches.append((expected.path, got, want))
    assert mismatches == []
    for path in corpus.corrupt:
        assert files[path].state == FileState.CORRUPT and files[path].error
    assert not any(".DS_Store" in p or "Thumbs.db" in p or "/._" in p for p in files)
    again = scan_folder(folder.pk)
    assert again["unchanged"] == len(files) and again["added"] == again["updated"] == 0
