"""Followed authors and series, and what the monitor decided about each book the providers
listed for them: added as wanted (with the reason), the same as a book already in the library,
waiting for review, dismissed (removed or marked unwanted: never added again) or seen before the
follow began (future-only monitors)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from media.models import Author, MediaItem, MediaKind, Series


class MonitorMode(models.TextChoices):
    ALL = "all", "All books"
    FUTURE = "future", "Future books only"
    MISSING = "missing", "Missing books only"
    NONE = "none", "None (paused)"


class Monitor(models.Model):
    """What an author monitor and a series monitor share."""

    kind = models.CharField(max_length=16, choices=MediaKind.choices, default=MediaKind.EBOOK)
    mode = models.CharField(max_length=16, choices=MonitorMode.choices, default=MonitorMode.ALL)
    profile = models.ForeignKey("indexers.FormatProfile", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+",
                                help_text="The format profile the books it adds get (empty: the kind's default)")
    provider_ids = models.JSONField(default=dict, blank=True,
                                    help_text="The author's or series' id at each provider: {provider: id}")
    listing = models.JSONField(default=list, blank=True,
                               help_text="The books the providers listed at the last check (for pages and gaps)")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_summary = models.JSONField(default=dict, blank=True, help_text="Counts and skipped providers")
    last_error = models.TextField(blank=True)

    class Meta:
        abstract = True


class MonitoredAuthor(Monitor):
    author = models.ForeignKey(Author, null=True, blank=True, on_delete=models.SET_NULL, related_name="monitors")
    name = models.CharField(max_length=255, help_text="As the providers are asked for it")

    class Meta:
        ordering = ["name", "kind"]
        constraints = [models.UniqueConstraint(fields=["name", "kind"], name="unique_monitored_author")]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class MonitoredSeries(Monitor):
    series = models.ForeignKey(Series, null=True, blank=True, on_delete=models.SET_NULL, related_name="monitors")
    title = models.CharField(max_length=255)

    class Meta:
        ordering = ["title", "kind"]
        verbose_name_plural = "monitored series"
        constraints = [models.UniqueConstraint(fields=["title", "kind"], name="unique_monitored_series")]

    def __str__(self) -> str:
        return f"{self.title} ({self.kind})"


class BookState(models.TextChoices):
    ADDED = "added", "Added as wanted"
    MATCHED = "matched", "Already in the library"
    REVIEW = "review", "Needs review"
    DISMISSED = "dismissed", "Dismissed (never added again)"
    SEEN = "seen", "Listed before the follow began"


class MonitoredBook(models.Model):
    """One provider record (per kind) the monitors met, and what became of it. A record with a
    row is never considered again (a second check adds nothing), except `seen` ones when the
    monitor's mode is no longer future-only. Dismissals also come from removed items (their
    provider ids and ISBN, scheme "isbn")."""

    provider = models.CharField(max_length=32)
    external_id = models.CharField(max_length=128)
    kind = models.CharField(max_length=16, choices=MediaKind.choices)
    state = models.CharField(max_length=16, choices=BookState.choices, db_index=True)
    title = models.CharField(max_length=500, blank=True)
    published = models.CharField(max_length=32, blank=True)
    position = models.CharField(max_length=16, blank=True, help_text="Series index or issue number")
    item = models.ForeignKey(MediaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    monitored = models.BooleanField(default=True, help_text="Kept monitored (all-books mode) when already owned")
    author_monitor = models.ForeignKey(MonitoredAuthor, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="books")
    series_monitor = models.ForeignKey(MonitoredSeries, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="books")
    reason = models.CharField(max_length=500, help_text="Why it was added, matched, queued or dismissed")
    record = models.JSONField(default=dict, blank=True, help_text="The provider's record (review: to add it)")
    candidates = models.JSONField(default=list, blank=True,
                                  help_text="Review: library items it may be, with the distance's reasons")
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["provider", "external_id", "kind"],
                                               name="unique_monitored_book")]

    def __str__(self) -> str:
        return f"{self.title or self.external_id} ({self.state})"


class MonitoringSettings(models.Model):
    """One row (pk=1): which languages and kinds the monitors add."""

    languages = models.CharField(max_length=200, blank=True,
                                 help_text="ISO 639-1 codes, comma-separated (e.g. en,fr); empty: any. "
                                           "Books whose language the provider does not give are kept.")
    kinds = models.CharField(max_length=100, default="ebook,audiobook,comic",
                             help_text="Kinds the monitors add, comma-separated")

    class Meta:
        verbose_name = verbose_name_plural = "monitoring settings"

    def __str__(self) -> str:
        return "Monitoring settings"

    @classmethod
    def load(cls) -> MonitoringSettings:
        row, _ = cls.objects.get_or_create(pk=1)
        return row

    @property
    def language_set(self) -> frozenset[str]:
        return frozenset(c.strip().lower() for c in self.languages.split(",") if c.strip())

    @property
    def kind_set(self) -> frozenset[str]:
        return frozenset(k.strip().lower() for k in self.kinds.split(",") if k.strip())
