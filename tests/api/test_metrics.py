"""/metrics: Prometheus text that prometheus_client's parser reads, refused without a key, and
values that move after real work: API calls (by route, whichever prefix), a job run by a real
worker, a provider call, download states, and counters written by another process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from prometheus_client import values
from prometheus_client.parser import text_string_to_metric_families

from core.jobs import submit_job
from core.metrics_files import FOLDER_ENV, claim_folder, host_folder, use_folder
from core.models import ApiKey, Job, JobState
from downloaders.models import AttemptState, DownloadAttempt
from media.models import MediaItem, MediaStatus
from tests.conftest import run_queued_jobs

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def key(reader_user):
    return ApiKey.issue(reader_user)


def scrape(key: str) -> dict[tuple[str, tuple], float]:
    response = Client().get("/metrics", HTTP_X_API_KEY=key)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_need_a_key_or_a_login_unless_public(key, settings, reader_user):
    anonymous = Client().get("/metrics")
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"].startswith("Bearer")
    assert Client().get("/metrics", HTTP_X_API_KEY="wrong").status_code == 401
    assert Client().get(f"/metrics?apikey={key}").status_code == 200
    assert Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    session = Client()
    session.force_login(reader_user)
    assert session.get("/metrics").status_code == 200
    settings.METRICS_PUBLIC = True
    assert Client().get("/metrics").status_code == 200


def test_the_process_counts_in_the_shared_files_not_in_memory():
    assert values.ValueClass is not values.MutexValue
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(host_folder(settings.METRICS_DIR, "other"))


def test_api_latency_is_counted_by_route_for_both_prefixes(key, admin_client):
    name = "omnireadarr_api_request_duration_seconds_count"
    labels = {"route": "/api/jobs/kinds", "method": "GET", "status": "2xx"}
    before = value(scrape(key), name, **labels)
    admin_client.get("/api/v1/jobs/kinds")
    admin_client.get("/api/jobs/kinds")
    admin_client.get("/api/v1/jobs/123456")  # a path parameter never becomes a label of its own
    after = scrape(key)
    assert value(after, name, **labels) == before + 2
    assert value(after, name, route="/api/jobs/{job_id}", method="GET", status="4xx") >= 1
    assert not any("123456" in dict(sample_labels).get("route", "") for _, sample_labels in after)


def test_a_job_run_by_a_real_worker_moves_its_duration_and_the_queue_depth(key, broker, worker):
    worker.pause()
    job = submit_job("core.selftest", params={"steps": 2, "step_seconds": 0})
    queued = scrape(key)
    assert value(queued, "omnireadarr_job_queue_depth", kind="core.selftest") == 1
    before = value(queued, "omnireadarr_job_duration_seconds_count", kind="core.selftest", state="succeeded")
    worker.resume()
    run_queued_jobs(broker, worker, fail_fast=False)
    assert Job.objects.get(pk=job.pk).state == JobState.SUCCEEDED
    after = scrape(key)
    assert value(after, "omnireadarr_job_duration_seconds_count", kind="core.selftest", state="succeeded") == before + 1
    assert value(after, "omnireadarr_job_queue_depth", kind="core.selftest") == 0


def test_a_provider_call_is_counted_by_outcome(key):
    from search.models import SearchProvider
    from search.providers.base import SearchQuery
    from search.services.lookup import search_metadata
    from search.services.providers import ensure_providers

    ensure_providers()
    SearchProvider.objects.update(base_url="http://127.0.0.1:9/", enabled=False)
    SearchProvider.objects.filter(name="openlibrary").update(enabled=True)
    before = value(scrape(key), "omnireadarr_provider_calls_total", provider="openlibrary", outcome="unavailable")
    search_metadata(SearchQuery(title="Dune"), providers=["openlibrary"])
    after = value(scrape(key), "omnireadarr_provider_calls_total", provider="openlibrary", outcome="unavailable")
    assert after == before + 1


def test_download_attempts_are_counted_by_state_from_the_database(key):
    item = MediaItem.objects.create(title="Dune", sort_title="dune", status=MediaStatus.WANTED)
    for state in (AttemptState.FAILED, AttemptState.FAILED, AttemptState.IMPORTED):
        DownloadAttempt.objects.create(item=item, state=state, release_title="Dune", guid=f"g-{state}")
    samples = scrape(key)
    assert value(samples, "omnireadarr_download_attempts", state="failed") == 2
    assert value(samples, "omnireadarr_download_attempts", state="imported") == 1
    assert ("omnireadarr_download_attempts", (("state", "downloading"),)) in samples


def test_counters_of_another_process_reach_metrics(key):
    before = value(scrape(key), "omnireadarr_provider_calls_total", provider="elsewhere", outcome="ok")
    script = (
        "import django; django.setup(); from core import metrics; "
        "[metrics.provider_call('elsewhere', 'ok') for _ in range(3)]"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True, timeout=60)
    assert value(scrape(key), "omnireadarr_provider_calls_total", provider="elsewhere", outcome="ok") == before + 3


def test_each_process_tree_empties_its_own_folder_and_leaves_the_others_alone(tmp_path, monkeypatch):
    monkeypatch.delenv(FOLDER_ENV, raising=False)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", os.environ["PROMETHEUS_MULTIPROC_DIR"])  # restored after
    web, worker = host_folder(tmp_path, "web"), host_folder(tmp_path, "worker")
    for folder in (web, worker):
        folder.mkdir(parents=True)
        (folder / "counter_123.db").write_bytes(b"counts")
    assert claim_folder(tmp_path, "worker") == 1
    assert not (worker / "counter_123.db").exists() and (web / "counter_123.db").exists()
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == os.environ[FOLDER_ENV] == str(worker)
    (worker / "counter_456.db").write_bytes(b"a child's")
    assert claim_folder(tmp_path, "web") == 0  # a child of the tree (serve starts the web server): nothing
    assert (worker / "counter_456.db").exists() and use_folder(tmp_path) == worker


def test_gunicorn_empties_its_folder_when_it_starts(monkeypatch, settings, tmp_path):
    import runpy

    monkeypatch.delenv(FOLDER_ENV, raising=False)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", os.environ["PROMETHEUS_MULTIPROC_DIR"])
    settings.METRICS_DIR = tmp_path
    stale = host_folder(tmp_path, "web") / "histogram_77.db"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"from the last run")
    runpy.run_path(str(ROOT / "gunicorn.conf.py"))["on_starting"](None)
    assert not stale.exists()
