"""Provider configuration, health (circuit breaker, rate-limit pauses) and calling
several providers in parallel. Adapters run in worker threads and never touch the
database; outcomes are recorded here, in the calling thread."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from core import metrics
from core.errors import (
    AuthenticationFailed,
    ConfigurationError,
    NotFound,
    OmniError,
    RateLimited,
    ServiceUnavailable,
)
from search.models import MetadataSettings, ProviderStatus, SearchProvider
from search.providers.base import BookRecord, Capability, MetadataProvider, ProviderConfig
from search.providers.registry import PROVIDERS, build_provider, provider_info

logger = logging.getLogger(__name__)
MAX_COOLDOWN_SECONDS = 15 * 60
CALL_TIMEOUT_SECONDS = 60.0
# Tests inject httpx transports or shorter timeouts here; production leaves it empty.
PROVIDER_OVERRIDES: dict[str, Any] = {}


def cache_path():
    return settings.DATA_DIR / "provider_cache.sqlite3"


def provider_config(row: SearchProvider, options: MetadataSettings | None = None) -> ProviderConfig:
    options = options or MetadataSettings.load()
    return ProviderConfig(
        name=row.adapter, label=row.label, base_url=row.base_url, api_key=row.api_key,
        covers_base_url=row.covers_base_url, rate_per_second=row.rate_per_second,
        hourly_limit_per_resource=row.hourly_limit_per_resource, cache_path=cache_path(),
        cache_ttl_seconds=options.cache_ttl_seconds, **PROVIDER_OVERRIDES.get("config", {}),
    )


def make_provider(row: SearchProvider, options: MetadataSettings | None = None) -> MetadataProvider:
    return build_provider(provider_config(row, options), **PROVIDER_OVERRIDES.get("build", {}))


def status_text(row: SearchProvider, now: datetime | None = None) -> str:
    """'Google Books: rate limited, retry in 40 s' — one line for the UI."""
    now = now or timezone.now()
    wait_s = int((row.retry_at - now).total_seconds()) if row.retry_at and row.retry_at > now else 0
    retry = f", retry in {wait_s} s" if wait_s else ""
    if row.retired_at is not None:
        return f"{row.label}: retired"
    if not row.enabled:
        return f"{row.label}: disabled"
    if row.adapter in PROVIDERS and provider_info(row.adapter).requires_api_key and not row.api_key:
        return f"{row.label}: not configured (API key required)"
    if row.status == ProviderStatus.RATE_LIMITED:
        return f"{row.label}: rate limited{retry or ', ready again'}"
    if row.status == ProviderStatus.UNAVAILABLE:  # the provider named once: its error starts with its name
        return f"{row.label}: unavailable{retry} ({row.last_error.removeprefix(row.label).lstrip(': ')})"
    if row.status in (ProviderStatus.ERROR, ProviderStatus.UNCONFIGURED):
        return f"{row.label}: error ({row.last_error})"
    return f"{row.label}: OK" if row.status == ProviderStatus.OK else f"{row.label}: not used yet"


def blocked_reason(row: SearchProvider, now: datetime | None = None) -> str:
    """Why this provider must not be called now ('' when it may be)."""
    now = now or timezone.now()
    if not row.enabled:
        return status_text(row, now)
    if row.retired_at is not None:
        return f"{row.label}: retired"
    if row.adapter not in PROVIDERS:
        return f"{row.label}: unknown provider"
    if provider_info(row.adapter).requires_api_key and not row.api_key:
        return status_text(row, now)
    if row.retry_at and row.retry_at > now:
        return status_text(row, now)
    return ""


def record_outcome(row: SearchProvider, error: Exception | None, options: MetadataSettings | None = None) -> None:
    """Circuit breaker: success closes it; transient failures count and open it for a
    growing pause after `breaker_threshold`; a rate-limit reply pauses until Retry-After."""
    options = options or MetadataSettings.load()
    now = timezone.now()
    fields: dict[str, Any]
    if error is None or isinstance(error, NotFound):
        fields = {"status": ProviderStatus.OK, "consecutive_failures": 0, "retry_at": None, "last_success_at": now}
    elif isinstance(error, RateLimited):
        pause = error.retry_after or options.breaker_cooldown_seconds
        fields = {"status": ProviderStatus.RATE_LIMITED, "retry_at": now + timedelta(seconds=pause),
                  "last_error": error.message[:2000], "last_error_at": now}
    elif isinstance(error, ServiceUnavailable):
        failures = row.consecutive_failures + 1
        retry_at = None
        if failures >= options.breaker_threshold:
            pause = min(options.breaker_cooldown_seconds * 2 ** (failures - options.breaker_threshold),
                        MAX_COOLDOWN_SECONDS)
            retry_at = now + timedelta(seconds=pause)
        fields = {"status": ProviderStatus.UNAVAILABLE, "consecutive_failures": failures, "retry_at": retry_at,
                  "last_error": error.message[:2000], "last_error_at": now}
    else:
        status = ProviderStatus.UNCONFIGURED if isinstance(error, ConfigurationError | AuthenticationFailed) \
            else ProviderStatus.ERROR
        message = error.message if isinstance(error, OmniError) else f"{type(error).__name__}: {error}"
        fields = {"status": status, "consecutive_failures": row.consecutive_failures + 1,
                  "last_error": message[:2000], "last_error_at": now}
    SearchProvider.objects.filter(pk=row.pk).update(**fields)
    for key, value in fields.items():
        setattr(row, key, value)
    metrics.provider_call(row.name, call_outcome(error))


def call_outcome(error: Exception | None) -> str:
    """A provider call's outcome as /metrics counts it."""
    if error is None:
        return "ok"
    for kind, label in ((NotFound, "not_found"), (RateLimited, "rate_limited"), (ServiceUnavailable, "unavailable"),
                        (ConfigurationError, "refused"), (AuthenticationFailed, "refused")):
        if isinstance(error, kind):
            return label
    return "error"


