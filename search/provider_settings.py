"""Settings > Metadata: each provider's switch, address, API key and order, validated by one
form (the settings page) and tested live through the provider's own adapter (the wizard's test).
The API key is never rendered: a masked hint, empty keeps it."""

from __future__ import annotations

from django import forms
from django.db import transaction

from core.errors import NotFound
from core.settings_forms import invalid, mask_secret, secret_field
from core.wizard.registry import Message
from search.models import ProviderStatus, SearchProvider
from search.providers.registry import provider_info
from search.services.providers import ensure_providers, status_text
from search.wizard_hooks import test_provider


class ProviderForm(forms.Form):
    enabled = forms.BooleanField(required=False, label="Use this provider")
    base_url = forms.URLField(max_length=500, label="Address", assume_scheme="https")
    priority = forms.IntegerField(min_value=0, max_value=1000, help_text="Lower is asked first and wins ties")

    def __init__(self, *args, row: SearchProvider, **kwargs) -> None:
        kwargs.setdefault("prefix", row.name)
        super().__init__(*args, **kwargs)
        self.row, self.info = row, provider_info(row.adapter)
        self.status = status_text(row).removeprefix(f"{row.label}: ")  # under the provider's own heading
        if self.info.requires_api_key:
            self.fields["api_key"] = secret_field("API key", row.api_key, max_length=255)

    def clean(self) -> dict:
        data = super().clean()
        key = data.get("api_key") or self.row.api_key
        if data.get("enabled") and self.info.requires_api_key and not key:
            raise forms.ValidationError(f"{self.info.label} needs an API key to be used: enter it or switch it off.")
        return data


def rows() -> list[SearchProvider]:
    ensure_providers()
    return list(SearchProvider.objects.order_by("priority", "name"))


def get_row(name: str) -> SearchProvider:
    row = SearchProvider.objects.filter(name=name).first()
    if row is None:
        raise NotFound(f"No metadata provider called {name!r}")
    return row


def initial(row: SearchProvider) -> dict:
    return {"enabled": row.enabled, "base_url": row.base_url, "priority": row.priority, "api_key": ""}


@transaction.atomic
def save_provider(row: SearchProvider, data: dict) -> SearchProvider:
    """Validate and store; a changed address or key gives the provider a fresh start."""
    form = ProviderForm(data, row=row)
    if not form.is_valid():
        raise invalid(form, f"{row.label} settings")
    values = form.cleaned_data
    key = values.get("api_key") or row.api_key
    if (values["base_url"], key) != (row.base_url, row.api_key):
        row.status, row.retry_at, row.consecutive_failures, row.last_error = ProviderStatus.UNKNOWN, None, 0, ""
    row.enabled, row.base_url, row.priority = values["enabled"], values["base_url"], values["priority"]
    row.api_key = key
    row.save()
    return row


def test(row: SearchProvider, *, base_url: str = "", api_key: str = "") -> Message:
    """One small search through the real adapter with the typed (or stored) address and key."""
    return test_provider(row.adapter, {"url": base_url or row.base_url, "api_key": api_key or row.api_key})


def public(row: SearchProvider) -> dict:
    info = provider_info(row.adapter)
    return {
        "name": row.name,
        "label": row.label,
        "enabled": row.enabled,
        "base_url": row.base_url,
        "priority": row.priority,
        "requires_api_key": info.requires_api_key,
        "api_key_set": bool(row.api_key),
        "api_key_masked": mask_secret(row.api_key),
        "status_text": status_text(row),
        "media_kinds": sorted(info.media_kinds),
    }
