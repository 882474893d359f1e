"""The wizard's steps: a form each, validation with specific messages, and what saving
does. Answers go to WizardState.data[step]; `registry.apply_step` lets the other apps
act on them (create scan folders, save Prowlarr/SABnzbd/providers, naming templates)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation

from core.errors import OmniError
from core.naming import TOKEN_NAMES, NamingContext, TemplateError, parse_template, render
from core.wizard import registry
from core.wizard.folders import check_folder
from core.wizard.registry import Message

KINDS = [("ebook", "Ebooks"), ("audiobook", "Audiobooks"), ("comic", "Comics")]
PROVIDERS = [
    ("openlibrary", "Open Library (no key needed)"),
    ("googlebooks", "Google Books"),
    ("comicvine", "Comic Vine (comics; needs an API key)"),
]
KEEP_HELP = "Leave empty to keep the current address."


class WelcomeForm(forms.Form):
    pass


def generated_admin():
    """The account `manage.py ensure_admin` made with a generated password (its name is the
    first line of DATA_DIR/initial_admin_password), while it is still active; else None."""
    secret = Path(settings.DATA_DIR) / "initial_admin_password"
    try:
        username = secret.read_text(encoding="utf-8").splitlines()[0].strip()
    except (OSError, IndexError, UnicodeDecodeError):
        return None
    return get_user_model().objects.filter(username=username, is_active=True).first()


class AdminForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        required=False,
        help_text="Your own admin account. Leave username and password empty to keep the accounts as they are.",
    )
    password = forms.CharField(widget=forms.PasswordInput(render_value=False), required=False)
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput, required=False)
    disable_generated = forms.BooleanField(
        required=False,
        initial=True,
        label="Disable the generated account",
        help_text="Its password was generated at install and written to a file; your new account replaces it.",
    )

    def __init__(self, *args, require_account: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.require_account = require_account
        self.generated = generated_admin()
        if self.generated is None:
            del self.fields["disable_generated"]
        else:
            self.fields["disable_generated"].label = f"Disable the generated '{self.generated.get_username()}' account"

    def clean(self):
        data = super().clean()
        username, password = data.get("username", "").strip(), data.get("password", "")
        if self.require_account and not username:
            raise forms.ValidationError("Create the first admin account: no account exists yet.")
        if password and not username:
            self.add_error("username", "Enter the username this password is for.")
        if username and not password:
            self.add_error("password", "Choose a password.")
        if data.get("disable_generated") and self.generated is not None:
            if not username:
                self.add_error("disable_generated", "Create your own admin account first (username and password).")
            elif username == self.generated.get_username():
                self.add_error("username", "Choose another username: this one is the generated account.")
        if password and password != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        if username and password:
            user = get_user_model()(username=username)
            try:
                password_validation.validate_password(password, user)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class FoldersForm(forms.Form):
    library_folders = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Folders with the books you already have, one per line. "
        "They are scanned; nothing in them is moved or changed now.",
    )

    def folder_messages(self) -> list[Message]:
        data = self.cleaned_data
        messages = []
        for line in [s for s in data.get("library_folders", "").splitlines() if s.strip()]:
            messages += check_folder(line, label="Library folder", need_write=True)
        messages += (
            check_folder(
                str(settings.LIBRARY_DIR), label="Import destination (OMNI_LIBRARY_DIR)", need_write=True
            )
            if settings.LIBRARY_DIR.exists()
            else []
        )
        return messages


class ContentForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        choices=KINDS, widget=forms.CheckboxSelectMultiple, help_text="What this library holds."
    )


class MetadataForm(forms.Form):
    providers = forms.MultipleChoiceField(
        choices=PROVIDERS, widget=forms.CheckboxSelectMultiple, required=False, label="Use these providers"
    )
    openlibrary_url = forms.URLField(
        required=False, assume_scheme="https", label="Open Library URL", help_text=KEEP_HELP
    )
    googlebooks_url = forms.URLField(
        required=False, assume_scheme="https", label="Google Books URL", help_text=KEEP_HELP
    )
    googlebooks_api_key = forms.CharField(
        required=False, max_length=200, label="Google Books API key", help_text="Optional; raises the quota."
    )
    comicvine_url = forms.URLField(
        required=False, assume_scheme="https", label="Comic Vine URL", help_text=KEEP_HELP
    )
    comicvine_api_key = forms.CharField(required=False, max_length=200, label="Comic Vine API key")

    def clean(self):
        data = super().clean()
        if "comicvine" in data.get("providers", []) and not data.get("comicvine_api_key"):
            self.add_error(
                "comicvine_api_key", "Comic Vine needs an API key (free at comicvine.gamespot.com/api)."
            )
        return data


class DownloadsForm(forms.Form):
    prowlarr_url = forms.URLField(
        required=False,
        assume_scheme="http",
        label="Prowlarr URL",
        help_text="e.g. http://127.0.0.1:9696 (with its URL base if set: http://host:9696/prowlarr)",
    )
    prowlarr_api_key = forms.CharField(required=False, max_length=200, label="Prowlarr API key")

    def clean(self):
        data = super().clean()
        if data.get("prowlarr_url") and not data.get("prowlarr_api_key"):
            self.add_error("prowlarr_api_key", "Enter the Prowlarr API key (Settings → General in Prowlarr).")
        return data


def template_error(template: str) -> str:
    """'' for a usable template, else the problem with its position marked (▸)."""
    try:
        parse_template(template)
    except TemplateError as exc:
        marked = template[: exc.position] + "▸" + template[exc.position :]
        return f"{exc.message} (marked ▸): {marked}"
    return ""


EXAMPLE = NamingContext(
    title="Dune Messiah",
    authors=("Frank Herbert",),
    author_sort_names=("Herbert, Frank",),
    narrators=("Scott Brick",),
    series_title="Dune",
    series_index="2",
    year=1969,
    language="en",
    publisher="Putnam",
    issue="7",
    volume="1",
    original_filename="Dune Messiah - Part 01",
)
EXAMPLE_FORMATS = {"ebook": "epub", "audiobook": "m4b", "comic": "cbz"}


class NamingForm(forms.Form):
    ebook_template = forms.CharField(max_length=500, label="Ebook template")
    audiobook_template = forms.CharField(max_length=500, label="Audiobook template")
    comic_template = forms.CharField(
        max_length=500,
        label="Comic template",
        help_text="Tokens: " + ", ".join(f"${{{name}}}" for name in TOKEN_NAMES) + ". '/' makes folders.",
    )

    def clean(self):
        data = super().clean()
        for name in ("ebook_template", "audiobook_template", "comic_template"):
            if data.get(name) and (error := template_error(data[name])):
                self.add_error(name, error)
        return data

    def examples(self, values: dict) -> list[Message]:
        messages = []
        for kind, ext in EXAMPLE_FORMATS.items():
            template = values.get(f"{kind}_template", "")
            if template and not template_error(template):
                context = replace(EXAMPLE, kind=kind, ext=ext, format=ext)
                try:
                    path = render(template, context)
                except OmniError as exc:
                    messages.append(Message("warning", f"Example {kind}: {exc.message}"))
                    continue
                messages.append(Message("ok", f"Example {kind}: {path}"))
        return messages


class ReviewForm(forms.Form):
    start_scan = forms.BooleanField(required=False, initial=True, label="Start the first scan now")


@dataclass(frozen=True)
class Step:
    name: str
    title: str
    form: type[forms.Form]
    intro: str


STEPS = [
    Step(
        "welcome",
        "Welcome",
        WelcomeForm,
        "A few questions and OmniReadarr is ready. You can come back to any "
        "step later; running the wizard again keeps your answers. Nothing on disk is moved or changed.",
    ),
    Step(
        "admin",
        "Admin account",
        AdminForm,
        "The account that manages the library. Readers can get their own accounts later in the admin.",
    ),
    Step(
        "folders",
        "Folders",
        FoldersForm,
        "Where your books are. Each folder is checked now: it must exist and "
        "be readable; write access is needed to import and rename.",
    ),
    Step("content", "Content types", ContentForm, "Which kinds of books to manage."),
    Step("metadata", "Metadata sources", MetadataForm, "Where titles, authors, series and covers come from."),
    Step(
        "downloads",
        "Download stack",
        DownloadsForm,
        "Optional: Prowlarr finds releases, a download client (SABnzbd, ...) downloads "
        "them. An unreachable service is a warning; you can continue and fix it later.",
    ),
    Step(
        "naming",
        "Naming",
        NamingForm,
        "How imported and renamed files are named, relative to the library "
        "folder. Renames always show a preview first.",
    ),
    Step("review", "Review", ReviewForm, "The system checks and a summary of your answers."),
]
STEP_NAMES = [s.name for s in STEPS]
# Never kept in the wizard state: passwords, and API keys (they live in the apps' own settings).
SECRET_FIELDS = {
    "password",
    "password2",
    "prowlarr_api_key",
    "client_api_key",
    "client_password",
    "googlebooks_api_key",
    "comicvine_api_key",
}


def form_class(current: Step) -> type[forms.Form]:
    """The step's form with the fields other apps add to it (registry.register_form_mixin)."""
    mixins = registry.form_mixins(current.name)
    return type(current.form.__name__, (*mixins, current.form), {}) if mixins else current.form


