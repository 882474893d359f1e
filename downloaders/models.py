"""Download client configuration and download attempts (a state machine per grab)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from downloaders.clients.base import ClientSettings
from indexers.models import SearchResult
from media.models import MediaItem


class SabnzbdPriority(models.IntegerChoices):
    DEFAULT = -100, "Category default"
    PAUSED = -2, "Paused"
    LOW = -1, "Low"
    NORMAL = 0, "Normal"
    HIGH = 1, "High"
    FORCE = 2, "Force"


class DownloadClientConfig(models.Model):
    """One download client of any kind (a key of downloaders.clients.registry.CLIENTS). Which
    of the connection fields a kind needs is declared by its adapter (`fields`)."""

    kind = models.CharField(max_length=32, default="sabnzbd", help_text="sabnzbd, qbittorrent, ...")
    name = models.CharField(max_length=100, unique=True)
    url = models.URLField(
        max_length=500, blank=True, help_text="scheme://host:port, e.g. http://127.0.0.1:8080 (none for a blackhole)"
    )
    base_path = models.CharField(max_length=200, blank=True, help_text="The client's URL base, e.g. /sabnzbd")
    api_key = models.CharField(max_length=200, blank=True)
    username = models.CharField(max_length=200, blank=True)
    password = models.CharField(max_length=200, blank=True)
    verify_ssl = models.BooleanField(default=True)
    timeout_seconds = models.PositiveSmallIntegerField(default=20)
    category_ebook = models.CharField(max_length=64, default="books", blank=True)
    category_audiobook = models.CharField(max_length=64, default="audiobooks", blank=True)
    category_comic = models.CharField(max_length=64, default="comics", blank=True)
    priority = models.IntegerField(default=SabnzbdPriority.DEFAULT, help_text="The job priority sent to the client")
    order = models.PositiveSmallIntegerField(
        default=1, help_text="Among enabled clients of the same protocol, the lowest is used first"
    )
    add_paused = models.BooleanField(default=False)
    enabled = models.BooleanField(default=True)
    seed_ratio_limit = models.FloatField(
        null=True, blank=True, help_text="Torrents: once imported, remove the torrent when its ratio reaches this"
    )
    seed_time_limit_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Torrents: once imported, remove the torrent after seeding this long"
    )
    watch_folder = models.CharField(
        max_length=1000, blank=True, help_text="Blackhole: where .nzb/.torrent/.magnet files are dropped"
    )
    completed_folder = models.CharField(
        max_length=1000, blank=True, help_text="Blackhole: where the program behind it puts finished downloads"
    )
    download_dir = models.CharField(
        max_length=1000,
        blank=True,
        help_text="The client's completed downloads folder as OmniReadarr sees it; imports accept files below it",
    )
    remote_download_dir = models.CharField(
        max_length=1000,
        blank=True,
        help_text="The same folder as the client reports it, when that differs (a path mapping)",
    )
    last_test_at = models.DateTimeField(null=True, blank=True)
    last_test_ok = models.BooleanField(null=True, blank=True)
    last_test_message = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "download client"

    def __str__(self) -> str:
        return self.name

    def categories(self) -> tuple[tuple[str, str], ...]:
        return (
            ("ebook", self.category_ebook),
            ("audiobook", self.category_audiobook),
            ("comic", self.category_comic),
        )

    def to_settings(self) -> ClientSettings:
        return ClientSettings(
            name=self.name,
            url=self.url,
            api_key=self.api_key,
            base_path=self.base_path,
            username=self.username,
            password=self.password,
            verify_ssl=self.verify_ssl,
            timeout=float(self.timeout_seconds),
            priority=self.priority,
            add_paused=self.add_paused,
            watch_folder=self.watch_folder,
            completed_folder=self.completed_folder,
            config_id=self.pk,
            categories=self.categories(),
            seed_ratio_limit=self.seed_ratio_limit,
            seed_time_limit_minutes=self.seed_time_limit_minutes,
        )


class ClientHealth(models.TextChoices):
    """What the download client said the last time we asked it about an attempt."""

    OK = "ok", "Answering"
    UNREACHABLE = "unreachable", "Unreachable"
    AUTH_FAILED = "auth_failed", "Wrong API key or password"
    PAUSED = "paused", "Paused"
    ERROR = "error", "Error"


class DownloadSettings(models.Model):
    """One row (pk=1): what happens to a job in the download client once we are done with it."""

    remove_completed = models.BooleanField(
        default=True,
        help_text="Remove a usenet job from the client's history once it is imported "
        "(the files are not touched; OmniReadarr keeps its own history)",
    )
    remove_failed = models.BooleanField(
        default=True,
        help_text="Remove a failed job from the client's history, with its incomplete files",
    )

    class Meta:
        verbose_name = verbose_name_plural = "download settings"

    def __str__(self) -> str:
        return "Download settings"

    @classmethod
    def current(cls) -> DownloadSettings:
        row, _ = cls.objects.get_or_create(pk=1)
        return row


class AttemptState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent to client"
    DOWNLOADING = "downloading", "Downloading"
    DOWNLOADED = "downloaded", "Downloaded"
    FAILED = "failed", "Failed"
    BLACKLISTED = "blacklisted", "Failed, blacklisted"
    IMPORTED = "imported", "Imported"


ACTIVE_STATES = (AttemptState.PENDING, AttemptState.SENT, AttemptState.DOWNLOADING, AttemptState.DOWNLOADED)
MONITORED_STATES = (AttemptState.SENT, AttemptState.DOWNLOADING)
FINISHED_STATES = (AttemptState.FAILED, AttemptState.BLACKLISTED, AttemptState.IMPORTED)


class DownloadAttempt(models.Model):
    """One release sent (or about to be sent) to a download client for one item. At most
    one attempt per item is active (pending, sent, downloading or downloaded)."""

    item = models.ForeignKey(MediaItem, on_delete=models.CASCADE, related_name="download_attempts")
    state = models.CharField(
        max_length=16, choices=AttemptState.choices, default=AttemptState.PENDING, db_index=True
    )
    search_result = models.ForeignKey(
        SearchResult, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    release_title = models.CharField(max_length=1000)
    guid = models.CharField(max_length=1000)
    info_hash = models.CharField(max_length=64, blank=True)
    indexer = models.CharField(max_length=200, blank=True)
    protocol = models.CharField(max_length=16, default="usenet")
    download_url = models.TextField(blank=True)
    size = models.BigIntegerField(default=0)
    score = models.FloatField(null=True, blank=True)
    automatic = models.BooleanField(default=False, help_text="Grabbed by the automation, not by hand")
    client_kind = models.CharField(max_length=32, default="sabnzbd")
    client_config_id = models.IntegerField(null=True, blank=True)
    client_job_id = models.CharField(max_length=128, blank=True, db_index=True)
    progress = models.FloatField(default=0)
    time_left = models.CharField(max_length=32, blank=True)
    client_status = models.CharField(max_length=64, blank=True)
    client_state = models.CharField(max_length=16, choices=ClientHealth.choices, blank=True)
    send_failures = models.PositiveSmallIntegerField(
        default=0, help_text="Sends that never reached the download client (it was down)"
    )
    next_send_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="A pending attempt is sent again at this time"
    )
    storage_path = models.CharField(max_length=4096, blank=True)
    error = models.TextField(blank=True)
    missing_since = models.DateTimeField(null=True, blank=True)
    handoff_job_id = models.IntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=Q(state__in=ACTIVE_STATES), name="one_active_download_per_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.release_title} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES
