"""Issue 20, defect 5: what a job says about its progress is true. No percentage or ETA
without a known total (a rate instead); the thumbnails job counts the thumbnails it made;
idle runs of the download monitor are one row in Activity, not one a minute."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.jobs import JobContext, job_actor, submit_job
from core.jobs.actors import execute_job
from core.models import Job, JobState
from scanning.services import scan_folder
from scanning.services.jobs import THUMBNAIL_KIND
from tests.conftest import run_queued_jobs
from tests.scanning import samples as s


def test_a_running_job_without_a_known_total_shows_a_rate_not_a_percentage(db):
    started = timezone.now() - timedelta(seconds=10)
    job = Job.objects.create(
        kind="x", state=JobState.RUNNING, progress_done=3000, progress_total=None, started_at=started
    )
    assert job.percent is None and job.eta_seconds is None
    assert 290 <= job.rate_per_second <= 310


def test_the_jobs_api_sends_the_rate_and_no_eta_for_an_unknown_total(admin_client):
    Job.objects.create(
        kind="x", state=JobState.RUNNING, progress_done=50, started_at=timezone.now() - timedelta(seconds=5)
    )
    job = admin_client.get("/api/jobs/?active=true").json()["data"]["items"][0]
    assert job["percent"] is None and job["eta_seconds"] is None and job["rate_per_second"] > 0


def test_a_new_attempt_does_not_keep_the_total_of_the_one_before(db):
    """A retried scan counts again; until then its total is unknown, not the last attempt's."""
    job = Job.objects.create(kind="x", progress_total=3272, progress_done=3000)
    seen = []
    execute_job(job.pk, lambda ctx: seen.append(Job.objects.get(pk=job.pk).progress_total), max_retries=0)
    assert seen == [None]


@pytest.mark.django_db(transaction=True)
def test_the_thumbnails_job_reports_the_thumbnails_it_made(library, make_folder, broker, worker):
    for i in range(2):
        s.make_epub(
            library / f"Book {i}.epub",
            s.Book(f"Book {i}", uuid=f"00000000-0000-4000-8000-{i:012d}"),
            cover=s.noise_jpeg(7_340_000 + i),  # covers no other test stores (the covers folder is shared)
        )
    assert scan_folder(make_folder(library).pk)["covers_queued"] == 2
    job = submit_job(THUMBNAIL_KIND, target="covers")
    run_queued_jobs(broker, worker, fail_fast=False)
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED
    assert job.message == "2 covers stored, 2 thumbnails made", job.message
    assert job.result["made"] == 2


@job_actor("tests.routine", max_retries=0, is_idle=lambda result: not result["done"])
def _routine(ctx: JobContext) -> dict:
    return {"done": ctx.params.get("done", 0)}


def _run_routine(broker, worker, done: int) -> Job:
    job = submit_job("tests.routine", target="schedule:routine", params={"done": done})
    run_queued_jobs(broker, worker, fail_fast=False)
    job.refresh_from_db()
    return job


@pytest.mark.django_db(transaction=True)
def test_idle_routine_runs_are_folded_into_one_row(broker, worker):
    for _ in range(3):
        last = _run_routine(broker, worker, done=0)
    assert Job.objects.filter(kind="tests.routine").count() == 1
    assert last.result["idle_runs"] == 3 and last.message.startswith("Nothing to do · 3 runs since")
    busy = _run_routine(broker, worker, done=2)  # a run that did something is a row of its own
    again = _run_routine(broker, worker, done=0)
    rows = list(Job.objects.filter(kind="tests.routine").order_by("created_at", "id"))
    assert [r.pk for r in rows] == [last.pk, busy.pk, again.pk]
    assert again.result["idle_runs"] == 1 and again.message == "Nothing to do"


def test_the_download_monitor_counts_as_idle_only_when_every_count_is_zero():
    from downloaders.automation import monitor_was_idle

    assert monitor_was_idle({"checked": 0, "resent": 0})
    assert not monitor_was_idle({"checked": 0, "resent": 1})
    assert not monitor_was_idle({"checked": 0, "resent": 0, "client_errors": 1, "last_error": "refused"})
