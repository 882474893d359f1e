"""Settings > Metadata: each provider's switch, address, API key and order, validated by one
form (the settings page) and tested live through the provider's own adapter (the wizard's test).
The API key is never rendered: a masked hint, empty keeps it. Also the form that adds a source of
an existing kind (the Data sources page)."""

from __future__ import annotations

from django import forms
from django.db import transaction

from core.errors import Conflict, InvalidInput, NotFound
from core.settings_forms import invalid, mask_secret, secret_field
from core.wizard.registry import Message
from search.models import ProviderStatus, SearchProvider
from search.providers.registry import PROVIDERS, provider_info
from search.services import trust
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


class AddSourceForm(forms.Form):
    """A second source of an existing kind (a mirror, a key of one's own): the same rules as
    POST /api/providers/ (its SourceIn schema)."""

    kind = forms.ChoiceField(label="Kind", help_text="The kind of source: it speaks that provider's protocol")
    name = forms.RegexField(r"^[a-z0-9][-a-z0-9_]*$", min_length=2, max_length=32, label="Name",
                            help_text="Lower-case letters, digits, - and _; how the history names it")
    label = forms.RegexField(r"\S", max_length=64, label="Label", help_text="Shown on the pages")
    base_url = forms.RegexField(r"^https?://[!-~]+$", max_length=500, label="Address",
                                help_text="Its own base URL (http or https)")
    api_key = secret_field("API key", "", max_length=255)
    covers_base_url = forms.RegexField(r"^https?://[!-~]+$", max_length=500, required=False,
                                       label="Covers address (optional)", help_text="Empty: as its kind")
    priority = forms.IntegerField(min_value=0, max_value=1000, initial=50, label="Priority",
                                  help_text="Lower is asked first and wins ties")

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "add")
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(name, PROVIDERS[name].info.label) for name in sorted(PROVIDERS)]


def add_source(form: AddSourceForm, *, user=None) -> SearchProvider | None:
    """The added source, or None with the problems on the form (a name taken included)."""
    if not form.is_valid():
        return None
    try:
        return trust.add_source(trust.NewSource(**form.cleaned_data), user=user)
    except (Conflict, InvalidInput) as exc:
        form.add_error("name" if isinstance(exc, Conflict) else None, exc.message)
        return None


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
