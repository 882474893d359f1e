"""The setup wizard's "Download stack" step, download client half: the kind of client and
the fields its adapter declares, added to the step's form; one DownloadClientConfig per kind
created or updated (never duplicated); tested live through the real adapter: categories of
the media kinds the user picked (missing ones created when the user agrees) and the client's
completed folder against the downloads folder (a path mapping suggested and, when accepted,
saved). Registered from DownloadersConfig.ready()."""

from __future__ import annotations

import json

from django import forms
from django.db import transaction

from core.errors import InvalidInput, OmniError
from core.wizard import registry
from core.wizard.folders import check_folder
from core.wizard.models import WizardState
from core.wizard.registry import Message
from downloaders import client_settings, services
from downloaders.client_urls import display_url, mask_secret
from downloaders.clients import registry as clients
from downloaders.forms import KINDS, ClientForm
from downloaders.models import DownloadClientConfig

TEST_TIMEOUT = 8
P = "client_"
LEVELS = ("ok", "warning", "error")
TYPED = ("url", "api_key", "username", "password", "watch_folder", "completed_folder")


def wizard_row(kind: str | None = None) -> DownloadClientConfig | None:
    rows = DownloadClientConfig.objects.order_by("pk")
    return rows.filter(kind=kind).first() if kind else rows.first()


def picked_kinds() -> tuple[str, ...]:
    """The media kinds chosen in the wizard's content step (all when not answered)."""
    kinds = WizardState.load().data.get("content", {}).get("kinds") or KINDS
    return tuple(k for k in KINDS if k in kinds)


def step_fields(kind: str) -> list[str]:
    """The step's client fields (unprefixed) a kind uses: what its adapter declares, the
    categories when it has some, the downloads folder (and its mapping) when it has an address
    (a blackhole's completed folder is the downloads folder)."""
    declared = list(clients.fields_of(kind))
    if clients.has_categories(kind):
        declared += [*(f"category_{k}" for k in KINDS), "create_categories"]
    if "url" in declared:
        declared += ["download_dir", "map_folder"]
    return declared


def address_field(kind: str) -> str:
    """The answer without which the step leaves the client alone: the address, or for a folder
    client its watch folder."""
    return "url" if "url" in clients.fields_of(kind) else "watch_folder"


def _kind_fields() -> str:
    return json.dumps({kind: step_fields(kind) for kind in clients.CLIENTS})


