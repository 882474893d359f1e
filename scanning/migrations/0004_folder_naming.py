"""A scan folder (a library) can have its own rename template and target root."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("scanning", "0003_pending_cover"),
    ]

    operations = [
        migrations.AddField(
            model_name="scanfolder",
            name="naming_template",
            field=models.CharField(
                blank=True,
                help_text="Rename template of this library; blank = the one chosen for a rename",
                max_length=1000,
            ),
        ),
        migrations.AddField(
            model_name="scanfolder",
            name="target_root",
            field=models.CharField(
                blank=True,
                help_text="Folder renames move this library's books to; blank = the scan folder itself",
                max_length=4096,
            ),
        ),
    ]
