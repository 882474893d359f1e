"""Real processes: `manage.py worker` subprocesses on RabbitMQ and on the embedded SQLite
queue, against the test database (SQLite file or PostgreSQL)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from core.models import Job, JobState
from tests.conftest import reachable

ROOT = Path(__file__).resolve().parents[2]
AMQP_URL = os.environ.get("OMNI_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
needs_rabbitmq = pytest.mark.skipif(not reachable("127.0.0.1", 5672),
                                    reason="RabbitMQ not reachable on 127.0.0.1:5672")


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(s['NAME']).resolve()}"
    user = s.get("USER") or "postgres"
    return f"postgres://{user}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


def _env(data_dir: Path, broker_url: str = "", **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMNI_")}
    env.update(DJANGO_SETTINGS_MODULE="omnireadarr.settings", DATABASE_URL=_database_url(),
               OMNI_DATA_DIR=str(data_dir), OMNI_BROKER_URL=broker_url,
               OMNI_QUEUE_PREFIX=f"it{uuid.uuid4().hex[:8]}.", **extra)
    return env


def _submit(env: dict[str, str], steps: int, step_seconds: float) -> subprocess.CompletedProcess:
    code = ("import json; from core.jobs import submit_job; from core.errors import OmniError\n"
            "try:\n"
            f"    print(json.dumps({{'job': submit_job('core.selftest', params={{'steps': {steps}, "
            f"'step_seconds': {step_seconds}}}).pk}}))\n"
            "except OmniError as e:\n"
            "    print(json.dumps({'error': e.message, 'hint': e.hint}))\n")
    return subprocess.run([sys.executable, "manage.py", "shell", "-v0", "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=True)


def _submitted_job(env, steps=3, step_seconds=0.1) -> int:
    out = _submit(env, steps, step_seconds).stdout.strip().splitlines()[-1]
    return json.loads(out)["job"]


def _start_worker(env, threads: int = 2) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "manage.py", "worker", "--processes", "1", "--threads", str(threads)],
                            cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _kill(worker: subprocess.Popen, sig=signal.SIGKILL) -> None:
    try:
        os.killpg(worker.pid, sig)
    except ProcessLookupError:
        return
    worker.wait(timeout=30)


def _wait_for(job_id: int, predicate, timeout: float = 60) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if predicate(job):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not reach the expected state: {Job.objects.get(pk=job_id).__dict__}")


def _run_and_kill_mid_job(env) -> Job:
    job_id = _submitted_job(env, steps=40, step_seconds=0.25)
    first = _start_worker(env)
    try:
        _wait_for(job_id, lambda j: j.progress_done >= 3)
    finally:
        _kill(first)
    killed = Job.objects.get(pk=job_id)
    assert killed.state == JobState.RUNNING and killed.progress_done < 40  # not lost, not finished
    second = _start_worker(env)
    try:
        return _wait_for(job_id, lambda j: j.state == JobState.SUCCEEDED, timeout=90)
    finally:
        _kill(second, signal.SIGTERM)


@needs_rabbitmq
def test_job_sent_through_rabbitmq_is_processed_by_a_worker_process(tmp_path):
    env = _env(tmp_path, AMQP_URL)
    job_id = _submitted_job(env, steps=3, step_seconds=0.2)
    assert Job.objects.get(pk=job_id).state == JobState.QUEUED
    worker = _start_worker(env)
    try:
        job = _wait_for(job_id, lambda j: j.state == JobState.SUCCEEDED)
    finally:
        _kill(worker, signal.SIGTERM)
    assert (job.progress_done, job.progress_total, job.attempts) == (3, 3, 1)
    assert job.result == {"steps": 3}


@needs_rabbitmq
def test_worker_killed_mid_job_on_rabbitmq_leaves_it_retryable(tmp_path):
    job = _run_and_kill_mid_job(_env(tmp_path, AMQP_URL))
    assert job.attempts == 2 and job.progress_done == 40


def test_embedded_queue_keeps_a_queued_job_across_a_restart(tmp_path):
    env = _env(tmp_path)
    job_id = _submitted_job(env)  # the enqueuing process has exited
    with sqlite3.connect(tmp_path / "queue.sqlite3") as queue:
        assert queue.execute("SELECT COUNT(*) FROM queue_messages WHERE state='queued'").fetchone()[0] == 1
    worker = _start_worker(env)
    try:
        job = _wait_for(job_id, lambda j: j.state == JobState.SUCCEEDED)
    finally:
        _kill(worker, signal.SIGTERM)
    assert job.attempts == 1


def test_worker_killed_mid_job_on_embedded_queue_leaves_it_retryable(tmp_path):
    job = _run_and_kill_mid_job(_env(tmp_path, OMNI_QUEUE_LEASE_SECONDS="3"))
    assert job.attempts == 2 and job.progress_done == 40


def test_enqueue_with_rabbitmq_down_fails_clearly_and_loses_nothing(tmp_path):
    before = Job.objects.create(kind="core.selftest", state=JobState.SUCCEEDED)
    env = _env(tmp_path, "amqp://guest:guest@127.0.0.1:1/%2F?connection_attempts=1")
    result = json.loads(_submit(env, 2, 0).stdout.strip().splitlines()[-1])
    assert "could not be queued: the task queue is unreachable" in result["error"]
    assert "RabbitMQ" in result["hint"]
    failed = Job.objects.exclude(pk=before.pk).get()
    assert failed.state == JobState.FAILED and "unreachable" in failed.last_error
    assert Job.objects.filter(pk=before.pk, state=JobState.SUCCEEDED).exists()


def test_api_answers_503_in_the_envelope_when_the_broker_is_down(admin_client, broker, monkeypatch):
    from dramatiq.brokers.rabbitmq import RabbitmqBroker

    from core.jobs import job_kinds

    down = RabbitmqBroker(url="amqp://guest:guest@127.0.0.1:1/%2F?connection_attempts=1")
    monkeypatch.setattr(job_kinds()["core.selftest"].actor, "broker", down)
    response = admin_client.post("/api/jobs/", data={"kind": "core.selftest"}, content_type="application/json")
    assert response.status_code == 503
    body = response.json()
    assert body["success"] is False and body["error_code"] == "service_unavailable"
    assert body["details"]["job_id"] == Job.objects.get().pk
