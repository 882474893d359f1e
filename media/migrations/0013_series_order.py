from django.db import migrations, models


class Migration(migrations.Migration):
    """Series orderings and conflicts: a chronological (in-universe) position per book beside
    the publication one, and a series marked as a shared universe (no author check)."""

    dependencies = [("media", "0012_user_preferences")]

    operations = [
        migrations.AddField(
            model_name="series",
            name="shared_universe",
            field=models.BooleanField(
                default=False, help_text="A shared universe or collaboration: books by other authors are intended"),
        ),
        migrations.AddField(
            model_name="mediaitem",
            name="series_chrono_index",
            field=models.DecimalField(blank=True, decimal_places=2, help_text="Chronological (in-universe) position in the series", max_digits=8, null=True),
        ),
    ]
