"""Metadata provenance: providers and their health, data sources with trust, candidate
values per field, the resolved value of each field (source, confidence, lock), the change
history (revertable), the review queue and author aliases."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from media.models import Author, MediaItem


class ProviderStatus(models.TextChoices):
    OK = "ok", "OK"
    UNKNOWN = "unknown", "Not used yet"
    RATE_LIMITED = "rate_limited", "Rate limited"
    UNAVAILABLE = "unavailable", "Unavailable"
    ERROR = "error", "Error"
    UNCONFIGURED = "unconfigured", "Not configured"
    DISABLED = "disabled", "Disabled"


class SearchProvider(models.Model):
    """Configuration and health of one metadata provider (edited in admin and Settings)."""

    name = models.SlugField(max_length=32, unique=True, help_text="Registry name, e.g. openlibrary, or the "
                            "name of an added source (a second Open Library mirror)")
    kind = models.SlugField(max_length=32, blank=True, help_text="The adapter of an added source "
                            "(openlibrary, googlebooks, comicvine); empty: the name is the adapter")
    label = models.CharField(max_length=64)
    enabled = models.BooleanField(default=True)
    base_url = models.URLField(max_length=500)
    covers_base_url = models.URLField(max_length=500, blank=True)
    api_key = models.CharField(max_length=255, blank=True)
    priority = models.PositiveSmallIntegerField(default=50, help_text="Lower is asked first and wins ties")
    rate_per_second = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0.01)])
    hourly_limit_per_resource = models.PositiveIntegerField(null=True, blank=True)
    media_types = models.JSONField(default=list, blank=True, help_text='e.g. ["ebook", "audiobook"]')
    status = models.CharField(max_length=16, choices=ProviderStatus.choices, default=ProviderStatus.UNKNOWN)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    retry_at = models.DateTimeField(null=True, blank=True, help_text="Circuit open / rate limited until")
    consecutive_failures = models.PositiveIntegerField(default=0)
    retired_at = models.DateTimeField(null=True, blank=True, help_text="Retired: never asked again; the values it "
                                      "gave stay, attributed to it")

    class Meta:
        ordering = ["priority", "name"]

    def __str__(self) -> str:
        return self.label

    @property
    def adapter(self) -> str:
        """The registry name of the adapter that speaks to it."""
        return self.kind or self.name


class SourceKind(models.TextChoices):
    MANUAL = "manual", "Manual entry"
    PROVIDER = "provider", "Metadata provider"
    SIDECAR = "sidecar", "Sidecar file (OPF, ComicInfo)"
    EMBEDDED = "embedded", "Embedded in the file"
    FILENAME = "filename", "File name"


class DataSource(models.Model):
    """Where a value came from, with an editable trust level (0-1)."""

    name = models.SlugField(max_length=48, unique=True)
    label = models.CharField(max_length=64)
    kind = models.CharField(max_length=16, choices=SourceKind.choices)
    trust = models.FloatField(validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True, help_text="Its provider is retired; its values stay")
    probation_items = models.PositiveIntegerField(default=0, help_text="On probation until it has answered for "
                                                  "this many books (0: no probation)")
    probation_days = models.PositiveIntegerField(default=0, help_text="... or until this many days have passed")
    probation_factor = models.FloatField(default=0.5, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
                                         help_text="Trust is multiplied by this while on probation")
    auto_adjust = models.BooleanField(default=False, help_text="Adjust trust from its measured accuracy")
    trust_min = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])
    trust_max = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])

    class Meta:
        ordering = ["-trust", "name"]

    def __str__(self) -> str:
        return f"{self.label} ({self.trust:.2f})"


class TrustChangeReason(models.TextChoices):
    MANUAL = "manual", "Set by hand"
    AUTO = "auto", "Adjusted from accuracy"
    BULK = "bulk", "Bulk change"
    REVERT = "revert", "Reverted"


class TrustBatch(models.Model):
    """A bulk trust change ("all Google sources -10 %"), rolled back as a whole."""

    description = models.CharField(max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    rolled_back_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.description


class TrustChange(models.Model):
    """The audit log of trust: every change, by hand, automatic or in bulk, revertable."""

    source = models.ForeignKey(DataSource, on_delete=models.CASCADE, related_name="trust_changes")
    old_trust = models.FloatField()
    new_trust = models.FloatField()
    reason = models.CharField(max_length=16, choices=TrustChangeReason.choices)
    note = models.CharField(max_length=200, blank=True)
    batch = models.ForeignKey(TrustBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    reverted_at = models.DateTimeField(null=True, blank=True)
    evidence = models.PositiveIntegerField(
        null=True, blank=True, help_text="The source's corrected + locked values when it was made: a person's "
        "change holds against automatic adjustment until there are more")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source_id}: {self.old_trust:.2f} -> {self.new_trust:.2f}"


class MetadataField(models.TextChoices):
    TITLE = "title", "Title"
    SUBTITLE = "subtitle", "Subtitle"
    AUTHORS = "authors", "Authors"
    SERIES = "series", "Series and index"
    PUBLISHER = "publisher", "Publisher"
    PUBLISHED = "published", "Publication date"
    YEAR = "year", "Year"
    LANGUAGE = "language", "Language"
    DESCRIPTION = "description", "Description"
    SUBJECTS = "subjects", "Subjects"
    GENRES = "genres", "Genres"
    IDENTIFIERS = "identifiers", "Identifiers"
    ISBN13 = "isbn13", "ISBN-13"
    COVER = "cover", "Cover"
    PAGE_COUNT = "page_count", "Page count"
    NARRATORS = "narrators", "Narrators"
    DURATION = "duration_seconds", "Duration"
    ISSUE_NUMBER = "issue_number", "Issue"
    VOLUME = "volume", "Volume"


class FieldCandidate(models.Model):
    """One source's value for one field of one item."""

    item = models.ForeignKey(MediaItem, on_delete=models.CASCADE, related_name="field_candidates")
    field = models.CharField(max_length=24, choices=MetadataField.choices)
    value = models.JSONField()
    source = models.ForeignKey(DataSource, on_delete=models.CASCADE, related_name="candidates")
    confidence = models.FloatField(validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])
    external_id = models.CharField(max_length=128, blank=True, help_text="Provider record the value came from")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "field", "source"], name="one_candidate_per_source")]
        indexes = [models.Index(fields=["item", "field"])]

    def __str__(self) -> str:
        return f"{self.field} candidate of item {self.item_id}"


