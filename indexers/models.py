"""Indexer connections, acquisition preferences, stored search results, per-item search
state and the release blacklist."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from indexers.clients.base import IndexerSettings
from media.models import MediaItem, MediaKind


class IndexerKind(models.TextChoices):
    PROWLARR = "prowlarr", "Prowlarr"
    NEWZNAB = "newznab", "Newznab (usenet)"
    TORZNAB = "torznab", "Torznab (torrent)"


class QueryForm(models.TextChoices):
    """The forms of a book query (indexers.services.query_plan), in today's default order."""

    ISBN = "isbn", "ISBN"
    TITLE_AUTHOR = "title_author", "Title + author"
    AUTHOR_TITLE = "author_title", "Author + title"
    TITLE = "title", "Title"


class QueryOrderMode(models.TextChoices):
    AUTOMATIC = "automatic", "Automatic (by import success)"
    MANUAL = "manual", "Manual (the list below)"


class IndexerConfig(models.Model):
    """One Prowlarr instance or plain Newznab/Torznab indexer. Several may be enabled;
    lower priority numbers are asked first."""

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=IndexerKind.choices, default=IndexerKind.PROWLARR)
    url = models.URLField(max_length=500, help_text="scheme://host:port, e.g. http://127.0.0.1:9696")
    base_path = models.CharField(
        max_length=200, blank=True, help_text="URL base behind a reverse proxy, e.g. /prowlarr"
    )
    verify_ssl = models.BooleanField(default=True, help_text="Check the TLS certificate of https URLs")
    api_key = models.CharField(max_length=200)
    timeout_seconds = models.PositiveSmallIntegerField(default=30)
    priority = models.PositiveSmallIntegerField(default=25, help_text="Lower is asked first")
    enabled = models.BooleanField(default=True)
    indexer_ids = models.CharField(
        max_length=200,
        blank=True,
        help_text="Prowlarr only: comma-separated indexer ids to restrict searches to",
    )
    query_order_mode = models.CharField(
        max_length=16,
        choices=QueryOrderMode.choices,
        default=QueryOrderMode.AUTOMATIC,
        help_text="Automatic: query forms whose grabs imported best are asked first",
    )
    query_order = models.CharField(
        max_length=100,
        blank=True,
        help_text="Manual mode: the query forms to ask, in order, comma-separated "
        "(isbn, title_author, author_title, title); forms left out are not asked",
    )
    last_test_at = models.DateTimeField(null=True, blank=True)
    last_test_ok = models.BooleanField(null=True, blank=True)
    last_test_message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["priority", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def to_settings(self) -> IndexerSettings:
        ids = tuple(int(p) for p in self.indexer_ids.replace(" ", "").split(",") if p.isdigit())
        return IndexerSettings(
            name=self.name,
            url=self.url,
            api_key=self.api_key,
            base_path=self.base_path,
            verify_ssl=self.verify_ssl,
            timeout=float(self.timeout_seconds),
            indexer_ids=ids,
            config_id=self.pk,
        )


class AcquisitionSettings(models.Model):
    """One row (pk=1): search and automation preferences. (The formats searched for per kind are
    the format profiles' business: `FormatProfile`.)"""

    auto_search = models.BooleanField(default=True, help_text="Search wanted items periodically")
    auto_grab = models.BooleanField(
        default=True, help_text="Send the best acceptable release to the download client"
    )
    auto_grab_min_score = models.FloatField(
        default=70.0, help_text="0-100; below this nothing is grabbed automatically"
    )
    search_interval_hours = models.PositiveSmallIntegerField(default=6)
    search_batch_size = models.PositiveSmallIntegerField(
        default=25, help_text="Items searched per periodic run"
    )
    search_spacing_seconds = models.PositiveSmallIntegerField(
        default=20, help_text="Delay between item searches of one run (indexer limits)"
    )
    max_attempts = models.PositiveSmallIntegerField(
        default=3, help_text="Download attempts per item before giving up"
    )
    retry_backoff_minutes = models.PositiveIntegerField(
        default=15, help_text="Doubled after each failed attempt"
    )
    missing_grace_seconds = models.PositiveIntegerField(
        default=180,
        help_text="How long a job may be missing from the download client before it counts as deleted",
    )

    class Meta:
        verbose_name = verbose_name_plural = "acquisition settings"

    def __str__(self) -> str:
        return "Acquisition settings"

    @classmethod
    def current(cls) -> AcquisitionSettings:
        row, _ = cls.objects.get_or_create(pk=1)
        return row


class FormatProfile(models.Model):
    """The *arr "quality profile" of one kind: the acceptable formats and qualities best first
    (`indexers.qualities` keys), the cutoff (a book whose best file ranks below it stays wanted
    for an upgrade) and the minimum release score. One default per kind."""

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=MediaKind.choices, default=MediaKind.EBOOK)
    qualities = models.JSONField(default=list, help_text="quality keys, best first")
    cutoff = models.CharField(max_length=16, help_text="one of the qualities; files at or above it end upgrades")
    min_score = models.FloatField(default=0.0, help_text="0-100; releases scoring less are rejected")
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=Q(is_default=True), name="one_default_format_profile_per_kind"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ItemProfile(models.Model):
    """A book's format profile (none: its kind's default) and its upgrade state: whether its best
    present file ranks below the cutoff, and the quality each imported file came in as (retail
    and bitrate are known from the release name, not from the file)."""

    item = models.OneToOneField(MediaItem, on_delete=models.CASCADE, related_name="format_profile")
    profile = models.ForeignKey(FormatProfile, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="items")
    upgrade_wanted = models.BooleanField(default=False, db_index=True)
    current_quality = models.CharField(max_length=16, blank=True, help_text="the best present file's quality")
    file_qualities = models.JSONField(default=dict, blank=True, help_text="{path: quality key} of imported files")
    checked_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"format profile of {self.item_id}"


