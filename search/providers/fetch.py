"""The resilient way providers fetch JSON: a persistent response cache (SQLite file),
a per-provider rate limiter shared by every instance in the process, a per-resource
hourly quota kept in the same SQLite file (so it holds across processes and restarts),
on top of `core.http.HttpClient` (timeouts, retries with backoff, status mapping)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from core.errors import RateLimited
from core.http import HttpClient, HttpConfig, RateLimiter
from search.providers.base import ProviderConfig

_LIMITERS: dict[tuple[str, float], RateLimiter] = {}
_LIMITERS_LOCK = threading.Lock()
SECRET_PARAMS = frozenset({"api_key", "key", "apikey"})


def shared_limiter(name: str, per_second: float) -> RateLimiter:
    with _LIMITERS_LOCK:
        key = (name, per_second)
        if key not in _LIMITERS:
            _LIMITERS[key] = RateLimiter(per_second)
        return _LIMITERS[key]


class ResponseStore:
    """Cached JSON replies and the request log for hourly quotas, in one SQLite file."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._clock = clock
        self._enable_wal()
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS response (key TEXT PRIMARY KEY, body TEXT NOT NULL, "
                       "expires_at REAL NOT NULL)")
            db.execute("CREATE TABLE IF NOT EXISTS request_log (provider TEXT, resource TEXT, at REAL)")
            db.execute("CREATE INDEX IF NOT EXISTS request_log_idx ON request_log (provider, resource, at)")

    def _connect(self) -> sqlite3.Connection:
        # WAL is a property of the file (set once in __init__): switching the journal mode on
        # every connection needs an exclusive lock and failed with "database is locked" when
        # parallel provider threads opened the cache at the same time.
        return sqlite3.connect(self.path, timeout=20, isolation_level=None)

    def _enable_wal(self) -> None:
        for attempt in range(50):
            try:
                db = sqlite3.connect(self.path, timeout=20, isolation_level=None)
                try:
                    db.execute("PRAGMA journal_mode=WAL")
                finally:
                    db.close()
                return
            except sqlite3.OperationalError:
                time.sleep(0.05 * (attempt + 1))

    def get(self, key: str) -> Any | None:
        with self._connect() as db:
            row = db.execute("SELECT body, expires_at FROM response WHERE key = ?", (key,)).fetchone()
        if row is None or row[1] < self._clock():
            return None
        return json.loads(row[0])

    def put(self, key: str, value: Any, ttl_seconds: float) -> None:
        with self._connect() as db:
            db.execute("INSERT OR REPLACE INTO response (key, body, expires_at) VALUES (?, ?, ?)",
                       (key, json.dumps(value), self._clock() + ttl_seconds))

    def purge_expired(self) -> int:
        now = self._clock()
        with self._connect() as db:
            removed = db.execute("DELETE FROM response WHERE expires_at < ?", (now,)).rowcount
            db.execute("DELETE FROM request_log WHERE at < ?", (now - 3600,))
        return removed

    def take_quota(self, provider: str, resource: str, limit: int, window: float = 3600.0) -> float | None:
        """Record one request if fewer than `limit` happened in the window; otherwise return
        the seconds until the oldest one leaves it (nothing recorded)."""
        now = self._clock()
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            rows = db.execute("SELECT at FROM request_log WHERE provider = ? AND resource = ? AND at > ? "
                              "ORDER BY at", (provider, resource, now - window)).fetchall()
            if len(rows) >= limit:
                db.execute("COMMIT")
                return max(1.0, rows[0][0] + window - now)
            db.execute("INSERT INTO request_log VALUES (?, ?, ?)", (provider, resource, now))
            db.execute("COMMIT")
        return None


def cache_key(config: ProviderConfig, path: str, params: Mapping[str, Any]) -> str:
    visible = sorted((k, str(v)) for k, v in params.items() if k not in SECRET_PARAMS)
    raw = json.dumps([config.name, config.base_url.rstrip("/"), path, visible])
    return hashlib.sha256(raw.encode()).hexdigest()


class ResilientFetcher:
    def __init__(self, config: ProviderConfig, *, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep, store: ResponseStore | None = None,
                 default_params: Mapping[str, str] | None = None) -> None:
        self.config = config
        self.http = HttpClient(HttpConfig(
            base_url=config.base_url.rstrip("/"), service=config.label or config.name, timeout=config.timeout,
            retries=config.retries, backoff=config.backoff, params=dict(default_params or {}),
        ), transport=transport, sleep=sleep)
        self.store = store or (ResponseStore(config.cache_path) if config.cache_path else None)
        self._limiter = shared_limiter(config.name, config.rate_per_second) if config.rate_per_second else None
        self.network_calls = 0

    def close(self) -> None:
        self.http.close()

    def get_json(self, path: str, params: Mapping[str, Any] | None = None, *, resource: str = "",
                 cacheable: Callable[[Any], bool] = lambda data: True, fresh: bool = False) -> Any:
        """`fresh`: ask the provider even when a cached reply exists (listings that must see a
        new book at once); the reply is still cached for the others."""
        params = dict(params or {})
        key = cache_key(self.config, path, params)
        if self.store is not None and not fresh:
            cached = self.store.get(key)
            if cached is not None:
                return cached
        self._check_quota(resource or path)
        if self._limiter is not None:
            self._limiter.wait()
        self.network_calls += 1
        data = self.http.get_json(path, params=params)
        if self.store is not None and cacheable(data):
            self.store.put(key, data, self.config.cache_ttl_seconds)
        return data

    def _check_quota(self, resource: str) -> None:
        limit = self.config.hourly_limit_per_resource
        if not limit or self.store is None:
            return
        wait = self.store.take_quota(self.config.name, resource, limit)
        if wait is not None:
            raise RateLimited(f"{self.config.label or self.config.name}: hourly limit of {limit} requests "
                              f"for '{resource}' reached", retry_after=wait)