LIVE_FIELDS = ("ebook_formats", "audiobook_formats", "comic_formats")  # kept in the default format profiles


def review_summary(answers: dict) -> list[tuple[str, list[tuple[str, str]]]]:
    """The saved answers as people read them (fields other apps add included): each step's
    title, each field's label and its value in words (choices by their labels, lists joined,
    yes/no); secrets never shown. The answers as given, except the preferred formats, whose one
    source of truth is the default format profiles (a change in Settings > Profiles shows)."""
    summary = []
    for current in STEPS:
        values = answers.get(current.name) or {}
        live = registry.initial_for(current.name)
        values = {**values, **{k: live[k] for k in LIVE_FIELDS if k in values and k in live}}
        fields = form_class(current).base_fields
        rows = [
            (str(fields[name].label or name.replace("_", " ").capitalize()), _in_words(fields[name], value))
            for name, value in values.items()
            if name in fields and name not in SECRET_FIELDS and name not in HIDDEN_IN_REVIEW
        ]
        if rows:
            summary.append((current.title, rows))
    return summary


HIDDEN_IN_REVIEW = {"disable_generated"}


def _in_words(field: forms.Field, value) -> str:
    choices = dict(getattr(field, "choices", []) or [])
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(choices.get(v, v)) for v in value) or "none"
    if value in (None, ""):
        return "—"
    text = str(choices.get(value, value))
    return ", ".join(line.strip() for line in text.splitlines() if line.strip())


def step(name: str) -> Step | None:
    return next((s for s in STEPS if s.name == name), None)


def next_step(name: str) -> str:
    index = STEP_NAMES.index(name)
    return STEP_NAMES[min(index + 1, len(STEP_NAMES) - 1)]


def previous_step(name: str) -> str:
    return STEP_NAMES[max(STEP_NAMES.index(name) - 1, 0)]
