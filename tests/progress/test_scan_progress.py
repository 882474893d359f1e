"""Issue 20, defect 5: a scan's progress is honest. A percentage (and so an ETA) is given
only against the number of files really on disk; a rescan of a library that grew (or whose
first scan stopped half-way) used the count of files it already knew as the total, which
showed "91.7 % · ETA 1 s" at 3,000 of 15,126 files."""

from __future__ import annotations

import pytest

from scanning.services import scan_folder
from scanning.services.scan import ScanOptions
from tests.scanning import samples as s

pytestmark = pytest.mark.django_db


def _books(library, first: int, count: int) -> None:
    for i in range(first, first + count):
        s.make_epub(
            library / f"A{i % 4}" / f"Book {i}.epub", s.Book(f"Book {i}", uuid=f"00000000-0000-4000-8000-{i:012d}")
        )


@pytest.mark.parametrize(("workers", "count_here_max"), [(0, 10_000), (0, 8), (1, 8)])
def test_a_rescan_of_a_grown_library_reports_the_files_on_disk_as_its_total(
    library, make_folder, monkeypatch, workers, count_here_max
):
    import scanning.services.scan as scan_module

    monkeypatch.setattr(scan_module, "COUNT_HERE_MAX", count_here_max)
    _books(library, 0, 5)
    folder = make_folder(library)
    scan_folder(folder.pk)  # 5 files known
    _books(library, 5, 25)  # 30 on disk now
    reports: list[tuple[int, int | None]] = []
    result = scan_folder(
        folder.pk,
        progress=lambda done, total=None, message=None, **kw: reports.append((done, total)),
        options=ScanOptions(batch_size=4, workers=workers),
    )
    assert result["added"] == 25
    totals = {total for _, total in reports}
    assert totals - {None} == {30}, f"a total other than the 30 files on disk was reported: {sorted(totals - {None})}"
    assert all(total is None or done <= total for done, total in reports)
    assert reports[-1][1] == 30


def test_a_rescan_of_an_unchanged_library_still_knows_its_total(library, make_folder):
    _books(library, 0, 6)
    folder = make_folder(library)
    scan_folder(folder.pk)
    reports: list[tuple[int, int | None]] = []
    scan_folder(folder.pk, progress=lambda done, total=None, message=None, **kw: reports.append((done, total)))
    assert {total for _, total in reports} == {6}
