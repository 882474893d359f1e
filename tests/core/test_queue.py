"""The embedded SQLite broker: durable, leased, delay-aware."""

from __future__ import annotations

import time

import dramatiq
import pytest
from dramatiq import Message, Worker

from core.queue import SQLiteBroker


def _message(queue="q", actor="record", args=(1,)):
    return Message(queue_name=queue, actor_name=actor, args=args, kwargs={}, options={})


@pytest.fixture
def sqlite_broker(tmp_path):
    broker = SQLiteBroker(path=str(tmp_path / "queue.sqlite3"), lease_seconds=1.0)
    broker.declare_queue("q")
    yield broker
    broker.close()


def test_enqueued_message_survives_a_new_broker_instance(tmp_path):
    path = str(tmp_path / "queue.sqlite3")
    first = SQLiteBroker(path=path)
    first.enqueue(_message(args=(42,)))
    first.close()  # the process that enqueued is gone

    second = SQLiteBroker(path=path)
    consumer = second.consume("q", timeout=500)
    proxy = next(consumer)
    assert proxy is not None and tuple(proxy.args) == (42,)
    consumer.ack(proxy)
    assert second.pending_count("q") == 0


def test_claimed_message_is_not_handed_out_twice(sqlite_broker):
    sqlite_broker.enqueue(_message())
    a = sqlite_broker.consume("q", prefetch=5, timeout=200)
    b = sqlite_broker.consume("q", prefetch=5, timeout=200)
    assert next(a) is not None
    assert next(b) is None


def test_expired_lease_requeues_message_of_a_dead_consumer(sqlite_broker):
    sqlite_broker.enqueue(_message(args=(7,)))
    dead = sqlite_broker.consume("q", timeout=200)
    assert next(dead) is not None  # taken, never acked: its worker "died"
    survivor = sqlite_broker.consume("q", timeout=2500)
    survivor._last_lease_work = 0
    time.sleep(1.1)
    proxy = next(survivor)
    assert proxy is not None and tuple(proxy.args) == (7,)


def test_live_consumer_renews_its_lease(sqlite_broker):
    sqlite_broker.enqueue(_message())
    owner = sqlite_broker.consume("q", prefetch=1, timeout=300)
    assert next(owner) is not None
    other = sqlite_broker.consume("q", timeout=300)
    for _ in range(6):  # 1.8 s, longer than the 1 s lease
        owner._maintain_leases()
        assert next(other) is None
        time.sleep(0.15)


def test_delayed_message_waits_for_its_eta(sqlite_broker):
    sqlite_broker.enqueue(_message(), delay=600)
    consumer = sqlite_broker.consume("q", timeout=200)
    assert next(consumer) is None
    time.sleep(0.5)
    proxy = next(consumer)
    assert proxy is not None
    assert "eta" not in proxy.options


def test_nack_keeps_message_as_dead_letter(sqlite_broker):
    sqlite_broker.enqueue(_message())
    consumer = sqlite_broker.consume("q", timeout=200)
    consumer.nack(next(consumer))
    assert sqlite_broker.pending_count("q") == 0
    dead = sqlite_broker.conn.execute("SELECT COUNT(*) FROM queue_messages WHERE state='dead'").fetchone()[0]
    assert dead == 1


def test_requeue_puts_prefetched_messages_back(sqlite_broker):
    sqlite_broker.enqueue(_message(args=(1,)))
    sqlite_broker.enqueue(_message(args=(2,)))
    consumer = sqlite_broker.consume("q", prefetch=2, timeout=200)
    taken = [next(consumer), next(consumer)]
    consumer.requeue(taken)
    again = sqlite_broker.consume("q", prefetch=2, timeout=200)
    assert sorted(next(again).args[0] for _ in range(2)) == [1, 2]


def test_real_worker_runs_actor_and_retries_with_backoff(tmp_path):
    broker = SQLiteBroker(path=str(tmp_path / "queue.sqlite3"), lease_seconds=5)
    calls: list[int] = []

    @dramatiq.actor(broker=broker, queue_name="q", max_retries=2, min_backoff=100, max_backoff=200)
    def flaky(n):
        calls.append(n)
        if len(calls) < 2:
            raise RuntimeError("first try fails")

    flaky.send(5)
    worker = Worker(broker, worker_timeout=100, worker_threads=1)
    worker.start()
    try:
        broker.join("q", timeout=10_000)
    finally:
        worker.stop()
    assert calls == [5, 5]
    assert broker.pending_count() == 0
