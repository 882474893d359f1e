"""The embedded task queue: a Dramatiq broker on a SQLite file, for installs with no
RabbitMQ. Messages survive restarts; a message taken by a worker is leased, the lease is
renewed while the worker lives, and a lease that runs out (the worker was killed) puts the
message back in the queue so the job is retried, not lost.

Why our own: dramatiq-sqlite 0.1.0 leaves messages of a killed worker "consumed" forever
and its requeue query is broken (`IN ?` with a tuple), so it loses work in exactly the
cases this queue exists for."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path

from dramatiq import Message
from dramatiq.broker import Broker, Consumer, MessageProxy
from dramatiq.common import current_millis, dq_name, q_name

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS queue_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL,
    queue_name TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued',
    body TEXT NOT NULL,
    eta_ms INTEGER NOT NULL DEFAULT 0,
    lease_until REAL,
    enqueued_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS queue_messages_ready ON queue_messages (queue_name, state, eta_ms, id);
"""


def connect(path: str) -> sqlite3.Connection:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")  # a queued job must survive a power cut
    conn.executescript(SCHEMA)
    return conn


class _Connections(threading.local):
    conn: sqlite3.Connection | None = None


class SQLiteBroker(Broker):
    """Dramatiq broker whose queues are rows in one SQLite table."""

    def __init__(self, *, path: str, lease_seconds: float = 60.0, middleware=None, **kwargs) -> None:
        super().__init__(middleware=middleware, **kwargs)
        self.path = path
        self.lease_seconds = lease_seconds
        self._local = _Connections()
        connect(path).close()

    @property
    def conn(self) -> sqlite3.Connection:
        if self._local.conn is None:
            self._local.conn = connect(self.path)
        return self._local.conn

    def close(self) -> None:
        if self._local.conn is not None:
            self._local.conn.close()
            self._local.conn = None

    def consume(self, queue_name: str, prefetch: int = 1, timeout: int = 5000) -> Consumer:
        if queue_name in self.delay_queues:  # delayed rows are served by the main queue's consumer
            return _IdleConsumer(timeout_ms=timeout)
        return SQLiteConsumer(self, queue_name, prefetch=prefetch, timeout_ms=timeout)

    def declare_queue(self, queue_name: str) -> None:
        if queue_name in self.queues:
            return
        self.emit_before("declare_queue", queue_name)
        self.queues[queue_name] = None
        self.emit_after("declare_queue", queue_name)
        delayed = dq_name(queue_name)
        self.delay_queues.add(delayed)
        self.emit_after("declare_delay_queue", delayed)

    def enqueue(self, message: Message, *, delay: int | None = None) -> Message:
        queue_name = q_name(message.queue_name)
        self.declare_queue(queue_name)
        self.emit_before("enqueue", message, delay)
        # A delayed message waits in its own queue's rows until its eta; the consumer
        # only hands out due messages, so no worker holds future work in memory.
        eta = current_millis() + delay if delay else 0
        message = message.copy(queue_name=queue_name)
        self.conn.execute(
            "INSERT INTO queue_messages (message_id, queue_name, body, eta_ms, enqueued_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (message.message_id, queue_name, message.encode().decode("utf-8"), eta, time.time()),
        )
        self.emit_after("enqueue", message, delay)
        return message

    def get_declared_queues(self) -> set[str]:
        return set(self.queues)

    def get_declared_delay_queues(self) -> set[str]:
        return set(self.delay_queues)

    def pending_count(self, queue_name: str | None = None) -> int:
        sql = "SELECT COUNT(*) FROM queue_messages WHERE state IN ('queued', 'consumed')"
        params: tuple = ()
        if queue_name:
            sql += " AND queue_name = ?"
            params = (q_name(queue_name),)
        return int(self.conn.execute(sql, params).fetchone()[0])

    def flush(self, queue_name: str) -> None:
        self.conn.execute("DELETE FROM queue_messages WHERE queue_name = ?", (q_name(queue_name),))

    def flush_all(self) -> None:
        self.conn.execute("DELETE FROM queue_messages")

    def join(self, queue_name: str, *, timeout: int | None = None) -> None:
        """Wait until the queue has no queued or running message (tests use this)."""
        deadline = None if timeout is None else time.monotonic() + timeout / 1000
        while self.pending_count(queue_name):
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"queue {queue_name} not empty after {timeout} ms")
            time.sleep(0.05)


