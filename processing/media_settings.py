"""Settings > Media management: how imports file each media kind (ebooks, audiobooks, comics:
import mode, what to do when the destination exists, the naming template and the conversion
target), what all kinds share (writing EPUB metadata) and the remote path mappings (a download
client's folder as this machine sees it). The formats searched for per kind are Settings >
Profiles (`indexers.profiles`). The settings page and the JSON API validate through these forms
and save through `save` / `save_kind`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from django import forms
from django.db import transaction

from core.errors import InvalidInput
from processing import kinds
from processing.models import TARGETS_BY_KIND, ConversionTarget, ImportSettings, KindProcessingSettings

IMPORT_FIELDS = ("write_epub_metadata",)
KIND_FIELDS = ("import_mode", "existing_file_policy", "template", "conversion_target", "keep_original")


class ImportSettingsForm(forms.ModelForm):
    class Meta:
        model = ImportSettings
        fields = IMPORT_FIELDS
        labels = {"write_epub_metadata": "Write the final metadata into a copy of the EPUB"}


class KindSettingsForm(forms.ModelForm):
    """One kind's settings; the conversion target offers only what the kind's converter writes
    (another value is refused by the model's rule, with a message naming the allowed ones)."""

    conversion_target = forms.ChoiceField(choices=ConversionTarget.choices, label="Convert to")

    class Meta:
        model = KindProcessingSettings
        fields = KIND_FIELDS
        labels = {
            "import_mode": "Import mode",
            "existing_file_policy": "When the destination exists",
            "template": "Path template",
            "keep_original": "Keep the original file too after converting",
        }
        help_texts = {"import_mode": kinds.HARDLINK_HELP}
        widgets = {"template": forms.TextInput(attrs={"spellcheck": "false", "data-preview": "1"})}

    def __init__(self, *args, instance: KindProcessingSettings, **kwargs) -> None:
        super().__init__(*args, instance=instance, **kwargs)
        allowed = {str(t) for t in TARGETS_BY_KIND[instance.kind]}
        field = self.fields["conversion_target"]
        field.widget.choices = [(v, label) for v, label in ConversionTarget.choices if v in allowed]
        field.help_text = _TARGET_HELP[instance.kind]
        self.fields["template"].label = f"{instance.get_kind_display()} path template"
        self.fields["template"].widget.attrs["data-kind"] = instance.kind


_TARGET_HELP = {
    "ebook": "Converted with Calibre's ebook-convert. Page-faithful formats (PDF) are only converted by "
    "Convert and import. KEPUB is made on demand for downloads and Kobo devices, not as an import target.",
    "audiobook": "Audiobooks are filed as downloaded: there is no audiobook converter.",
    "comic": "CBZ repacks CBR (RAR) comics as a stored zip with the pages in order and ComicInfo.xml kept; "
    "other comics are filed as they are.",
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


@dataclass(frozen=True)
class MediaForms:
    imports: ImportSettingsForm
    kinds: dict[str, KindSettingsForm]
    mappings: BasePathMappingFormSet

    def all_forms(self) -> list[forms.BaseForm]:
        return [self.imports, *self.kinds.values()]


def kind_rows() -> dict[str, KindProcessingSettings]:
    return {row.kind: row for row in kinds.all_rows()}


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
        "kinds": [kinds.public(row) for row in kind_rows().values()],
    }


def _mapping_data(mappings: list[dict]) -> dict:
    data = {"mappings-TOTAL_FORMS": str(len(mappings)), "mappings-INITIAL_FORMS": "0"}
    for i, m in enumerate(mappings):
        data[f"mappings-{i}-remote"], data[f"mappings-{i}-local"] = m.get("remote", ""), m.get("local", "")
    return data


def bind(values: dict) -> MediaForms:
    """The shared forms bound to plain values (the API's JSON merged over `current()`); the kinds
    keep their stored values (they have their own operations)."""
    rows = kind_rows()
    return MediaForms(
        ImportSettingsForm(values, instance=ImportSettings.load()),
        {kind: KindSettingsForm({n: getattr(row, n) for n in KIND_FIELDS}, instance=row) for kind, row in rows.items()},
        PathMappingFormSet(_mapping_data(values.get("path_mappings") or []), prefix="mappings"),
    )


def bind_post(post) -> MediaForms:
    return MediaForms(
        ImportSettingsForm(post, instance=ImportSettings.load()),
        {kind: KindSettingsForm(post, instance=row, prefix=kind) for kind, row in kind_rows().items()},
        PathMappingFormSet(post, prefix="mappings"),
    )


def unbound() -> MediaForms:
    values = current()
    return MediaForms(
        ImportSettingsForm(instance=ImportSettings.load()),
        {kind: KindSettingsForm(instance=row, prefix=kind) for kind, row in kind_rows().items()},
        PathMappingFormSet(initial=values["path_mappings"], prefix="mappings"),
    )


def _form_errors(form: forms.BaseForm, prefix: str = "") -> dict[str, list[str]]:
    return {f"{prefix}{name}": [str(e) for e in errs] for name, errs in form.errors.items()}


def _errors(media: MediaForms) -> InvalidInput:
    errors = _form_errors(media.imports)
    for kind, form in media.kinds.items():
        errors.update(_form_errors(form, f"{kind}."))
    mapping_errors = [str(e) for f in media.mappings.forms for errs in f.errors.values() for e in errs]
    mapping_errors += [str(e) for e in media.mappings.non_form_errors()]
    if mapping_errors:
        errors["path_mappings"] = mapping_errors
    first = "; ".join(f"{name}: {errs[0]}" for name, errs in errors.items())
    return InvalidInput(f"The media management settings are not valid: {first}", details={"errors": errors})


@transaction.atomic
def save(media: MediaForms) -> dict:
    """Store every form or nothing; InvalidInput names every problem."""
    valid = [form.is_valid() for form in media.all_forms()] + [media.mappings.is_valid()]
    if not all(valid):
        raise _errors(media)
    imports = media.imports.save(commit=False)
    imports.remote_path_mappings = media.mappings.mappings()
    imports.save()
    for form in media.kinds.values():
        if form.has_changed():  # the API's PATCH binds stored values: a kind's own PUT is not undone
            form.save()
    return current()


@transaction.atomic
def save_kind(kind: str, values: dict) -> dict:
    """Replace one kind's settings (the API's PUT); InvalidInput names every problem."""
    row = KindProcessingSettings.objects.select_for_update().get(pk=KindProcessingSettings.for_kind(
        kinds.check_kind(kind)).pk)
    form = KindSettingsForm({n: values.get(n) for n in KIND_FIELDS}, instance=row)
    if not form.is_valid():
        errors = _form_errors(form)
        first = "; ".join(f"{name}: {errs[0]}" for name, errs in errors.items())
        raise InvalidInput(f"The {kind} processing settings are not valid: {first}", details={"errors": errors})
    return kinds.public(form.save())
