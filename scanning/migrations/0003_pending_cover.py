"""Covers are read from the files by the background job after a scan, not during it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('media', '0006_drop_redundant_indexes'),
        ('scanning', '0002_drop_redundant_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='PendingCover',
            fields=[
                ('item', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='media.mediaitem')),
            ],
        ),
    ]
