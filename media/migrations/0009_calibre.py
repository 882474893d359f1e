from django.db import migrations, models


class Migration(migrations.Migration):
    """A rating per item (1-10, half stars), read from a calibre library."""

    dependencies = [
        ("media", "0008_works"),
    ]

    operations = [
        migrations.AddField(
            model_name="mediaitem",
            name="rating",
            field=models.PositiveSmallIntegerField(
                blank=True, help_text="1-10 (half stars), as in calibre", null=True
            ),
        ),
    ]
