"""Reading-list imports: one upload (its text, detected format and the choices made), the
report line of each row, and one entry per book of a list source, which makes a second
import of the same list add nothing twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from media.models import MediaItem, MediaKind


class ImportState(models.TextChoices):
    READY = "ready", "Ready (preview)"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class RowOutcome(models.TextChoices):
    ADDED = "added", "Added as wanted"
    MATCHED = "matched", "Matched to a book already in the library or wanted"
    REVIEW = "review", "Left for review"
    SKIPPED = "skipped", "Skipped"


class ListImport(models.Model):
    """One uploaded list. The text is kept (at most formats.MAX_BYTES) so the preview and the
    background run read the same rows."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    filename = models.CharField(max_length=255, blank=True)
    source_format = models.CharField(max_length=16)
    content = models.TextField()
    row_count = models.PositiveIntegerField(default=0)
    shelves = models.JSONField(default=dict, blank=True, help_text="shelf -> number of rows")
    warnings = models.JSONField(default=list, blank=True)
    kind = models.CharField(max_length=16, choices=MediaKind.choices, default=MediaKind.EBOOK)
    wanted_shelves = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=16, choices=ImportState.choices, default=ImportState.READY, db_index=True)
    job_id = models.PositiveBigIntegerField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename or 'list'} ({self.source_format}, {self.state})"


class ListEntry(models.Model):
    """A book of a list source (Goodreads, StoryGraph, a plain list) by the row's key: its Book
    Id, ISBN/UID, ISBN, or normalised title and author. What it became is kept, so an import
    of the same list later adds nothing twice; a row left for review waits here."""

    source_format = models.CharField(max_length=16)
    key = models.CharField(max_length=320)
    kind = models.CharField(max_length=16, choices=MediaKind.choices, default=MediaKind.EBOOK)
    title = models.CharField(max_length=500)
    authors = models.JSONField(default=list, blank=True)
    isbn13 = models.CharField(max_length=13, blank=True)
    outcome = models.CharField(max_length=16, choices=RowOutcome.choices)
    reason = models.CharField(max_length=500, blank=True)
    item = models.ForeignKey(MediaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    candidates = models.JSONField(default=list, blank=True, help_text="Review: the best provider records")
    dismissed = models.BooleanField(default=False, help_text="Review closed without adding the book")
    last_import = models.ForeignKey(ListImport, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["source_format", "key", "kind"],
                                               name="one_list_entry_per_source_key_kind")]
        verbose_name_plural = "list entries"

    def __str__(self) -> str:
        return f"{self.title} ({self.outcome})"


class ImportRow(models.Model):
    """The report line of one row of one import."""

    list_import = models.ForeignKey(ListImport, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=500, blank=True)
    authors = models.CharField(max_length=500, blank=True)
    isbn13 = models.CharField(max_length=13, blank=True)
    shelves = models.CharField(max_length=500, blank=True)
    outcome = models.CharField(max_length=16, choices=RowOutcome.choices)
    reason = models.CharField(max_length=500, blank=True)
    entry = models.ForeignKey(ListEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    item = models.ForeignKey(MediaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["list_import", "number"]
        constraints = [models.UniqueConstraint(fields=["list_import", "number"], name="one_report_row_per_line")]

    def __str__(self) -> str:
        return f"row {self.number}: {self.outcome}"