def ensure_providers() -> None:
    """Recreate missing default provider rows (the migration seeds them; a flushed
    database or a deleted row must not leave the app without providers)."""
    from search.defaults import PROVIDERS as DEFAULTS

    if set(SearchProvider.objects.filter(kind="").values_list("name", flat=True)) >= {d[0] for d in DEFAULTS}:
        return
    for name, label, base, covers, priority, rate, hourly, kinds, enabled in DEFAULTS:
        SearchProvider.objects.get_or_create(name=name, defaults={
            "label": label, "base_url": base, "covers_base_url": covers, "priority": priority,
            "rate_per_second": rate, "hourly_limit_per_resource": hourly, "media_types": kinds, "enabled": enabled})


def rows_for(kind: str, capability: Capability, names: list[str] | None = None) -> list[SearchProvider]:
    ensure_providers()
    rows = [r for r in SearchProvider.objects.filter(enabled=True, retired_at=None).order_by("priority", "name")
            if r.adapter in PROVIDERS and (not r.media_types or kind in r.media_types)
            and kind in provider_info(r.adapter).media_kinds and capability in provider_info(r.adapter).capabilities]
    return [r for r in rows if not names or r.name in names]


@dataclass(frozen=True)
class ProviderOutcome:
    name: str
    label: str
    result: Any = None
    error: str = ""
    status: str = ""  # the status line after the call
    skipped: bool = False

    @property
    def ok(self) -> bool:
        return not self.error and not self.skipped


def call_providers(rows: list[SearchProvider], fn: Callable[[MetadataProvider], Any]) -> list[ProviderOutcome]:
    """Call `fn(provider)` on every usable provider at once; a slow or broken one never
    blocks the others beyond CALL_TIMEOUT_SECONDS, and its status is recorded."""
    options = MetadataSettings.load()
    usable, outcomes = [], {}
    for row in rows:
        reason = blocked_reason(row)
        if reason:
            outcomes[row.name] = ProviderOutcome(row.name, row.label, error=reason, status=reason, skipped=True)
            metrics.provider_call(row.name, "skipped")
        else:
            usable.append(row)
    if usable:
        with ThreadPoolExecutor(max_workers=len(usable), thread_name_prefix="provider") as pool:
            futures = {pool.submit(_run, row, options, fn): row for row in usable}
            done, _ = wait(futures, timeout=CALL_TIMEOUT_SECONDS)
            for future, row in futures.items():
                result, error = future.result() if future in done else (
                    None, ServiceUnavailable(f"{row.label}: no answer within {CALL_TIMEOUT_SECONDS:.0f} s"))
                record_outcome(row, error, options)
                message = "" if error is None else (error.message if isinstance(error, OmniError) else str(error))
                outcomes[row.name] = ProviderOutcome(row.name, row.label, result=result, error=message,
                                                     status=status_text(row))
    return [outcomes[r.name] for r in rows]


def _tagged(result: Any, source: str) -> Any:
    """Records say which configured source answered (an added mirror speaks the adapter's
    language, so its records carry the adapter's name as `provider`)."""
    if isinstance(result, BookRecord):
        return replace(result, source=source)
    if isinstance(result, list):
        return [replace(r, source=source) if isinstance(r, BookRecord) else r for r in result]
    return result


def _run(row: SearchProvider, options: MetadataSettings, fn) -> tuple[Any, Exception | None]:
    provider = None
    try:
        provider = make_provider(row, options)
        return _tagged(fn(provider), row.name), None
    except Exception as exc:  # reported per provider; one failure never stops the others
        if not isinstance(exc, OmniError):
            logger.exception("%s: unexpected error", row.label)
        return None, exc
    finally:
        if provider is not None:
            provider.close()
