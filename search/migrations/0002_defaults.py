from django.db import migrations


def seed(apps, schema_editor):
    from search.defaults import DATA_SOURCES, PROVIDERS

    DataSource = apps.get_model("search", "DataSource")
    SearchProvider = apps.get_model("search", "SearchProvider")
    for name, label, kind, trust in DATA_SOURCES:
        DataSource.objects.get_or_create(name=name, defaults={"label": label, "kind": kind, "trust": trust})
    for name, label, base, covers, priority, rate, hourly, kinds, enabled in PROVIDERS:
        SearchProvider.objects.get_or_create(name=name, defaults={
            "label": label, "base_url": base, "covers_base_url": covers, "priority": priority,
            "rate_per_second": rate, "hourly_limit_per_resource": hourly, "media_types": kinds, "enabled": enabled,
        })


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