class ClientStepForm(forms.Form):
    client_kind = forms.ChoiceField(required=False, label="Download client", initial="sabnzbd")
    client_url = forms.CharField(
        required=False,
        max_length=600,
        label="Download client address",
        help_text="host:port, http://host:port/urlbase, or the client's API URL pasted whole",
    )
    client_api_key = forms.CharField(
        required=False, max_length=200, label="API key", widget=forms.PasswordInput(render_value=False)
    )
    client_username = forms.CharField(required=False, max_length=200, label="User name")
    client_password = forms.CharField(
        required=False, max_length=200, label="Password", widget=forms.PasswordInput(render_value=False)
    )
    client_watch_folder = forms.CharField(
        required=False,
        max_length=1000,
        label="Watch folder",
        help_text="Where OmniReadarr drops .nzb, .torrent and .magnet files for the other program",
    )
    client_completed_folder = forms.CharField(
        required=False,
        max_length=1000,
        label="Completed folder",
        help_text="Where that program puts finished downloads, as this machine sees it: imports come from here",
    )
    client_category_ebook = forms.CharField(required=False, max_length=64, initial="books", label="Category for ebooks")
    client_category_audiobook = forms.CharField(
        required=False, max_length=64, initial="audiobooks", label="Category for audiobooks"
    )
    client_category_comic = forms.CharField(
        required=False,
        max_length=64,
        initial="comics",
        label="Category for comics",
        help_text="Only the kinds you manage are checked; empty: the default.",
    )
    client_create_categories = forms.BooleanField(
        required=False, initial=True, label="Create missing categories in the client"
    )
    client_download_dir = forms.CharField(
        required=False,
        max_length=1000,
        label="Downloads folder",
        help_text="Where the client's completed downloads are on this machine: imports come from here. "
        "Empty: the client's own folder, when OmniReadarr can read it.",
    )
    client_map_folder = forms.BooleanField(
        required=False, initial=True, label="Use the suggested path mapping when the client's folder differs"
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        kind_field = self.fields["client_kind"]
        kind_field.choices = [("", "None for now"), *clients.kinds()]
        kind_field.widget.attrs["data-kind-fields"] = _kind_fields()
        for name in {f for kind in clients.CLIENTS for f in step_fields(kind)}:
            self.fields[P + name].widget.attrs["data-client-field"] = name
        for name in ("api_key", "password"):
            stored = getattr(wizard_row(self.initial.get("client_kind") or None), name, "")
            if stored:
                self.fields[P + name].help_text = f"Stored: {mask_secret(stored)}. Leave empty to keep it."

    def clean(self):
        data = super().clean()
        kind = data.get("client_kind")
        if not kind or not (data.get(P + address_field(kind)) or "").strip():
            return data
        form = ClientForm(_client_data(_unprefixed(data), wizard_row(kind)), kind=kind, instance=wizard_row(kind))
        if not form.is_valid():
            for name, errors in form.errors.items():
                self.add_error(P + name if P + name in self.fields else None, errors)
        return data


def _unprefixed(values: dict) -> dict:
    return {k[len(P) :]: v for k, v in values.items() if k.startswith(P)}


def _client_data(answers: dict, row: DownloadClientConfig | None) -> dict:
    """ClientForm values: the stored client's (or the defaults) with the wizard's answers over them."""
    kind = answers.get("kind") or "sabnzbd"
    if row is not None:
        base = client_settings.form_data(row)
    else:
        order = DownloadClientConfig.objects.count() + 1
        base = {**client_settings.defaults(), "name": clients.label_of(kind), "order": order}
    typed = {k: answers.get(k) or "" for k in (*TYPED, "download_dir")}
    typed.update({f"category_{k}": (answers.get(f"category_{k}") or "").strip() for k in KINDS})
    return {**base, **typed, "enabled": True}


def initial() -> dict:
    row = wizard_row()
    if row is None:  # the downloads folder an older wizard asked in its folders step
        old = WizardState.load().data.get("folders", {}).get("downloads_dir", "")
        return {P + "download_dir": old} if old else {}
    values = {
        P + "kind": row.kind,
        P + "url": display_url(row.url, row.base_path) if row.url else "",
        P + "download_dir": row.download_dir,
        P + "watch_folder": row.watch_folder,
        P + "completed_folder": row.completed_folder,
    }
    values.update({f"{P}category_{kind}": category for kind, category in row.categories()})
    return values


def _combined(messages: list[Message]) -> Message:
    level = max((m.level for m in messages), key=LEVELS.index)
    return Message(level, " ".join(m.text for m in messages), " ".join(m.hint for m in messages if m.hint))


def _check(kind: str, data: dict, row: DownloadClientConfig | None) -> client_settings.CheckResult:
    form = client_settings.validated(data, kind=kind, config=row)
    probe = DownloadClientConfig(**form.values())
    probe.timeout_seconds = TEST_TIMEOUT
    reach = registry.tcp_probe(probe.url) if probe.url else None
    if reach is not None and reach.level != "ok":
        return client_settings.CheckResult(False, [reach])
    return client_settings.check_client(kind, probe.to_settings(), kinds=picked_kinds(), our_folder=probe.download_dir)


def test(answers: dict) -> Message:
    kind = answers.get("kind") or ""
    if kind not in clients.CLIENTS:
        return Message("error", "Choose the download client first.")
    if not (answers.get(address_field(kind)) or "").strip():
        what = "address" if address_field(kind) == "url" else "watch folder"
        return Message("error", f"Enter the {clients.label_of(kind)} {what} first.")
    try:
        result = _check(kind, _client_data(answers, wizard_row(kind)), wizard_row(kind))
    except InvalidInput as exc:
        return Message("error", exc.message)
    return _combined(result.messages)


@transaction.atomic
def apply(answers: dict) -> list[Message]:
    kind = answers.get(P + "kind") or ""
    where = (answers.get(P + address_field(kind)) or "").strip() if kind in clients.CLIENTS else ""
    if not where:
        row = wizard_row()
        if row is not None:
            return [Message("ok", f"{row.name}: kept the existing connection ({row.url or row.watch_folder}).")]
        return [Message("ok", "Download client: skipped. Add one later in Settings > Download clients.")]
    row = wizard_row(kind)
    answers = _unprefixed(answers)
    data = _client_data(answers, row)
    result = _check(kind, data, row)
    messages = list(result.messages)
    messages += _create_categories(kind, data, row, result) if answers.get("create_categories") else []
    data = _apply_folder_advice(data, result, accept_mapping=bool(answers.get("map_folder")))
    if data.get("download_dir"):
        messages += check_folder(data["download_dir"], label="Downloads folder", need_write=False)
    saved = client_settings.save_client(data, kind=kind, config=row)
    services.record_client_check(saved.pk, ok=result.ok, message=client_settings.summary(result), tested=True)
    verb = "updated" if row else "added"
    return [Message("ok", f"{saved.name} connection {verb} ({where})."), *messages]


def _create_categories(kind, data, row, result) -> list[Message]:
    if not result.missing_categories:
        return []
    form = client_settings.validated(data, kind=kind, config=row)
    client = clients.client_for(kind, DownloadClientConfig(**form.values()).to_settings())
    try:
        for name in result.missing_categories:
            client.create_category(name)
    except OmniError as exc:
        return [registry.failure_message(clients.label_of(kind), exc)]
    finally:
        client.close()
    return [
        Message(
            "ok",
            f"Created categor{'y' if len(result.missing_categories) == 1 else 'ies'} "
            f"{', '.join(result.missing_categories)} in {clients.label_of(kind)}.",
        )
    ]


def _apply_folder_advice(data: dict, result: client_settings.CheckResult, *, accept_mapping: bool) -> dict:
    advice = result.folder
    if advice is None:
        return data
    if advice.remote and accept_mapping:
        return {**data, "download_dir": advice.local, "remote_download_dir": advice.remote}
    if advice.local and not data.get("download_dir"):
        return {**data, "download_dir": advice.local}
    return data


def register() -> None:
    registry.register_form_mixin("downloads", ClientStepForm)
    registry.register_initial("downloads", initial)
    registry.register_apply("downloads", apply)
    registry.register_tester("client", test)
