"""One configuration model for every download client kind: DownloadClientConfig replaces
SabnzbdConfig. Existing SABnzbd rows are copied (kind "sabnzbd") and the attempts that named
them are pointed at their copies; then SabnzbdConfig is dropped. Reversible."""

from django.db import migrations, models

SHARED = (
    "name",
    "url",
    "base_path",
    "api_key",
    "verify_ssl",
    "timeout_seconds",
    "category_ebook",
    "category_audiobook",
    "category_comic",
    "priority",
    "enabled",
    "last_test_at",
    "last_test_ok",
    "last_test_message",
)


def _repoint(apps, kind: str, new_ids: dict[int, int]) -> None:
    attempts = apps.get_model("downloaders", "DownloadAttempt").objects
    # gather every attempt first: an old id may equal another row's new id
    groups = {
        old: list(attempts.filter(client_kind=kind, client_config_id=old).values_list("pk", flat=True))
        for old in new_ids
    }
    for old, pks in groups.items():
        attempts.filter(pk__in=pks).update(client_config_id=new_ids[old])


def copy_sabnzbd_configs(apps, schema_editor):
    old_model = apps.get_model("downloaders", "SabnzbdConfig")
    new_model = apps.get_model("downloaders", "DownloadClientConfig")
    new_ids = {}
    for position, row in enumerate(old_model.objects.order_by("pk"), start=1):
        copy = new_model.objects.create(kind="sabnzbd", order=position, **{name: getattr(row, name) for name in SHARED})
        new_ids[row.pk] = copy.pk
    _repoint(apps, "sabnzbd", new_ids)


def copy_back(apps, schema_editor):
    old_model = apps.get_model("downloaders", "SabnzbdConfig")
    new_model = apps.get_model("downloaders", "DownloadClientConfig")
    new_ids = {}
    for row in new_model.objects.filter(kind="sabnzbd").order_by("pk"):
        copy = old_model.objects.create(**{name: getattr(row, name) for name in SHARED})
        new_ids[row.pk] = copy.pk
    _repoint(apps, "sabnzbd", new_ids)


class Migration(migrations.Migration):
    dependencies = [("downloaders", "0002_history_cleanup")]

    operations = [
        migrations.CreateModel(
            name="DownloadClientConfig",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(default="sabnzbd", help_text="sabnzbd, qbittorrent, ...", max_length=32)),
                ("name", models.CharField(max_length=100, unique=True)),
                (
                    "url",
                    models.URLField(
                        blank=True,
                        help_text="scheme://host:port, e.g. http://127.0.0.1:8080 (none for a blackhole)",
                        max_length=500,
                    ),
                ),
                (
                    "base_path",
                    models.CharField(blank=True, help_text="The client's URL base, e.g. /sabnzbd", max_length=200),
                ),
                ("api_key", models.CharField(blank=True, max_length=200)),
                ("username", models.CharField(blank=True, max_length=200)),
                ("password", models.CharField(blank=True, max_length=200)),
                ("verify_ssl", models.BooleanField(default=True)),
                ("timeout_seconds", models.PositiveSmallIntegerField(default=20)),
                ("category_ebook", models.CharField(blank=True, default="books", max_length=64)),
                ("category_audiobook", models.CharField(blank=True, default="audiobooks", max_length=64)),
                ("category_comic", models.CharField(blank=True, default="comics", max_length=64)),
                ("priority", models.IntegerField(default=-100, help_text="The job priority sent to the client")),
                (
                    "order",
                    models.PositiveSmallIntegerField(
                        default=1, help_text="Among enabled clients of the same protocol, the lowest is used first"
                    ),
                ),
                ("add_paused", models.BooleanField(default=False)),
                ("enabled", models.BooleanField(default=True)),
                (
                    "seed_ratio_limit",
                    models.FloatField(
                        blank=True,
                        help_text="Torrents: once imported, remove the torrent when its ratio reaches this",
                        null=True,
                    ),
                ),
                (
                    "seed_time_limit_minutes",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text="Torrents: once imported, remove the torrent after seeding this long",
                        null=True,
                    ),
                ),
                (
                    "watch_folder",
                    models.CharField(
                        blank=True, help_text="Blackhole: where .nzb/.torrent/.magnet files are dropped", max_length=1000
                    ),
                ),
                (
                    "completed_folder",
                    models.CharField(
                        blank=True,
                        help_text="Blackhole: where the program behind it puts finished downloads",
                        max_length=1000,
                    ),
                ),
                (
                    "download_dir",
                    models.CharField(
                        blank=True,
                        help_text="The client's completed downloads folder as OmniReadarr sees it; imports accept files below it",
                        max_length=1000,
                    ),
                ),
                (
                    "remote_download_dir",
                    models.CharField(
                        blank=True,
                        help_text="The same folder as the client reports it, when that differs (a path mapping)",
                        max_length=1000,
                    ),
                ),
                ("last_test_at", models.DateTimeField(blank=True, null=True)),
                ("last_test_ok", models.BooleanField(blank=True, null=True)),
                ("last_test_message", models.CharField(blank=True, max_length=500)),
            ],
            options={"verbose_name": "download client", "ordering": ["order", "pk"]},
        ),
        migrations.RunPython(copy_sabnzbd_configs, copy_back),
        migrations.DeleteModel(name="SabnzbdConfig"),
    ]
