"""LibraryFile.format and .sha256 are never looked up on their own: two index inserts per
imported file saved."""

from django.db import migrations, models

from core.migration_ops import DropFieldIndex


class Migration(migrations.Migration):

    dependencies = [
        ('media', '0006_drop_redundant_indexes'),
    ]

    operations = [
        DropFieldIndex(
            model_name='libraryfile',
            name='format',
            field=models.CharField(max_length=8),
        ),
        DropFieldIndex(
            model_name='libraryfile',
            name='sha256',
            field=models.CharField(blank=True, max_length=64),
        ),
    ]
