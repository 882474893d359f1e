"""The form of one download client, built from what its adapter declares (`fields`,
`default_port`, `protocols`): the settings page, the JSON API and the wizard all validate
through it. Secrets are never rendered: an empty secret keeps the stored one."""

from __future__ import annotations

import re

from django import forms

from core.errors import InvalidInput
from downloaders.client_urls import mask_secret, parse_client_url
from downloaders.clients import registry
from downloaders.folders import is_absolute
from downloaders.models import DownloadClientConfig

SECRETS = ("api_key", "password")
CONNECTION_FIELDS = ("api_key", "username", "password")
KINDS = ("ebook", "audiobook", "comic")
_CATEGORY = re.compile(r"^[\w][\w .-]{0,63}$")
FOLDER_FIELDS = ("watch_folder", "completed_folder")
LABELS = {
    "api_key": "API key",
    "username": "User name",
    "password": "Password",
    "watch_folder": "Watch folder",
    "completed_folder": "Completed folder",
}
HELP = {
    "watch_folder": "Where OmniReadarr drops .nzb, .torrent and .magnet files for the other program to pick up",
    "completed_folder": "Where that program puts finished downloads, as this machine sees it; imports come from here",
}


def _secret_field(name: str, stored: str) -> forms.CharField:
    help_text = f"Stored: {mask_secret(stored)}. Leave empty to keep it." if stored else ""
    return forms.CharField(
        required=False,
        max_length=200,
        label=LABELS[name],
        help_text=help_text,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )


