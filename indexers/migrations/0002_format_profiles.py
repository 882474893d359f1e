"""Format profiles replace the comma-separated format lists of AcquisitionSettings: one
default profile per kind is made from the list the user had (same formats, same order; cutoff
the last, so nothing becomes wanted for an upgrade), then the lists are removed: the profiles
are the one place that says which formats are searched for."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

NAMES = {"ebook": "Ebooks", "audiobook": "Audiobooks", "comic": "Comics"}
FIELDS = {"ebook": "ebook_formats", "audiobook": "audiobook_formats", "comic": "comic_formats"}
# the quality keys each kind knows (indexers.qualities, frozen here as the migration saw them)
KEYS = {
    "ebook": ("epub_retail", "epub", "azw3", "azw", "mobi", "pdf"),
    "audiobook": ("m4b", "mp3_320", "mp3", "flac", "m4a", "ogg", "opus"),
    "comic": ("cbz", "cbr", "pdf"),
}
FRESH = {  # a new installation (no settings row yet): the suggested order
    "ebook": ("epub_retail", "epub", "azw3", "mobi", "pdf"),
    "audiobook": ("m4b", "mp3_320", "mp3"),
    "comic": ("cbz", "cbr"),
}
OLD_DEFAULTS = {"ebook": "epub,azw3,mobi,pdf", "audiobook": "m4b,mp3,flac,m4a", "comic": "cbz,cbr,pdf"}


def _keys(kind, raw):
    parts = [p.strip().lower().lstrip(".") for p in (raw or "").split(",")]
    return list(dict.fromkeys(p for p in parts if p in KEYS[kind]))


def lists_to_profiles(apps, schema_editor):
    settings_model = apps.get_model("indexers", "AcquisitionSettings")
    profile_model = apps.get_model("indexers", "FormatProfile")
    row = settings_model.objects.filter(pk=1).first()
    for kind, name in NAMES.items():
        if profile_model.objects.filter(kind=kind, is_default=True).exists():
            continue
        keys = _keys(kind, getattr(row, FIELDS[kind])) if row is not None else list(FRESH[kind])
        keys = keys or list(FRESH[kind])
        profile_model.objects.create(name=name, kind=kind, qualities=keys, cutoff=keys[-1], is_default=True)


def profiles_to_lists(apps, schema_editor):
    settings_model = apps.get_model("indexers", "AcquisitionSettings")
    profile_model = apps.get_model("indexers", "FormatProfile")
    values = {}
    for kind, field in FIELDS.items():
        profile = profile_model.objects.filter(kind=kind, is_default=True).first()
        plain = [k for k in (profile.qualities if profile else []) if "_" not in k]
        values[field] = ",".join(dict.fromkeys(plain)) or OLD_DEFAULTS[kind]
    settings_model.objects.filter(pk=1).update(**values)


class Migration(migrations.Migration):

    dependencies = [
        ("indexers", "0001_initial"),
        ("media", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="FormatProfile",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100, unique=True)),
                ("kind", models.CharField(choices=[("ebook", "Ebook"), ("audiobook", "Audiobook"), ("comic", "Comic")], default="ebook", max_length=16)),
                ("qualities", models.JSONField(default=list, help_text="quality keys, best first")),
                ("cutoff", models.CharField(help_text="one of the qualities; files at or above it end upgrades", max_length=16)),
                ("min_score", models.FloatField(default=0.0, help_text="0-100; releases scoring less are rejected")),
                ("is_default", models.BooleanField(default=False)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "ordering": ["kind", "-is_default", "name"],
                "constraints": [models.UniqueConstraint(condition=models.Q(("is_default", True)), fields=("kind",), name="one_default_format_profile_per_kind")],
            },
        ),
        migrations.CreateModel(
            name="ItemProfile",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("upgrade_wanted", models.BooleanField(db_index=True, default=False)),
                ("current_quality", models.CharField(blank=True, help_text="the best present file's quality", max_length=16)),
                ("file_qualities", models.JSONField(blank=True, default=dict, help_text="{path: quality key} of imported files")),
                ("checked_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("item", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="format_profile", to="media.mediaitem")),
                ("profile", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="items", to="indexers.formatprofile")),
            ],
        ),
        migrations.RunPython(lists_to_profiles, profiles_to_lists),
        migrations.RemoveField(model_name="acquisitionsettings", name="ebook_formats"),
        migrations.RemoveField(model_name="acquisitionsettings", name="audiobook_formats"),
        migrations.RemoveField(model_name="acquisitionsettings", name="comic_formats"),
    ]
