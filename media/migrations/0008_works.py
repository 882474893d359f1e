"""Works: MediaItem.work links the ebook, audiobook and comic editions of one work (by a
provider's work id). Removing the column again rebuilds media_mediaitem on SQLite, which
drops the hand-made covering index of 0005: the reverse puts it back."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

RANK_COVER = "CREATE INDEX IF NOT EXISTS media_mediaitem_rank_cover ON media_mediaitem (id, status, sort_title)"


def _restore_rank_cover(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(RANK_COVER)


class Migration(migrations.Migration):

    dependencies = [
        ('media', '0007_unindexed_file_format_and_sha256'),
    ]

    operations = [
        migrations.CreateModel(
            name='Work',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=500)),
                ('provider', models.CharField(max_length=32)),
                ('external_id', models.CharField(max_length=128)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'ordering': ['title', 'id'],
                'constraints': [models.UniqueConstraint(fields=('provider', 'external_id'), name='unique_work_id')],
            },
        ),
        # reversed after the RemoveField below: the rebuilt table gets its covering index back
        migrations.RunPython(migrations.RunPython.noop, _restore_rank_cover),
        migrations.AddField(
            model_name='mediaitem',
            name='work',
            field=models.ForeignKey(blank=True, help_text='Shared by the ebook, audiobook and comic editions of one work', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='items', to='media.work'),
        ),
    ]
