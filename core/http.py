"""The one HTTP client factory for every adapter: timeouts, a polite per-client rate
limit, retries with exponential backoff on transient failures, and HTTP status codes
mapped once to `core.errors`. No raw httpx exception leaves this module."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from core.errors import (
    AuthenticationFailed,
    BadResponse,
    NotFound,
    OmniError,
    RateLimited,
    ServiceUnavailable,
    connection_cause,
)

logger = logging.getLogger(__name__)
USER_AGENT = "OmniReadarr/0.1 (self-hosted book manager)"
MAX_RETRY_AFTER = 60.0


@dataclass(frozen=True)
class HttpConfig:
    base_url: str
    service: str = "service"  # used in error messages: "Prowlarr: ..."
    timeout: float = 15.0
    retries: int = 2
    backoff: float = 0.5
    rate_per_second: float | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, str] = field(default_factory=dict)  # sent with every request (e.g. apikey)
    verify_ssl: bool = True


class RateLimiter:
    """At most `per_second` requests per second, spaced evenly (thread-safe)."""

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = 1.0 / per_second
        self._next = 0.0
        self._lock = threading.Lock()
        self._clock, self._sleep = clock, sleep

    def wait(self) -> None:
        with self._lock:
            now = self._clock()
            delay = self._next - now
            self._next = max(now, self._next) + self.interval
        if delay > 0:
            self._sleep(delay)


def error_for_status(response: httpx.Response, service: str) -> OmniError | None:
    status = response.status_code
    if status < 400:
        return None
    where = f"{service}: HTTP {status} for {response.request.method} {response.request.url.copy_with(query=None)}"
    body = {"status": status, "body": response.text[:500]}  # lets an adapter tell its refusals apart
    if status in (401, 403):
        return AuthenticationFailed(
            f"{service} refused our credentials (HTTP {status} for {response.request.url.copy_with(query=None)})",
            hint=f"Check the {service} API key.", details=body,
        )
    if status == 404:
        return NotFound(where, details=body)
    if status in (420, 429):  # 420 "Enhance your calm": Comic Vine's rate-limit reply
        return RateLimited(f"{where} (rate limited)", retry_after=_retry_after(response))
    if status >= 500:
        return ServiceUnavailable(
            f"{service} answered with a server error (HTTP {status}) at {response.request.url.copy_with(query=None)}",
            hint="It may be starting or overloaded: try again in a minute; if it lasts, look at its logs.",
        )
    return BadResponse(f"{where}: {response.text[:200]}")


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return min(float(response.headers.get("Retry-After", "")), MAX_RETRY_AFTER)
    except ValueError:
        return None


class HttpClient:
    def __init__(self, config: HttpConfig, *, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        self._sleep = sleep
        self._limiter = RateLimiter(config.rate_per_second, sleep=sleep) if config.rate_per_second else None
        self._client = httpx.Client(
            base_url=config.base_url, timeout=config.timeout, verify=config.verify_ssl, transport=transport,
            headers={"User-Agent": USER_AGENT, **dict(config.headers)}, follow_redirects=True,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send with retries on transient errors; raise a `core.errors` error otherwise."""
        kwargs["params"] = {**dict(self.config.params), **dict(kwargs.get("params") or {})}
        attempt = 0
        while True:
            try:
                return self._send_once(method, path, **kwargs)
            except ServiceUnavailable as exc:
                if attempt >= self.config.retries:
                    raise
                delay = self._backoff(attempt, exc)
                logger.info("%s: %s; retry %s in %.1f s", self.config.service, exc.message, attempt + 1, delay)
                self._sleep(delay)
                attempt += 1

    def _backoff(self, attempt: int, exc: ServiceUnavailable) -> float:
        if isinstance(exc, RateLimited) and exc.retry_after:
            return exc.retry_after
        return self.config.backoff * (2**attempt)

    def _send_once(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        if self._limiter:
            self._limiter.wait()
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise ServiceUnavailable(
                f"{self.config.service} did not answer within {self.config.timeout:g} s at {self._where(path)}",
                hint="Is it running and reachable from this server? Check the address.",
            ) from exc
        except httpx.TransportError as exc:
            cause, hint = connection_cause(exc)
            raise ServiceUnavailable(f"{self.config.service} is not answering at {self._where(path)}: {cause}",
                                     hint=hint) from exc
        error = error_for_status(response, self.config.service)
        if error is not None:
            raise error
        return response

    def _where(self, path: str) -> str:
        """The address asked (the service's base URL), without a query that may hold a key."""
        if path.startswith(("http://", "https://")):
            return str(httpx.URL(path).copy_with(query=None))
        return self.config.base_url or path

    def get_json(self, path: str, **kwargs: Any) -> Any:
        response = self.request("GET", path, **kwargs)
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BadResponse(f"{self.config.service}: expected JSON from {path}, got "
                              f"{response.headers.get('content-type', 'unknown')}: {response.text[:120]!r}") from exc

    def get_text(self, path: str, **kwargs: Any) -> str:
        return self.request("GET", path, **kwargs).text

    def get_bytes(self, path: str, *, max_bytes: int = 20 * 1024 * 1024, **kwargs: Any) -> bytes:
        content = self.request("GET", path, **kwargs).content
        if len(content) > max_bytes:
            raise BadResponse(f"{self.config.service}: response larger than {max_bytes} bytes")
        return content
