"""Drop indexes that a composite or unique index starting with the same column already
serves: each one cost an index insert per imported book (measured in benchmarks/scan_import)."""

import django.db.models.deletion
from django.db import migrations, models

from core.migration_ops import DropFieldIndex


class Migration(migrations.Migration):

    dependencies = [
        ('media', '0005_searchperf_covering_indexes'),
    ]

    operations = [
        DropFieldIndex(
            model_name='contribution',
            name='item',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='contributions', to='media.mediaitem'),
        ),
        DropFieldIndex(
            model_name='identifier',
            name='item',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='identifiers', to='media.mediaitem'),
        ),
        DropFieldIndex(
            model_name='mediaitem',
            name='kind',
            field=models.CharField(choices=[('ebook', 'Ebook'), ('audiobook', 'Audiobook'), ('comic', 'Comic')], default='ebook', max_length=16),
        ),
        DropFieldIndex(
            model_name='searchdocument',
            name='author_sort',
            field=models.CharField(blank=True, max_length=255),
        ),
        DropFieldIndex(
            model_name='searchdocument',
            name='series_sort',
            field=models.CharField(blank=True, max_length=300),
        ),
        DropFieldIndex(
            model_name='searchdocument',
            name='total_size',
            field=models.BigIntegerField(default=0),
        ),
    ]
