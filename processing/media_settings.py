"""Settings > Media management: how imports file books (move/copy/hardlink, what to do when the
destination exists, naming templates per kind, formats to keep or convert) and the remote path
mappings (a download client's folder as this machine sees it). The formats searched for per kind
are Settings > Profiles (`indexers.profiles`). The settings page and the JSON API validate
through these forms and save through `save`."""

from __future__ import annotations

from pathlib import PurePosixPath

from django import forms
from django.db import transaction

from core.errors import InvalidInput
from processing.models import ImportSettings

IMPORT_FIELDS = (
    "import_mode",
    "existing_file_policy",
    "ebook_format",
    "convert_ebooks",
    "keep_original_format",
    "repack_cbr",
    "write_epub_metadata",
    "ebook_template",
    "audiobook_template",
    "comic_template",
)
CONVERTIBLE = ("epub", "azw3", "mobi", "pdf")  # what ebook-convert writes


class ImportSettingsForm(forms.ModelForm):
    ebook_format = forms.ChoiceField(
        choices=[(f, f.upper()) for f in CONVERTIBLE],
        label="Preferred ebook format",
        help_text="Ebooks in other formats are converted to it (when conversion is on)",
    )

    class Meta:
        model = ImportSettings
        fields = IMPORT_FIELDS
        labels = {
            "import_mode": "Import mode",
            "existing_file_policy": "When the destination exists",
            "convert_ebooks": "Convert ebooks to the preferred format",
            "keep_original_format": "Keep the original file too after converting",
            "repack_cbr": "Repack CBR comics as CBZ",
            "write_epub_metadata": "Write the final metadata into a copy of the EPUB",
            "ebook_template": "Ebook path template",
            "audiobook_template": "Audiobook path template",
            "comic_template": "Comic path template",
        }
        widgets = {
            f"{k}_template": forms.TextInput(attrs={"spellcheck": "false", "data-preview": "1"})
            for k in ("ebook", "audiobook", "comic")
        }


def _absolute(value: str, what: str) -> str:
    path = value.strip().rstrip("/") or "/"
    if not PurePosixPath(path).is_absolute() or ".." in PurePosixPath(path).parts or "\x00" in path:
        raise forms.ValidationError(f"The {what} must be an absolute path without '..', e.g. /downloads/complete.")
    return path


class PathMappingForm(forms.Form):
    remote = forms.CharField(max_length=1000, required=False, label="Download client's folder")
    local = forms.CharField(max_length=1000, required=False, label="Same folder on this machine")

    def clean(self) -> dict:
        data = super().clean()
        remote, local = (data.get("remote") or "").strip(), (data.get("local") or "").strip()
        if bool(remote) != bool(local):
            raise forms.ValidationError("Fill in both folders of a mapping, or neither.")
        if remote:
            try:
                data["remote"] = _absolute(remote, "client's folder")
                data["local"] = _absolute(local, "local folder")
            except forms.ValidationError as exc:
                raise forms.ValidationError(exc.messages) from exc
        return data


class BasePathMappingFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        seen: set[str] = set()
        for form in self.forms:
            remote = (form.cleaned_data or {}).get("remote") if form.is_valid() else ""
            if remote and not (self.can_delete and self._should_delete_form(form)):
                if remote in seen:
                    raise forms.ValidationError(f"{remote} is mapped twice.")
                seen.add(remote)

    def mappings(self) -> list[dict]:
        return [
            {"remote": f.cleaned_data["remote"], "local": f.cleaned_data["local"]}
            for f in self.forms
            if f.cleaned_data.get("remote") and not (self.can_delete and self._should_delete_form(f))
        ]


PathMappingFormSet = forms.formset_factory(
    PathMappingForm, formset=BasePathMappingFormSet, extra=1, can_delete=True, max_num=50, validate_max=True
)


def current() -> dict:
    """Every value of the page and the API as they are stored now."""
    imports = ImportSettings.load()
    return {
        **{name: getattr(imports, name) for name in IMPORT_FIELDS},
        "path_mappings": [
            {"remote": m.get("remote", ""), "local": m.get("local", "")}
            for m in imports.remote_path_mappings or []
            if isinstance(m, dict)
        ],
    }


def _mapping_data(mappings: list[dict]) -> dict:
    data = {"mappings-TOTAL_FORMS": str(len(mappings)), "mappings-INITIAL_FORMS": "0"}
    for i, m in enumerate(mappings):
        data[f"mappings-{i}-remote"], data[f"mappings-{i}-local"] = m.get("remote", ""), m.get("local", "")
    return data


def bind(values: dict) -> tuple[ImportSettingsForm, BasePathMappingFormSet]:
    """The forms bound to plain values (the API's JSON merged over `current()`)."""
    return (
        ImportSettingsForm(values, instance=ImportSettings.load()),
        PathMappingFormSet(_mapping_data(values.get("path_mappings") or []), prefix="mappings"),
    )


def bind_post(post) -> tuple[ImportSettingsForm, BasePathMappingFormSet]:
    return (
        ImportSettingsForm(post, instance=ImportSettings.load()),
        PathMappingFormSet(post, prefix="mappings"),
    )


def unbound() -> tuple[ImportSettingsForm, BasePathMappingFormSet]:
    values = current()
    return (
        ImportSettingsForm(instance=ImportSettings.load()),
        PathMappingFormSet(initial=values["path_mappings"], prefix="mappings"),
    )


def _errors(import_form, mappings) -> InvalidInput:
    errors = {name: [str(e) for e in errs] for name, errs in import_form.errors.items()}
    mapping_errors = [str(e) for f in mappings.forms for errs in f.errors.values() for e in errs]
    mapping_errors += [str(e) for e in mappings.non_form_errors()]
    if mapping_errors:
        errors["path_mappings"] = mapping_errors
    first = "; ".join(f"{name}: {errs[0]}" for name, errs in errors.items())
    return InvalidInput(f"The media management settings are not valid: {first}", details={"errors": errors})


@transaction.atomic
def save(import_form, mappings) -> dict:
    """Store both or nothing; InvalidInput names every problem."""
    if not all([import_form.is_valid(), mappings.is_valid()]):
        raise _errors(import_form, mappings)
    imports = import_form.save(commit=False)
    imports.remote_path_mappings = mappings.mappings()
    imports.save()
    return current()