class ClientForm(forms.Form):
    name = forms.CharField(max_length=100)
    url = forms.CharField(
        max_length=600,
        label="Address",
        help_text="host:port, http://host:port/urlbase, or the client's API URL pasted whole",
    )
    verify_ssl = forms.BooleanField(required=False, initial=True, label="Verify the HTTPS certificate")
    timeout_seconds = forms.IntegerField(min_value=1, max_value=300, initial=20, label="Timeout (seconds)")
    category_ebook = forms.CharField(required=False, max_length=64, initial="books", label="Category for ebooks")
    category_audiobook = forms.CharField(
        required=False, max_length=64, initial="audiobooks", label="Category for audiobooks"
    )
    category_comic = forms.CharField(required=False, max_length=64, initial="comics", label="Category for comics")
    priority = forms.IntegerField(
        min_value=-100,
        max_value=100,
        initial=-100,
        help_text="Job priority sent to the client (SABnzbd: -100 category default, -1 low, 0 normal, 1 high, 2 force)",
    )
    order = forms.IntegerField(
        min_value=1,
        max_value=99,
        initial=1,
        help_text="Among clients of the same protocol, the lowest number is used first",
    )
    add_paused = forms.BooleanField(required=False, label="Add downloads paused")
    enabled = forms.BooleanField(required=False, initial=True)
    download_dir = forms.CharField(
        required=False,
        max_length=1000,
        label="Downloads folder",
        help_text="Where the completed downloads are on this machine; imports accept files below it",
    )
    remote_download_dir = forms.CharField(
        required=False,
        max_length=1000,
        label="Client's folder (path mapping)",
        help_text="The same folder as the client names it, when that differs "
        "(the client runs elsewhere or in a container)",
    )

    def __init__(self, *args, kind: str, instance: DownloadClientConfig | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind, self.instance = kind, instance
        self.label = registry.label_of(kind)  # ConfigurationError for an unknown kind
        self.declared = registry.fields_of(kind)
        for name in CONNECTION_FIELDS:
            if name in self.declared:
                self.fields[name] = self._connection_field(name)
        for name in FOLDER_FIELDS:
            if name in self.declared:
                self.fields[name] = forms.CharField(max_length=1000, label=LABELS[name], help_text=HELP[name])
        self._drop_undeclared()
        if registry.is_torrent_client(kind):
            self.fields["seed_ratio_limit"] = forms.FloatField(
                required=False, min_value=0, max_value=100, label="Seed until ratio"
            )
            self.fields["seed_time_limit_minutes"] = forms.IntegerField(
                required=False, min_value=0, max_value=525600, label="Seed at least (minutes)"
            )
        self.order_fields(["name", "url", *CONNECTION_FIELDS, *FOLDER_FIELDS])

    def _connection_field(self, name: str) -> forms.CharField:
        if name in SECRETS:
            return _secret_field(name, getattr(self.instance, name, "") if self.instance else "")
        return forms.CharField(required=False, max_length=200, label=LABELS[name])

    def _drop_undeclared(self) -> None:
        """Only what the kind uses: no address (and what goes with one) for a folder client,
        no categories or pause option where the adapter has none."""
        dropped: list[str] = []
        if "url" not in self.declared:  # the blackhole: its completed folder is the downloads folder
            dropped += ["url", "verify_ssl", "priority", "download_dir", "remote_download_dir"]
        if not registry.has_categories(self.kind):
            dropped += [f"category_{k}" for k in KINDS]
        if not registry.can_pause(self.kind):
            dropped.append("add_paused")
        for name in dropped:
            self.fields.pop(name, None)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        others = DownloadClientConfig.objects.filter(name__iexact=name)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(f"Another download client is called {name!r}.")
        return name

    def clean_url(self) -> str:
        try:
            address = parse_client_url(self.cleaned_data["url"], default_port=registry.default_port_of(self.kind))
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from exc
        self.address = address
        return address.url

    def _clean_category(self, name: str) -> str:
        value = self.cleaned_data.get(name, "").strip()
        if value and not _CATEGORY.match(value):
            raise forms.ValidationError("Letters, digits, spaces, '.', '-' and '_' only (no slashes).")
        return value

    def clean_category_ebook(self) -> str:
        return self._clean_category("category_ebook")

    def clean_category_audiobook(self) -> str:
        return self._clean_category("category_audiobook")

    def clean_category_comic(self) -> str:
        return self._clean_category("category_comic")

    def _clean_local_folder(self, name: str) -> str:
        value = self.cleaned_data.get(name, "").strip()
        if value and ("\x00" in value or not value.startswith("/")):
            raise forms.ValidationError("Write the full path of a folder on this machine, e.g. /downloads/complete.")
        if value and not value.strip("/"):
            raise forms.ValidationError("The whole disk cannot be a download folder: choose the folder itself.")
        return value.rstrip("/")

    def clean_download_dir(self) -> str:
        return self._clean_local_folder("download_dir")

    def clean_watch_folder(self) -> str:
        return self._clean_local_folder("watch_folder")

    def clean_completed_folder(self) -> str:
        return self._clean_local_folder("completed_folder")

    def clean_remote_download_dir(self) -> str:
        value = self.cleaned_data.get("remote_download_dir", "").strip()
        if value and ("\x00" in value or not is_absolute(value)):
            raise forms.ValidationError("Write the full path as the client names it, e.g. /config/Downloads/complete.")
        return value

    def clean(self):
        data = super().clean()
        address = getattr(self, "address", None)
        if address is not None:
            data["base_path"] = address.base_path
            if address.api_key and "api_key" in self.declared and not data.get("api_key"):
                data["api_key"] = address.api_key
        for name in SECRETS:
            if name in self.declared and not data.get(name):
                data[name] = getattr(self.instance, name, "") if self.instance else ""
        if "api_key" in self.declared and not data.get("api_key") and "api_key" not in self.errors:
            self.add_error("api_key", f"Enter the {self.label} API key.")
        if data.get("remote_download_dir") and not data.get("download_dir"):
            self.add_error("download_dir", "A path mapping needs the downloads folder it maps to.")
        return data

    def values(self) -> dict:
        """The model's fields from the cleaned data (what the form did not ask stays as stored)."""
        names = {f.name for f in DownloadClientConfig._meta.get_fields()} - {"id", "kind"}
        values = {k: v for k, v in self.cleaned_data.items() if k in names}
        return {**values, "kind": self.kind}