class ResolvedField(models.Model):
    """The final value of a field, which source gave it and how sure we are; a lock keeps it."""

    item = models.ForeignKey(MediaItem, on_delete=models.CASCADE, related_name="resolved_fields")
    field = models.CharField(max_length=24, choices=MetadataField.choices)
    value = models.JSONField(null=True)
    source = models.ForeignKey(DataSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    confidence = models.FloatField(default=0.0)
    score = models.FloatField(default=0.0, help_text="trust x confidence (combined over agreeing sources)")
    locked = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "field"], name="one_resolved_value_per_field")]

    def __str__(self) -> str:
        return f"{self.field} of item {self.item_id}"


class ChangeReason(models.TextChoices):
    MERGE = "merge", "Merged from sources"
    MANUAL = "manual", "Manual edit"
    REVERT = "revert", "Reverted"
    IDENTIFY = "identify", "Identification"


class EnrichmentRun(models.Model):
    """One pass of automatic identification (a background enrichment job, or one item identified
    at once): groups what it applied so the whole run can be undone ("undo the last run")."""

    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    job_id = models.PositiveBigIntegerField(null=True, blank=True, help_text="core.Job that ran it, if any")
    counts = models.JSONField(default=dict, blank=True)
    reverted_at = models.DateTimeField(null=True, blank=True)
    reverted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Enrichment run {self.pk}"


