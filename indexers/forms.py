"""The form of one indexer connection (Prowlarr, Newznab, Torznab): the settings page and the
JSON API validate through it. The API key is never rendered: empty keeps the stored one."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import forms

from core.errors import InvalidInput
from core.settings_forms import secret_field, valid_host
from indexers.learning import parse_order
from indexers.models import IndexerConfig, IndexerKind, QueryOrderMode


def split_url(url: str) -> tuple[str, str]:
    """'http://host:9696/prowlarr/' -> ('http://host:9696', '/prowlarr')."""
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}", parts.path.rstrip("/")


class IndexerForm(forms.Form):
    name = forms.CharField(max_length=100)
    kind = forms.ChoiceField(choices=IndexerKind.choices)
    url = forms.CharField(
        max_length=600,
        label="Address",
        help_text="e.g. http://192.168.1.10:9696 or http://host/prowlarr behind a reverse proxy; for "
        "Newznab/Torznab the indexer's API address without /api",
    )
    verify_ssl = forms.BooleanField(required=False, initial=True, label="Verify the HTTPS certificate")
    timeout_seconds = forms.IntegerField(min_value=1, max_value=300, initial=30, label="Timeout (seconds)")
    priority = forms.IntegerField(min_value=1, max_value=100, initial=25, help_text="Lower is asked first")
    enabled = forms.BooleanField(required=False, initial=True)
    indexer_ids = forms.RegexField(
        regex=r"^\s*(\d+\s*(,\s*\d+\s*)*)?$",
        required=False,
        max_length=200,
        label="Only these Prowlarr indexers",
        help_text="Prowlarr only: press Test and tick the indexers to search with; empty asks every indexer",
        error_messages={"invalid": "Write indexer ids as numbers separated by commas, e.g. 1, 4"},
    )

    query_order_mode = forms.ChoiceField(
        choices=QueryOrderMode.choices,
        initial=QueryOrderMode.AUTOMATIC,
        required=False,
        label="Query order",
        help_text="Automatic asks first the query forms whose grabs imported best on this indexer",
    )
    query_order = forms.CharField(
        max_length=100,
        required=False,
        label="Manual query order",
        help_text="Manual only: query forms in order, comma-separated, from isbn, title_author, "
        "author_title, title; forms left out are not asked (empty: all, in the default order)",
    )

    def __init__(self, *args, instance: IndexerConfig | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance = instance
        stored = instance.api_key if instance else ""
        self.fields["api_key"] = secret_field("API key", stored, required=True)
        self.order_fields(["name", "kind", "url", "api_key"])

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        others = IndexerConfig.objects.filter(name__iexact=name)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(f"Another indexer is already called {name}.")
        return name

    def clean_url(self) -> str:
        """http(s)://host[:port][/urlbase]; a bare host name (a container's) is fine."""
        url = self.cleaned_data["url"].strip()
        example = "e.g. http://192.168.1.10:9696"
        try:
            parts = urlsplit(url if "://" in url else "http://" + url)
            port = parts.port
        except ValueError as exc:
            raise forms.ValidationError(f"{url!r} is not an address: write it like {example}.") from exc
        if parts.scheme not in ("http", "https"):
            raise forms.ValidationError(f"The address must start with http:// or https://, {example}.")
        if not parts.hostname or any(c.isspace() for c in parts.netloc) or not valid_host(parts.hostname):
            raise forms.ValidationError(f"Enter the address with a valid host name, {example}.")
        if port == 0:
            raise forms.ValidationError("The port must be a number from 1 to 65535.")
        if parts.query or parts.fragment or parts.username:
            raise forms.ValidationError("Leave keys and passwords out of the address; the API key has its own field.")
        return parts.geturl()

    def clean_query_order(self) -> str:
        try:
            return ",".join(parse_order(self.cleaned_data.get("query_order") or ""))
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean_query_order_mode(self) -> str:
        return self.cleaned_data.get("query_order_mode") or QueryOrderMode.AUTOMATIC

    def values(self) -> dict:
        """The model's fields; an empty API key keeps the stored one."""
        data = dict(self.cleaned_data)
        url, base_path = split_url(data.pop("url"))
        key = data.pop("api_key") or (self.instance.api_key if self.instance else "")
        data["indexer_ids"] = ",".join(p.strip() for p in data["indexer_ids"].split(",") if p.strip())
        return {**data, "url": url, "base_path": base_path, "api_key": key}


def form_data(config: IndexerConfig) -> dict:
    """A stored indexer as form values (the key left out: empty keeps it)."""
    names = ("name", "kind", "verify_ssl", "timeout_seconds", "priority", "enabled", "indexer_ids",
             "query_order_mode", "query_order")
    return {**{n: getattr(config, n) for n in names}, "url": config.url.rstrip("/") + config.base_path, "api_key": ""}
