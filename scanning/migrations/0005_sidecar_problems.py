"""Folders of several books whose generic sidecars a scan ignored (shown on the scanning page)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('scanning', '0004_folder_naming'),
    ]

    operations = [
        migrations.CreateModel(
            name='SidecarProblem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('path', models.CharField(help_text='The folder holding the books', max_length=4096)),
                ('sidecars', models.JSONField(default=list, help_text='The generic sidecars set aside')),
                ('books', models.PositiveIntegerField(default=0, help_text='Books found in the folder')),
                ('reason', models.CharField(max_length=500)),
                ('seen_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('folder', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sidecar_problems', to='scanning.scanfolder')),
            ],
            options={
                'ordering': ['path'],
            },
        ),
    ]