class ItemSearchState(models.Model):
    item = models.OneToOneField(MediaItem, on_delete=models.CASCADE, related_name="search_state")
    last_search_at = models.DateTimeField(null=True, blank=True)
    next_search_at = models.DateTimeField(null=True, blank=True, db_index=True)
    searches = models.PositiveIntegerField(default=0)
    last_result_count = models.PositiveIntegerField(default=0)
    last_accepted_count = models.PositiveIntegerField(default=0)
    last_best_score = models.FloatField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"search state of {self.item_id}"


class SearchResult(models.Model):
    """A scored release from the item's latest search (replaced by the next search)."""

    item = models.ForeignKey(MediaItem, on_delete=models.CASCADE, related_name="search_results")
    searched_at = models.DateTimeField(default=timezone.now)
    rank = models.PositiveSmallIntegerField(default=0)
    query_label = models.CharField(max_length=32, blank=True)
    query_text = models.CharField(max_length=500, blank=True)
    indexer_config = models.ForeignKey(IndexerConfig, null=True, blank=True, on_delete=models.SET_NULL)
    indexer = models.CharField(max_length=200, blank=True)
    indexer_id = models.IntegerField(null=True, blank=True)
    guid = models.CharField(max_length=1000)
    info_hash = models.CharField(max_length=64, blank=True)
    title = models.CharField(max_length=1000)
    protocol = models.CharField(max_length=16)
    download_url = models.TextField(blank=True)
    magnet_url = models.TextField(blank=True)
    info_url = models.TextField(blank=True)
    size = models.BigIntegerField(default=0)
    publish_date = models.DateTimeField(null=True, blank=True)
    age_days = models.FloatField(null=True, blank=True)
    seeders = models.IntegerField(null=True, blank=True)
    leechers = models.IntegerField(null=True, blank=True)
    grabs = models.IntegerField(null=True, blank=True)
    categories = models.JSONField(default=list, blank=True)
    parsed = models.JSONField(default=dict, blank=True)
    score = models.FloatField(default=0)
    breakdown = models.JSONField(default=list, blank=True)
    rejections = models.JSONField(default=list, blank=True)
    accepted = models.BooleanField(default=False)

    class Meta:
        ordering = ["rank", "id"]
        indexes = [models.Index(fields=["item", "accepted", "score"])]

    def __str__(self) -> str:
        return self.title


class GrabOutcome(models.TextChoices):
    PENDING = "pending", "Not finished"
    IMPORTED = "imported", "Imported"
    FAILED = "failed", "Failed"
    VOID = "void", "Not counted"


class QueryGrab(models.Model):
    """One grab of a release that an indexer returned for a query form, and whether it
    imported: what indexers.learning orders that indexer's query forms by. `attempt_id` is
    the download attempt (downloaders sits above indexers, so no foreign key)."""

    indexer_config = models.ForeignKey(IndexerConfig, on_delete=models.CASCADE, related_name="query_grabs")
    query_form = models.CharField(max_length=32, choices=QueryForm.choices)
    attempt_id = models.PositiveIntegerField(unique=True)
    outcome = models.CharField(max_length=16, choices=GrabOutcome.choices, default=GrabOutcome.PENDING)
    grabbed_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-grabbed_at", "-id"]
        indexes = [models.Index(fields=["indexer_config", "query_form", "outcome"])]

    def __str__(self) -> str:
        return f"{self.query_form} grab {self.attempt_id}: {self.outcome}"


class BlacklistReason(models.TextChoices):
    DOWNLOAD_FAILED = "download_failed", "Download failed"
    IMPORT_FAILED = "import_failed", "Import failed"
    WRONG_CONTENT = "wrong_content", "Wrong book or bad content"
    PASSWORDED = "passworded", "Password protected"
    MANUAL = "manual", "Blacklisted by hand"


class BlacklistQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(removed_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class BlacklistEntry(models.Model):
    """A release never to be grabbed again (until it expires or is removed, with a reason)."""

    item = models.ForeignKey(
        MediaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="blacklist"
    )
    title = models.CharField(max_length=1000)
    guid = models.CharField(max_length=1000, blank=True, db_index=True)
    info_hash = models.CharField(max_length=64, blank=True, db_index=True)
    indexer = models.CharField(max_length=200, blank=True)
    size = models.BigIntegerField(default=0)
    protocol = models.CharField(max_length=16, blank=True)
    reason = models.CharField(max_length=32, choices=BlacklistReason.choices, default=BlacklistReason.MANUAL)
    details = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_reason = models.CharField(max_length=500, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = BlacklistQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "blacklist entries"

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.removed_at is None and (self.expires_at is None or self.expires_at > timezone.now())
