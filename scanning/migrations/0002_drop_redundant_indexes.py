"""Drop indexes that a composite or unique index starting with the same column already
serves: each one cost an index insert per imported book (measured in benchmarks/scan_import)."""

from django.db import migrations, models

from core.migration_ops import DropFieldIndex


class Migration(migrations.Migration):

    dependencies = [
        ('scanning', '0001_initial'),
    ]

    operations = [
        DropFieldIndex(
            model_name='itemmatchkey',
            name='key',
            field=models.CharField(max_length=600),
        ),
    ]
