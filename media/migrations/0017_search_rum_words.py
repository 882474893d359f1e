# PostgreSQL library search (media.search.pg_rum): the RUM index on the document's words without
# positions (`rum_words`) instead of on a full copy of the document (`rum_document`), which made
# rows long enough for PostgreSQL to move documents out of line. Where the server has the
# extension: the copy and its index are dropped, the new column and index made (about 10 s for
# 100,000 books). Elsewhere nothing changes.
from django.db import migrations


def update(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from media.search import pg_rum

        pg_rum.ensure_index()


class Migration(migrations.Migration):

    dependencies = [
        ("media", "0016_series_cover"),
    ]

    operations = [migrations.RunPython(update, migrations.RunPython.noop)]
