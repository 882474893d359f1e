"""The setup wizard's "Metadata sources" step: which providers are used, their addresses
and API keys (SearchProvider rows), and a live test through each provider's own adapter.
Registered from SearchConfig.ready()."""

from __future__ import annotations

from django.db import transaction

from core.wizard import registry
from core.wizard.registry import Message
from search.models import ProviderStatus, SearchProvider
from search.providers.base import ProviderConfig, SearchQuery
from search.providers.registry import build_provider, provider_info
from search.services.providers import ensure_providers

NAMES = ("openlibrary", "googlebooks", "comicvine")
KEYED = ("googlebooks", "comicvine")
TEST_TIMEOUT = 8.0


def initial() -> dict:
    ensure_providers()
    rows = {row.name: row for row in SearchProvider.objects.filter(name__in=NAMES)}
    # a provider that needs a key it does not have is not in use, whatever its switch says
    usable = [n for n, row in rows.items() if row.enabled and (row.api_key or not provider_info(n).requires_api_key)]
    values: dict = {"providers": usable}
    for name, row in rows.items():
        values[f"{name}_url"] = row.base_url
        if name in KEYED:
            values[f"{name}_api_key"] = row.api_key
    return values


@transaction.atomic
def apply(answers: dict) -> list[Message]:
    """Enable the chosen providers, disable the others; an empty URL or key keeps the
    stored one. A changed address or key resets the provider's health (a fresh start)."""
    ensure_providers()
    chosen = set(answers.get("providers") or [])
    messages = []
    for row in SearchProvider.objects.select_for_update().filter(name__in=NAMES).order_by("priority"):
        url = (answers.get(f"{row.name}_url") or "").strip() or row.base_url
        key = (answers.get(f"{row.name}_api_key") or "").strip() or row.api_key
        changed = (url, key) != (row.base_url, row.api_key)
        row.enabled, row.base_url, row.api_key = row.name in chosen, url, key
        fields = ["enabled", "base_url", "api_key"]
        if changed:
            row.status, row.retry_at, row.consecutive_failures = ProviderStatus.UNKNOWN, None, 0
            fields += ["status", "retry_at", "consecutive_failures"]
        row.save(update_fields=fields)
        state = "used" if row.enabled else "not used"
        messages.append(Message("ok", f"{row.label}: {state} ({row.base_url})."))
    return messages


def make_tester(name: str):
    def test(answers: dict) -> Message:
        return test_provider(name, answers)

    return test


def test_provider(name: str, answers: dict) -> Message:
    """Ask the provider one small search through its real adapter, with the typed (or
    stored) address and key. Unreachable is a warning; a refused key is an error."""
    info = provider_info(name)
    row = SearchProvider.objects.filter(name=name).first()
    url = (answers.get("url") or "").strip() or (row.base_url if row else info.default_base_url)
    key = (answers.get("api_key") or "").strip() or (row.api_key if row else "")
    if info.requires_api_key and not key:
        return Message("error", f"{info.label} needs an API key.", "Enter it, then test again.")
    probe = registry.tcp_probe(url)
    if probe.level != "ok":
        return probe
    config = ProviderConfig(name=name, label=info.label, base_url=url, api_key=key, timeout=TEST_TIMEOUT,
                            retries=0, cache_path=None)
    kind = "comic" if "comic" in info.media_kinds and "ebook" not in info.media_kinds else "ebook"
    provider = build_provider(config)
    try:
        found = provider.search(SearchQuery(text="dune", kind=kind, limit=1))
    except Exception as exc:  # reported to the user, the wizard carries on
        return registry.failure_message(info.label, exc)
    finally:
        provider.close()
    return Message("ok", f"{info.label} answers at {url} ({len(found)} result(s) for a test search).")


def register() -> None:
    registry.register_initial("metadata", initial)
    registry.register_apply("metadata", apply)
    for name in NAMES:
        registry.register_tester(name, make_tester(name), settings_page="Settings > Metadata (/settings/metadata/)")