class SQLiteConsumer(Consumer):
    POLL_SECONDS = 0.2

    def __init__(self, broker: SQLiteBroker, queue_name: str, *, prefetch: int, timeout_ms: int) -> None:
        self.broker = broker
        self.queue_name = q_name(queue_name)
        self.prefetch = prefetch
        self.timeout = timeout_ms / 1000
        self.conn = connect(broker.path)
        self.in_flight: set[int] = set()  # row ids of messages handed out, not yet acked
        self._last_lease_work = 0.0

    def __next__(self) -> MessageProxy | None:
        self._maintain_leases()
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if len(self.in_flight) < self.prefetch:
                claimed = self._claim_one()
                if claimed is not None:
                    row_id, message = claimed
                    proxy = MessageProxy(message)
                    # One delivery = one row: a retry of the same message id is a new row,
                    # so acks must name the row, never the message id.
                    proxy._omni_row_id = row_id
                    return proxy
            time.sleep(self.POLL_SECONDS)
            self._maintain_leases()
        return None

    def _claim_one(self) -> tuple[int, Message] | None:
        row = self.conn.execute(
            "UPDATE queue_messages SET state='consumed', lease_until=? WHERE id = ("
            " SELECT id FROM queue_messages WHERE queue_name=? AND state='queued' AND eta_ms<=?"
            " ORDER BY id LIMIT 1) RETURNING id, message_id, body",
            (time.time() + self.broker.lease_seconds, self.queue_name, current_millis()),
        ).fetchone()
        if row is None:
            return None
        row_id, message_id, body = row
        self.in_flight.add(row_id)
        try:
            message = Message.decode(body.encode("utf-8"))
        except Exception:  # a message we cannot decode would loop forever: park it
            logger.exception("Undecodable message %s parked as dead", message_id)
            self._finish(row_id, dead=True)
            return None
        message.options.pop("eta", None)  # it is due: run it now
        return row_id, message

    def _maintain_leases(self) -> None:
        """Renew our leases; put back messages whose worker died (lease ran out)."""
        now = time.time()
        if now - self._last_lease_work < self.broker.lease_seconds / 4:
            return
        self._last_lease_work = now
        if self.in_flight:
            marks = ",".join("?" * len(self.in_flight))
            self.conn.execute(
                f"UPDATE queue_messages SET lease_until=? WHERE id IN ({marks})",
                (now + self.broker.lease_seconds, *self.in_flight),
            )
        expired = self.conn.execute(
            "UPDATE queue_messages SET state='queued', lease_until=NULL "
            "WHERE queue_name=? AND state='consumed' AND lease_until < ? RETURNING message_id",
            (self.queue_name, now),
        ).fetchall()
        for (message_id,) in expired:
            logger.warning("Message %s lost its worker (lease expired); queued again", message_id)

    def _finish(self, row_id: int, *, dead: bool = False) -> None:
        self.in_flight.discard(row_id)
        if dead:
            self.conn.execute("UPDATE queue_messages SET state='dead', lease_until=NULL WHERE id=?", (row_id,))
        else:
            self.conn.execute("DELETE FROM queue_messages WHERE id=?", (row_id,))

    def ack(self, message: MessageProxy) -> None:
        self._finish(message._omni_row_id)

    def nack(self, message: MessageProxy) -> None:
        self._finish(message._omni_row_id, dead=True)

    def requeue(self, messages) -> None:
        row_ids = [m._omni_row_id for m in messages]
        self.in_flight.difference_update(row_ids)
        if not row_ids:
            return
        marks = ",".join("?" * len(row_ids))
        self.conn.execute(
            f"UPDATE queue_messages SET state='queued', lease_until=NULL WHERE id IN ({marks})", row_ids
        )

    def close(self) -> None:
        self.conn.close()


class _IdleConsumer(Consumer):
    """Stands in for a delay queue's consumer: delayed rows are served by the main queue."""

    def __init__(self, *, timeout_ms: int) -> None:
        self.timeout = min(timeout_ms / 1000, 1.0)

    def __next__(self) -> None:
        time.sleep(self.timeout)
        return None

    def ack(self, message) -> None:  # never hands out a message
        raise RuntimeError("idle consumer has no messages")

    nack = ack

    def requeue(self, messages) -> None:
        return None

    def close(self) -> None:
        return None
