from __future__ import annotations

import socket
from queue import Queue

import dramatiq
import pytest
from django.contrib.auth import get_user_model
from dramatiq import Worker

from core.jobs import job_kinds
from tests.migrations import back_to_latest  # noqa: F401 (a fixture for the migration tests)


def reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _fresh_queues(stub) -> None:
    """New queue objects: a message still held by a previous test's worker thread (a job that
    outlived its worker's stop timeout) must not keep `join()` of this test waiting forever."""
    for name in list(stub.queues):
        stub.queues[name] = Queue()
    stub.dead_letters_by_queue.clear()


@pytest.fixture
def broker():
    """Dramatiq's stub broker with every job kind declared, emptied around each test."""
    job_kinds()
    stub = dramatiq.get_broker()
    _fresh_queues(stub)
    yield stub
    _fresh_queues(stub)


@pytest.fixture
def worker(broker):
    """A real Dramatiq worker (threads) consuming the stub broker."""
    w = Worker(broker, worker_timeout=100, worker_threads=2)
    w.start()
    yield w
    w.stop(timeout=10_000)
    # Worker() registers a middleware on the broker that points back at it; drop it.
    broker.middleware[:] = [m for m in broker.middleware if getattr(m, "worker", None) is not w]


def run_queued_jobs(broker, worker, *, timeout_ms: int = 30_000, fail_fast: bool = True) -> None:
    """Until every queue is empty and `worker` idle: the jobs sent so far and the jobs they
    send, on whichever queue (`broker.join` waits for one queue; the worker's own `join` only
    for the messages its consumers already took off the broker's queues)."""
    names = [name for name in broker.queues if not name.endswith((".DQ", ".XQ"))]
    while True:
        for name in names:
            broker.join(name, timeout=timeout_ms, fail_fast=fail_fast)
        worker.join()
        if not any(queue.unfinished_tasks for queue in broker.queues.values()):
            return


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_user("admin", password="pw-admin-123", is_staff=True, is_superuser=True)


@pytest.fixture
def reader_user(db):
    return get_user_model().objects.create_user("reader", password="pw-reader-123")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def reader_client(client, reader_user):
    client.force_login(reader_user)
    return client


@pytest.fixture(autouse=True)
def _setup_wizard_not_enforced(settings):
    """Pages do not redirect to the setup wizard in tests; wizard tests turn it back on
    with `settings.WIZARD_REDIRECT = True`."""
    settings.WIZARD_REDIRECT = False


@pytest.fixture(autouse=True)
def _fresh_api_rate_counters():
    """Each test starts with unused API rate limits (user ids repeat across tests)."""
    from django.core.cache import caches

    caches["api-rate"].clear()


@pytest.fixture
def no_rate_limits(settings):
    """For tests that flood the API by design (the fuzz run, the concurrency run): a 429 would hide
    what they look for. The limits have their own tests (tests/api/test_rate_limit.py)."""
    settings.API_RATE_READ = settings.API_RATE_WRITE = 0


@pytest.fixture
def fake_prowlarr():
    """A local Prowlarr answering as the recorded real one (wizard and settings pages)."""
    from tests.acquisition.fakes import FakeProwlarr

    server = FakeProwlarr().start()
    yield server
    server.stop()


@pytest.fixture
def fake_providers():
    """Local Open Library / Google Books / Comic Vine answering as the recorded real ones."""
    from tests.search.fakes import FakeProviders

    providers = FakeProviders().start()
    yield providers
    providers.stop()
