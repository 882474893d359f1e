from __future__ import annotations

import os
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from core.models import Job, JobState
from core.text import author_sort_name
from media.models import Author, Contribution, ContributorRole, LibraryFile, MediaItem, Series
from tests.conftest import run_queued_jobs

SHM = Path("/dev/shm")


def wait_job(broker, worker, job_id: int) -> Job:
    """Runs the queued jobs to their end; the job, which must have succeeded."""
    run_queued_jobs(broker, worker)
    job = Job.objects.get(pk=job_id)
    assert job.state == JobState.SUCCEEDED, (job, job.message, job.last_error, job.attempts)
    return job


@pytest.fixture
def other_fs(tmp_path):
    """A folder on a second filesystem (tmpfs), removed afterwards; skipped where there is none."""
    if not SHM.is_dir() or os.stat(SHM).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("no second filesystem (/dev/shm tmpfs) next to the test directory")
    folder = SHM / f"omni-rename-{os.getpid()}-{tmp_path.name}"
    folder.mkdir()
    yield folder
    subprocess.run(["rm", "-rf", str(folder)], check=False)


@pytest.fixture
def library(tmp_path, settings):
    root = tmp_path / "library"
    root.mkdir()
    settings.LIBRARY_DIR = root
    settings.RECYCLE_DIR = tmp_path / "recycle"
    return root


def write(path: Path, content: bytes | str = b"data") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def make_item(
    root: Path,
    title: str,
    *,
    files: tuple[str, ...] = (),
    author: str = "Frank Herbert",
    series: str = "",
    index: str | None = None,
    kind: str = "ebook",
    year: int | None = None,
    narrator: str = "",
    issue: str = "",
) -> MediaItem:
    item = MediaItem.objects.create(
        title=title,
        sort_title=title,
        kind=kind,
        year=year,
        issue_number=issue,
        series=Series.objects.get_or_create(title=series, normalized=series.lower())[0] if series else None,
        series_index=Decimal(index) if index is not None else None,
    )
    if author:
        person = Author.objects.get_or_create(
            name=author, sort_name=author_sort_name(author), normalized=author.lower()
        )[0]
        Contribution.objects.create(item=item, author=person, role=ContributorRole.AUTHOR)
    if narrator:
        person = Author.objects.create(
            name=narrator, sort_name=author_sort_name(narrator), normalized=narrator
        )
        Contribution.objects.create(item=item, author=person, role=ContributorRole.NARRATOR)
    for relative in files:
        add_file(item, root / relative, content=f"{title}:{relative}")
    return item


def add_file(item: MediaItem, path: Path, *, content: str = "book") -> LibraryFile:
    write(path, content)
    stat = path.stat()
    return LibraryFile.objects.create(
        item=item,
        path=str(path),
        size=stat.st_size,
        mtime_ns=stat.st_mtime_ns,
        format=path.suffix.lstrip(".").lower(),
    )


def tree(root: Path) -> set[str]:
    return {str(Path(base, name).relative_to(root)) for base, _dirs, names in os.walk(root) for name in names}
