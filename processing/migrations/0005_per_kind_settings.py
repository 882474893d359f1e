"""Issue 21 part 6: import mode, existing-file policy, template and conversion per media kind.
The global values of ImportSettings are copied into one KindProcessingSettings row per kind
(so nothing changes for an existing install), then the global fields are dropped. Reversible:
going back copies the ebook row's mode/policy/format (and each kind's template) into the
global row again."""

import processing.models
from django.db import migrations, models

EBOOK_TARGETS = ("epub", "azw3", "mobi", "pdf")


def _ebook_target(old) -> str:
    if not old.convert_ebooks:
        return "none"
    return old.ebook_format if old.ebook_format in EBOOK_TARGETS else "epub"


def copy_global_values(apps, schema_editor):
    ImportSettings = apps.get_model("processing", "ImportSettings")
    KindSettings = apps.get_model("processing", "KindProcessingSettings")
    old = ImportSettings.objects.order_by("pk").first()
    if old is None:
        return  # a fresh install: the rows are made with the same defaults on first use
    shared = {
        "import_mode": old.import_mode,
        "existing_file_policy": old.existing_file_policy,
        "keep_original": old.keep_original_format,
    }
    own = {
        "ebook": {"template": old.ebook_template, "conversion_target": _ebook_target(old)},
        "audiobook": {"template": old.audiobook_template, "conversion_target": "none"},
        "comic": {"template": old.comic_template, "conversion_target": "cbz" if old.repack_cbr else "none"},
    }
    for kind, values in own.items():
        KindSettings.objects.update_or_create(kind=kind, defaults={**shared, **values})


def copy_back(apps, schema_editor):
    ImportSettings = apps.get_model("processing", "ImportSettings")
    KindSettings = apps.get_model("processing", "KindProcessingSettings")
    rows = {row.kind: row for row in KindSettings.objects.all()}
    old = ImportSettings.objects.order_by("pk").first()
    if old is None or not rows:
        return
    ebook, comic = rows.get("ebook"), rows.get("comic")
    if ebook is not None:
        old.import_mode, old.existing_file_policy = ebook.import_mode, ebook.existing_file_policy
        old.keep_original_format = ebook.keep_original
        old.convert_ebooks = ebook.conversion_target != "none"
        old.ebook_format = ebook.conversion_target if ebook.conversion_target in EBOOK_TARGETS else "epub"
    if comic is not None:
        old.repack_cbr = comic.conversion_target == "cbz"
    for kind, row in rows.items():
        setattr(old, f"{kind}_template", row.template)
    old.save()


class Migration(migrations.Migration):

    dependencies = [
        ('media', '0001_initial'),
        ('processing', '0004_events_repack_embed'),
    ]

    operations = [
        migrations.CreateModel(
            name='KindProcessingSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('ebook', 'Ebook'), ('audiobook', 'Audiobook'), ('comic', 'Comic')], max_length=16, unique=True)),
                ('import_mode', models.CharField(choices=[('move', 'Move'), ('copy', 'Copy'), ('hardlink', 'Hardlink (falls back to copy across filesystems)')], default='hardlink', max_length=16)),
                ('existing_file_policy', models.CharField(choices=[('skip', 'Skip'), ('replace', 'Replace (old file to the recycle folder)'), ('keep_both', 'Keep both')], default='skip', max_length=16)),
                ('template', models.CharField(help_text='Library path (same tokens as the renamer)', max_length=500, validators=[processing.models.validate_template])),
                ('conversion_target', models.CharField(choices=[('none', 'Keep the format as downloaded'), ('epub', 'EPUB'), ('azw3', 'AZW3 (Kindle)'), ('mobi', 'MOBI (old Kindle)'), ('pdf', 'PDF'), ('cbz', 'CBZ (repack CBR comics as a stored zip)')], default='none', max_length=8)),
                ('keep_original', models.BooleanField(default=True, help_text='Also file the original after converting')),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'processing settings of a kind',
                'verbose_name_plural': 'processing settings per kind',
                'ordering': ['kind'],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('conversion_target__in', ['none', 'epub', 'azw3', 'mobi', 'pdf']), ('kind', 'ebook')), models.Q(('conversion_target__in', ['none']), ('kind', 'audiobook')), models.Q(('conversion_target__in', ['none', 'cbz']), ('kind', 'comic')), _connector='OR'), name='conversion_target_fits_kind')],
            },
        ),
        migrations.RunPython(copy_global_values, copy_back),
        migrations.RemoveField(
            model_name='importsettings',
            name='audiobook_template',
        ),
        migrations.RemoveField(
            model_name='importsettings',
            name='comic_template',
        ),
        migrations.RemoveField(
            model_name='importsettings',
            name='convert_ebooks',
        ),
        migrations.RemoveField(
            model_name='importsettings',
            name='ebook_format',
        ),
        migrations.RemoveField(
            model_name='importsettings',
            name='ebook_template',
        ),
        migrations.RemoveField(
            model_name='importsettings',
            name='existing_file_policy',
        ),
        migrations.RemoveField(
            model_name='importsettings',
            name='import_mode',
        ),
        migrations.RemoveField(
            model_name='importsettings',
            name='keep_original_format',
        ),
        migrations.RemoveField(
            model_name='importsettings',
            name='repack_cbr',
        ),
    ]
