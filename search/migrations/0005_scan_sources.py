"""The data sources a scan credits values to (sidecar OPF, the EPUB's own metadata, ComicInfo,
audio tags, file names, comic archives) and a Calibre library, trusted above embedded metadata;
existing rows keep the trust an admin gave them. And the queue of scanned values waiting to
become provenance (PendingScanValues)."""

import django.db.models.deletion
from django.db import migrations, models

SCAN_SOURCES = (
    ("calibre", "Calibre library", "sidecar", 0.9),
    ("opf", "OPF sidecar", "sidecar", 0.85),
    ("comicinfo", "ComicInfo.xml", "sidecar", 0.85),
    ("embedded_epub", "EPUB metadata", "embedded", 0.7),
    ("embedded_comic", "Comic archive", "embedded", 0.7),
    ("embedded_audio", "Audio tags", "embedded", 0.65),
    ("embedded_mobi", "MOBI/AZW metadata", "embedded", 0.6),
    ("embedded_pdf", "PDF metadata", "embedded", 0.45),
    ("filename", "File name", "filename", 0.3),
)


def forwards(apps, schema_editor):
    DataSource = apps.get_model("search", "DataSource")
    for name, label, kind, trust in SCAN_SOURCES:
        DataSource.objects.get_or_create(name=name, defaults={"label": label, "kind": kind, "trust": trust})


class Migration(migrations.Migration):
    dependencies = [("search", "0004_enrichment_runs"), ("media", "0009_calibre")]
    operations = [
        migrations.CreateModel(
            name="PendingScanValues",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("data", models.TextField(
                    help_text='{"written": [fields], "fields": {field: [value, source, confidence]}}')),
                ("item", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                           to="media.mediaitem")),
            ],
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