class EnrichmentRunItem(models.Model):
    """A provider record a run applied to one item, and the identifiers that added."""

    run = models.ForeignKey(EnrichmentRun, on_delete=models.CASCADE, related_name="applied")
    item = models.ForeignKey(MediaItem, on_delete=models.CASCADE, related_name="+")
    provider = models.CharField(max_length=48)
    external_id = models.CharField(max_length=128)
    added_identifiers = models.JSONField(default=list, blank=True, help_text="[scheme, value] pairs it created")
    applied_at = models.DateTimeField(default=timezone.now)
    reverted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.provider}:{self.external_id} on item {self.item_id}"


class MetadataChange(models.Model):
    item = models.ForeignKey(MediaItem, on_delete=models.CASCADE, related_name="metadata_changes")
    run = models.ForeignKey(EnrichmentRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes",
                            help_text="The automatic identification run that made it")
    field = models.CharField(max_length=24, choices=MetadataField.choices)
    old_value = models.JSONField(null=True)
    new_value = models.JSONField(null=True)
    old_source = models.CharField(max_length=48, blank=True)
    new_source = models.CharField(max_length=48, blank=True)
    reason = models.CharField(max_length=16, choices=ChangeReason.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    reverted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.field} of item {self.item_id} ({self.reason})"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Needs review"
    ACCEPTED = "accepted", "Accepted"
    KEPT = "kept", "Kept embedded metadata"


class ReviewItem(models.Model):
    """An uncertain or failed identification, with its best candidates, waiting for a person."""

    item = models.ForeignKey(MediaItem, on_delete=models.CASCADE, related_name="reviews")
    status = models.CharField(max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.PENDING,
                              db_index=True)
    recommendation = models.CharField(max_length=16, help_text="medium, low or none")
    reason = models.CharField(max_length=500, blank=True)
    best_distance = models.FloatField(null=True, blank=True)
    candidates = models.JSONField(default=list, help_text="Top candidates with distance and penalties")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["item"], condition=models.Q(status="pending"),
                                               name="one_pending_review_per_item")]

    def __str__(self) -> str:
        return f"Review of item {self.item_id} ({self.status})"


class AuthorAlias(models.Model):
    """Another spelling of an author ('Tolkien, J.R.R.', a pen name, a merged duplicate)."""

    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=255)
    normalized = models.CharField(max_length=255, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "author aliases"

    def __str__(self) -> str:
        return self.name


class EnrichmentState(models.Model):
    """When an item was last enriched/identified, so bulk jobs can resume."""

    item = models.OneToOneField(MediaItem, on_delete=models.CASCADE, related_name="enrichment")
    last_run_at = models.DateTimeField(null=True, blank=True, db_index=True)
    outcome = models.CharField(max_length=32, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Enrichment of item {self.item_id}: {self.outcome}"


class MetadataSettings(models.Model):
    """Singleton: thresholds of identification and the response cache lifetime."""

    strong_distance = models.FloatField(default=0.12, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
                                        help_text="At or below: applied automatically")
    medium_distance = models.FloatField(default=0.35, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
                                        help_text="At or below: medium (review); above: low (review)")
    min_gap = models.FloatField(default=0.05, help_text="A strong match must beat the runner-up by this much")
    cache_ttl_seconds = models.PositiveIntegerField(default=3600)
    breaker_threshold = models.PositiveSmallIntegerField(default=3, help_text="Failures before pausing a provider")
    breaker_cooldown_seconds = models.PositiveIntegerField(default=60)

    class Meta:
        verbose_name_plural = "metadata settings"

    def __str__(self) -> str:
        return "Metadata settings"

    @classmethod
    def load(cls) -> MetadataSettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class PendingScanValues(models.Model):
    """What one scanned file said about its item (values, sources, confidences), waiting to
    become candidates and resolved fields. A scan only stores these (one row per file, as
    JSON text): the provenance job turns them into provenance after the scan, and an item's
    page does it for that item at once when opened first."""

    item = models.ForeignKey(MediaItem, on_delete=models.CASCADE, related_name="+")
    data = models.TextField(help_text='{"written": [fields], "fields": {field: [value, source, confidence]}}')

    def __str__(self) -> str:
        return f"scanned values of item {self.item_id}"
