"""A completed download must add up to the size the download client reported: a folder sums
its files, the client's figure includes encoding and the repair files it deleted, a rounded
figure is read with its margin; otherwise the import is refused and touches nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import InvalidInput
from media.models import LibraryFile
from processing.models import EventKind, ImportEvent, PostProcessStatus
from processing.steps.size import check_size, size_on_disk
from processing.types import ReportedSize
from tests.processing.test_events_pages import rerun_through_the_api
from tests.processing.test_pipeline import run, steps


def _write(path: Path, size: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(range(256)) * (size // 256) + b"x" * (size % 256))
    return path


@pytest.fixture
def job(tmp_path) -> Path:
    """An audiobook job as SABnzbd leaves it: parts in disc folders and an .nfo; its par2
    files were deleted after the repair."""
    root = tmp_path / "Author - Book"
    for disc, part, size in ((1, "01.mp3", 300_000), (1, "02.mp3", 250_000), (2, "03.mp3", 150_000)):
        _write(root / f"CD{disc}" / part, size)
    _write(root / "book.nfo", 1_000)
    return root


def test_a_folder_sums_its_files_and_a_file_is_its_size(job):
    assert size_on_disk(job) == 701_000
    assert size_on_disk(job / "CD2" / "03.mp3") == 150_000


def test_encoding_and_deleted_repair_files_are_allowed_for(job):
    posted = round(701_000 * 1.033)  # yEnc and article headers
    par2 = 70_000  # recovery blocks downloaded for a repair, deleted afterwards
    assert check_size(job, ReportedSize(posted + par2))["on_disk"] == 701_000
    assert check_size(job, ReportedSize(701_000))["reported"] == 701_000  # a client counting decoded bytes


def test_a_truncated_download_is_refused_with_both_sizes_and_the_path(job):
    with pytest.raises(InvalidInput) as refused:
        check_size(job, ReportedSize(1_500_000, client="SABnzbd"))
    message = str(refused.value)
    assert f"{job} holds 701,000 bytes on disk, less than the 1,500,000 bytes SABnzbd reported" in message
    assert "Nothing was moved or catalogued" in message and "accept the size" in message


def test_more_on_disk_than_downloaded_is_refused(job):
    with pytest.raises(InvalidInput, match="701,000 bytes on disk, more than the 500,000 bytes"):
        check_size(job, ReportedSize(500_000))


def test_a_rounded_report_is_judged_with_its_margin(job):
    """SABnzbd's "0.6 MB" (629,146 bytes, +- 0.05 MB) is exact enough for 701,000 bytes."""
    with pytest.raises(InvalidInput):
        check_size(job, ReportedSize(629_146))
    assert check_size(job, ReportedSize(629_146, margin=52_428))["margin"] == 52_428


@pytest.mark.django_db
def test_import_is_refused_and_touches_nothing_when_the_size_differs(dirs, import_settings, earthsea, earthsea_epub):
    reported = {"bytes": earthsea_epub.stat().st_size * 2, "margin": 0, "client": "SABnzbd"}
    result = run(earthsea_epub.parent, earthsea, options={"reported_size": reported})

    assert result.post_process_status == PostProcessStatus.FAILED
    assert result.error_step == "size" and f"{earthsea_epub.parent} holds" in result.error
    assert f"{reported['bytes']:,} bytes SABnzbd reported" in result.error
    assert steps(result)["size"] == "failed" and "place" not in steps(result)
    assert ImportEvent.objects.get(run=result).kind == EventKind.FAILED
    assert not any(dirs.library.rglob("*")) and not LibraryFile.objects.exists()
    assert earthsea_epub.is_file()

    again = run(earthsea_epub.parent, earthsea, options={"reported_size": reported, "accept_size": True})
    assert again.post_process_status == PostProcessStatus.COMPLETED, again.error
    assert steps(again)["size"] == "skipped"


@pytest.mark.django_db
def test_no_reported_size_no_check(dirs, import_settings, earthsea, earthsea_epub):
    result = run(earthsea_epub.parent, earthsea)
    assert result.post_process_status == PostProcessStatus.COMPLETED and steps(result)["size"] == "skipped"


@pytest.mark.django_db
def test_a_size_refusal_can_be_re_run_accepting_the_size(
    dirs, import_settings, earthsea, earthsea_epub, admin_client, broker
):
    refused = run(earthsea_epub.parent, earthsea, options={"reported_size": {"bytes": 10**9}})
    page = admin_client.get(f"/imports/{refused.pk}/").content.decode()
    assert 'id="rerun-accept-size"' in page and "1,000,000,000 bytes the download client reported" in page

    new = rerun_through_the_api(admin_client, refused.pk, {"accept_size": True})
    assert new.post_process_status == PostProcessStatus.COMPLETED and new.options["reported_size"]["bytes"] == 10**9
    assert "size accepted" in admin_client.get(f"/imports/{new.pk}/").content.decode()
