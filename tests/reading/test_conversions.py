""" "Download as": real ebook-convert in a background job into the conversion cache, reused while
the source is unchanged, and an EPUB made by conversion passes epubcheck."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.urls import reverse

from core.models import Job, JobState
from media.models import Author, Contribution, LibraryFile, MediaItem
from reading import conversions
from reading.models import LibraryAccess
from scanning.models import ScanFolder
from tests.processing.samples import convert_with_calibre, make_epub

pytestmark = [
    pytest.mark.skipif(not shutil.which("ebook-convert"), reason="needs Calibre's ebook-convert"),
]
EPUBCHECK_JAR = Path("/usr/share/java/epubcheck.jar")


@pytest.fixture(autouse=True)
def _cache(settings, tmp_path):
    settings.CACHE_DIR = tmp_path / "cache"


@pytest.fixture
def library(tmp_path) -> Path:
    root = tmp_path / "books"
    root.mkdir()
    ScanFolder.objects.create(path=str(root), name="Books")
    return root


def _library_file(path: Path, fmt: str) -> LibraryFile:
    item = MediaItem.objects.create(title="The Left Hand of Darkness", sort_title="Left Hand of Darkness")
    author = Author.objects.create(name="Ursula K. Le Guin", sort_name="Le Guin, Ursula K.", normalized="le guin")
    Contribution.objects.create(item=item, author=author)
    st = path.stat()
    return LibraryFile.objects.create(item=item, path=str(path), size=st.st_size, mtime_ns=st.st_mtime_ns, format=fmt)


@pytest.fixture
def epub(library) -> LibraryFile:
    path = make_epub(library / "left hand.epub", title="Left Hand", authors=("U. Le Guin",))
    return _library_file(path, "epub")


def _wait_for_job(job_id: int, timeout: float = 60.0) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if job.state in (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED):
            return job
        time.sleep(0.1)
    raise AssertionError("the conversion job did not finish")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_download_as_azw3_runs_as_a_job_and_is_reused(admin_client, broker, worker, epub):
    url = reverse("file-convert", args=[epub.pk, "azw3"])
    assert admin_client.get(url).status_code == 404  # not converted yet
    started = admin_client.post(url)
    assert started.status_code == 202, started.content
    job = _wait_for_job(started.json()["job_id"])
    assert job.state == JobState.SUCCEEDED, job.last_error
    assert job.result["cached"] is False and job.progress_done == job.progress_total == 100

    response = admin_client.get(url)
    body = b"".join(response.streaming_content)
    assert response.status_code == 200 and body[60:68] == b"BOOKMOBI"
    assert response["Content-Type"] == "application/vnd.amazon.mobi8-ebook"
    name = "Ursula K. Le Guin - The Left Hand of Darkness.azw3"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'

    again = admin_client.post(url)
    assert again.status_code == 200 and again.json()["ready"] is True
    assert Job.objects.filter(kind=conversions.JOB_KIND).count() == 1
    assert Path(epub.path).read_bytes()[:2] == b"PK"  # the source is left as it was


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.skipif(not EPUBCHECK_JAR.is_file(), reason="needs epubcheck (Debian package epubcheck)")
def test_a_mobi_converted_to_epub_passes_epubcheck(library, tmp_path):
    source = make_epub(tmp_path / "source.epub", title="Left Hand", authors=("U. Le Guin",))
    mobi = _library_file(convert_with_calibre(source, library / "left hand.azw3"), "azw3")
    result = conversions.convert_into_cache(mobi.pk, "epub")
    assert result["cached"] is False
    converted = conversions.converted_file(mobi, "epub")
    assert converted is not None
    check = subprocess.run(
        ["java", "-jar", str(EPUBCHECK_JAR), str(converted)], capture_output=True, text=True, timeout=120
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "0 fatals / 0 errors" in check.stdout + check.stderr


@pytest.mark.django_db
def test_a_changed_source_is_not_served_an_old_conversion(epub):
    key = conversions._key(epub, "pdf")
    entry = conversions.conversion_cache().path(key.name)
    entry.mkdir(parents=True)
    (entry / key.file_name).write_bytes(b"%PDF-1.4 converted")
    assert conversions.converted_file(epub, "pdf") == entry / key.file_name
    os.utime(epub.path, ns=(time.time_ns(), time.time_ns() + 10**9))  # the book was edited
    assert conversions.converted_file(epub, "pdf") is None


@pytest.mark.django_db
def test_only_ebooks_convert_and_never_to_their_own_format(admin_client, epub, library):
    assert admin_client.post(reverse("file-convert", args=[epub.pk, "epub"])).status_code == 422
    assert admin_client.post(reverse("file-convert", args=[epub.pk, "docx"])).status_code == 422
    comic = library / "x.cbz"
    comic.write_bytes(b"PK")
    cbz = _library_file(comic, "cbz")
    response = admin_client.post(reverse("file-convert", args=[cbz.pk, "epub"]))
    assert response.status_code == 422 and "cannot be converted" in response.json()["error"]


@pytest.mark.django_db
def test_a_hidden_librarys_file_cannot_be_converted(reader_client, reader_user, epub):
    LibraryAccess.objects.create(user=reader_user, all_libraries=False)
    assert reader_client.post(reverse("file-convert", args=[epub.pk, "azw3"])).status_code == 404
    assert reader_client.post(f"/api/reading/files/{epub.pk}/conversions/azw3").status_code == 404
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_the_api_lists_files_with_their_conversions(admin_client, epub):
    data = admin_client.get(f"/api/reading/items/{epub.item_id}/files").json()["data"]
    (listed,) = data["files"]
    assert listed["download_url"] == reverse("file-download", args=[epub.pk])
    assert listed["file_name"] == "Ursula K. Le Guin - The Left Hand of Darkness.epub"
    assert [c["target"] for c in listed["conversions"]] == ["kepub", "azw3", "pdf"]
    assert data["zip_url"] == reverse("item-zip", args=[epub.item_id])
    assert admin_client.get(f"/api/reading/files/{epub.pk}").json()["data"]["content_type"] == "application/epub+zip"
