"""The containers' health checks against real processes: `manage.py worker` (embedded queue) and
`manage.py scheduler` write heartbeats that `manage.py healthcheck` turns into exit codes 0/1,
as Docker runs it inside each container (see docker-compose.yml)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from omnireadarr.schedules import SCHEDULES
from tests.integration.test_queue_processes import ROOT, _env, _kill, _start_worker

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
NO_PERIODIC_JOBS = {schedule.env_name: "0" for schedule in SCHEDULES}


def _healthcheck(env, *args: str) -> int:
    return subprocess.run([sys.executable, "manage.py", "healthcheck", *args], cwd=ROOT, env=env,
                          capture_output=True, timeout=60).returncode


def _becomes_healthy(env, role: str, timeout: float = 90.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _healthcheck(env, f"--{role}") == 0:
            return True
        time.sleep(1)
    return False


def test_worker_and_scheduler_processes_pass_their_health_check_until_they_stop(tmp_path):
    env = _env(tmp_path, **NO_PERIODIC_JOBS)
    assert _healthcheck(env, "--worker") == 1 and _healthcheck(env, "--scheduler") == 1  # nothing runs yet
    worker = _start_worker(env)
    scheduler = subprocess.Popen([sys.executable, "manage.py", "scheduler", "--tick", "1"], cwd=ROOT, env=env,
                                 start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _becomes_healthy(env, "worker") and _becomes_healthy(env, "scheduler")
    finally:
        _kill(scheduler, signal.SIGTERM)
        _kill(worker, signal.SIGTERM)
    time.sleep(2)
    assert _healthcheck(env, "--scheduler", "--max-age", "1") == 1  # stopped: its heartbeat ages
    assert _healthcheck(env, "--worker", "--max-age", "1") == 1
