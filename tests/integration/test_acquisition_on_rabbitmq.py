"""The production shape, end to end: a real scheduler process and a real worker process on
RabbitMQ (and the test database: PostgreSQL in the second CI run) take a wanted book from the
fake Prowlarr through the fake SABnzbd into the library, with no manual step."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from downloaders.models import AttemptState, DownloadAttempt
from indexers.releases import parse_release
from media.models import Author, LibraryFile, MediaItem, MediaStatus
from tests.acquisition.conftest import acquisition, make_item, prowlarr, sabnzbd  # noqa: F401 (fixtures)
from tests.integration.test_queue_processes import (
    AMQP_URL,
    ROOT,
    _env,
    _kill,
    _start_worker,
    needs_rabbitmq,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True), needs_rabbitmq]
QUIET = {
    f"OMNI_SCHEDULE_{name}": "0" for name in ("PRUNE_JOBS", "ENRICH_NEW_ITEMS", "LIBRARY_RESCAN", "RENAME_RECOVER")
}


def _book(name: str) -> tuple[str, str]:
    parsed = parse_release(name)
    return parsed.title, " & ".join(parsed.authors)


def _wait(predicate, timeout: float = 180.0):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    attempts = list(DownloadAttempt.objects.values_list("release_title", "state", "error"))
    raise AssertionError(f"not reached in {timeout} s; attempts: {attempts}")


def test_wanted_book_is_found_downloaded_and_filed_by_scheduler_and_worker_processes(acquisition, tmp_path):  # noqa: F811
    _, sab = acquisition
    sab.book_for_job = _book
    library = tmp_path / "library"
    library.mkdir()
    item = make_item()
    Author.objects.filter(contributions__item=item).update(sort_name="Weir, Andy")
    env = _env(
        tmp_path / "data",
        AMQP_URL,
        OMNI_LIBRARY_DIR=str(library),
        OMNI_DOWNLOADS_DIR=str(sab.complete_dir),
        OMNI_SCHEDULE_SEARCH_WANTED="3600",
        OMNI_SCHEDULE_MONITOR_DOWNLOADS="1",
        **QUIET,
    )
    (tmp_path / "data").mkdir()
    worker = _start_worker(env)
    scheduler = subprocess.Popen(
        [sys.executable, "manage.py", "scheduler", "--tick", "1"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(lambda: DownloadAttempt.objects.filter(item=item, state=AttemptState.IMPORTED).exists())
    finally:
        _kill(scheduler, signal.SIGTERM)
        _kill(worker, signal.SIGTERM)
    filed = library / "Weir, Andy" / "Project Hail Mary.epub"
    assert filed.is_file() and (filed.parent / "Project Hail Mary.opf").is_file()  # named: a shared folder
    assert LibraryFile.objects.get(item=item, format="epub").path == str(filed)
    assert MediaItem.objects.get(pk=item.pk).status == MediaStatus.POST_PROCESSED_SUCCESS
    attempt = DownloadAttempt.objects.get(item=item, state=AttemptState.IMPORTED)
    assert attempt.automatic and Path(attempt.storage_path).is_file()
