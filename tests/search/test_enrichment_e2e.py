"""End to end on the stub broker with a real worker: a freshly scanned library of
generated books is enriched in the background from the fake providers."""

from __future__ import annotations

import time

import pytest

from core.jobs import submit_job
from core.models import Job, JobState
from media.models import MediaItem
from search.models import ResolvedField, ReviewItem, ReviewStatus
from search.services import record_candidates, set_manual_value
from tests.conftest import run_queued_jobs

LIBRARY = [  # (title as embedded, authors, isbn) -- what a scan of generated files reports
    ("use of weapons", ["Banks, Iain"], "9780316030571"),
    ("Les Ombres Errantes", ["Pascal Quignard"], "207042779X"),
    ("宇宙の話をしよう", ["小野雅裕"], "9784815602666"),
    ("Time War", ["Max Gladstone"], ""),  # uncertain: must land in review
]


def make_library():
    items = []
    for title, authors, isbn in LIBRARY:
        item = MediaItem.objects.create(title=title, sort_title=title)
        record_candidates(item, "embedded_epub", {"title": title, "authors": authors, "isbn13": isbn},
                          {"title": 0.8, "authors": 0.8, "isbn13": 0.95})
        items.append(item)
    return items


def run_job(broker, worker, **params):
    job = submit_job("search.enrich_items", params=params)
    run_queued_jobs(broker, worker, timeout_ms=120_000)
    job.refresh_from_db()
    return job


@pytest.mark.django_db(transaction=True)
def test_new_library_is_enriched_in_background_and_manual_edit_survives(live_providers, broker, worker):
    items = make_library()
    set_manual_value(items[1], "publisher", "Grasset")  # the user's own edit before enrichment
    job = run_job(broker, worker, only_new=True)
    assert job.state == JobState.SUCCEEDED, job.last_error
    assert job.result == {"applied": 3, "review": 1, "failed": 0, "total": 4}
    assert job.progress_done == 4

    weapons, ombres, uchu, timewar = (MediaItem.objects.get(pk=i.pk) for i in items)
    assert (weapons.title, weapons.publisher) == ("Use of Weapons", "Orbit")
    assert ombres.title == "Les ombres errantes" and ombres.publisher == "Grasset"  # manual edit won
    assert uchu.language == "ja" and uchu.page_count == 239
    assert timewar.title == "Time War"
    assert ReviewItem.objects.filter(item=timewar, status=ReviewStatus.PENDING).exists()
    for field in ResolvedField.objects.filter(item__in=items):  # every final field shows source + confidence
        assert field.source_id and 0 < field.confidence <= 1

    forced = run_job(broker, worker, item_ids=[ombres.pk], force=True)  # a forced refresh
    assert forced.state == JobState.SUCCEEDED
    ombres.refresh_from_db()
    assert ombres.publisher == "Grasset"


@pytest.mark.django_db(transaction=True)
def test_enrichment_with_every_provider_down_retries_and_changes_nothing(live_providers, broker, worker):
    [item] = make_library()[:1]
    live_providers.openlibrary.stop()
    live_providers.googlebooks.stop()
    job = submit_job("search.enrich_items", params={"item_ids": [item.pk]})
    deadline = time.monotonic() + 90  # not broker.join(): the retry waits a random backoff of 5-40 s
    while not job.last_error and time.monotonic() < deadline:
        time.sleep(0.1)
        job.refresh_from_db()
    assert job.state in (JobState.QUEUED, JobState.FAILED), job.result  # retried with backoff
    assert "No provider answered" in job.last_error
    item.refresh_from_db()
    assert item.title == "use of weapons"
    assert Job.objects.count() == 1
