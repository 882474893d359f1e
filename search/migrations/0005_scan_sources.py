"""The data sources a scan credits values to (sidecar OPF, the EPUB's own metadata, ComicInfo,
audio tags, file names, comic archives) and a Calibre library, trusted above embedded metadata.
Existing rows keep the trust an admin gave them."""

from django.db import migrations

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
    dependencies = [("search", "0003_media_hand_edits")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
