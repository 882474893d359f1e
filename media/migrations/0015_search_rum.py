# The RUM indexes of PostgreSQL library search (media.search.pg_rum): created where the server
# has the extension (Debian postgresql-15-rum); elsewhere search ranks with the GIN index and the
# Health page says how to add it (a later search index rebuild creates it then).
from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from media.search import pg_rum

        pg_rum.ensure_index()


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from media.search import pg_rum

        pg_rum.remove_index()


class Migration(migrations.Migration):

    dependencies = [
        ("media", "0014_series_more"),
    ]

    operations = [migrations.RunPython(create, remove)]
