"""The wizard's steps: a form each, validation with specific messages, and what saving
does. Answers go to WizardState.data[step]; `registry.apply_step` lets the other apps
act on them (create scan folders, save Prowlarr/SABnzbd/providers, naming templates)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation

from wizard.folders import check_folder
from wizard.registry import Message

KINDS = [("ebook", "Ebooks"), ("audiobook", "Audiobooks"), ("comic", "Comics")]
PROVIDERS = [
    ("openlibrary", "Open Library (no key needed)"),
    ("googlebooks", "Google Books"),
    ("comicvine", "Comic Vine (comics; needs an API key)"),
]
PLACEHOLDERS = {
    "author",
    "author_sort",
    "title",
    "series",
    "series_index",
    "year",
    "language",
    "publisher",
    "isbn",
    "format",
    "ext",
    "kind",
    "issue",
    "volume",
    "narrator",
}
_PLACEHOLDER = re.compile(r"\{([a-z_]+)(?::[^{}]*)?\}")


class WelcomeForm(forms.Form):
    pass


class AdminForm(forms.Form):
    username = forms.CharField(
        max_length=150, required=False, help_text="Leave empty to keep the current admin account unchanged."
    )
    password = forms.CharField(widget=forms.PasswordInput(render_value=False), required=False)
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput, required=False)

    def __init__(self, *args, require_account: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.require_account = require_account

    def clean(self):
        data = super().clean()
        username, password = data.get("username", "").strip(), data.get("password", "")
        if self.require_account and not username:
            raise forms.ValidationError("Create the first admin account: no account exists yet.")
        if username and not password:
            self.add_error("password", "Choose a password.")
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
    downloads_dir = forms.CharField(
        required=False, help_text="Where SABnzbd puts finished downloads (optional)."
    )

    def folder_messages(self) -> list[Message]:
        data = self.cleaned_data
        messages = []
        for line in [s for s in data.get("library_folders", "").splitlines() if s.strip()]:
            messages += check_folder(line, label="Library folder", need_write=True)
        if data.get("downloads_dir", "").strip():
            messages += check_folder(data["downloads_dir"], label="Downloads folder", need_write=False)
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
        choices=PROVIDERS, widget=forms.CheckboxSelectMultiple, required=False
    )
    googlebooks_api_key = forms.CharField(required=False, max_length=200)
    comicvine_api_key = forms.CharField(required=False, max_length=200)

    def clean(self):
        data = super().clean()
        if "comicvine" in data.get("providers", []) and not data.get("comicvine_api_key"):
            self.add_error(
                "comicvine_api_key", "Comic Vine needs an API key (free at comicvine.gamespot.com/api)."
            )
        return data


class DownloadsForm(forms.Form):
    prowlarr_url = forms.URLField(
        required=False, assume_scheme="http", help_text="e.g. http://127.0.0.1:9696"
    )
    prowlarr_api_key = forms.CharField(required=False, max_length=200)
    sabnzbd_url = forms.URLField(required=False, assume_scheme="http", help_text="e.g. http://127.0.0.1:8080")
    sabnzbd_api_key = forms.CharField(required=False, max_length=200)
    sabnzbd_category = forms.CharField(required=False, max_length=64, initial="books")

    def clean(self):
        data = super().clean()
        for service in ("prowlarr", "sabnzbd"):
            if data.get(f"{service}_url") and not data.get(f"{service}_api_key"):
                self.add_error(
                    f"{service}_api_key",
                    f"Enter the {service.capitalize()} API key "
                    f"(Settings → General in {service.capitalize()}).",
                )
        return data


class NamingForm(forms.Form):
    ebook_template = forms.CharField(initial="{author_sort}/{title} ({year})/{title} - {author}.{ext}")
    audiobook_template = forms.CharField(initial="{author_sort}/{series}/{title}/{title}.{ext}")
    comic_template = forms.CharField(initial="{series} ({year})/{series} #{issue}.{ext}")

    def clean(self):
        data = super().clean()
        for name, template in list(data.items()):
            unknown = sorted(set(_PLACEHOLDER.findall(template)) - PLACEHOLDERS)
            if unknown:
                self.add_error(
                    name,
                    f"Unknown placeholders: {', '.join(unknown)}. Known: {', '.join(sorted(PLACEHOLDERS))}.",
                )
            elif template.count("{") != template.count("}"):
                self.add_error(name, "Unbalanced braces.")
            elif template.startswith("/") or ".." in template.split("/"):
                self.add_error(
                    name, "A template is relative to the library folder: no leading / and no '..'."
                )
        return data


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
        "Optional: Prowlarr finds releases, SABnzbd downloads "
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
SECRET_FIELDS = {"password", "password2"}


def step(name: str) -> Step | None:
    return next((s for s in STEPS if s.name == name), None)


def next_step(name: str) -> str:
    index = STEP_NAMES.index(name)
    return STEP_NAMES[min(index + 1, len(STEP_NAMES) - 1)]


def previous_step(name: str) -> str:
    return STEP_NAMES[max(STEP_NAMES.index(name) - 1, 0)]
