"""The rename journal. A RenameBatch is one preview/execute/undo unit; each planned move is
a RenameOperation row whose state is written *before* the file is touched, so an undo or
the recovery after a crash always knows what happened."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ConflictPolicy(models.TextChoices):
    SKIP = "skip", "Skip the file"
    SUFFIX = "suffix", "Add a numeric suffix"
    OVERWRITE = "overwrite", "Overwrite (old file to the recycle folder)"


class BatchOrigin(models.TextChoices):
    RENAME = "rename", "Rename"
    IMPORT = "import", "Import"


class BatchState(models.TextChoices):
    PLANNING = "planning", "Computing preview"
    PLANNED = "planned", "Preview ready"
    RUNNING = "running", "Moving files"
    INTERRUPTED = "interrupted", "Interrupted"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    REVERTING = "reverting", "Reverting"
    REVERTED = "reverted", "Reverted"


class OpState(models.TextChoices):
    PLANNED = "planned", "Planned"
    SKIPPED = "skipped", "Skipped"
    MOVING = "moving", "Moving"
    DONE = "done", "Moved"
    FAILED = "failed", "Failed"
    REVERTING = "reverting", "Moving back"
    REVERTED = "reverted", "Moved back"


class OpRole(models.TextChoices):
    FILE = "file", "Library file"
    COMPANION = "companion", "Companion"


class ConflictCode(models.TextChoices):
    NONE = "", "None"
    UNCHANGED = "unchanged", "Already at its destination"
    DESTINATION_EXISTS = "destination_exists", "Destination exists"
    DUPLICATE = "duplicate_destination", "Two files map to the same destination"
    TOO_LONG = "path_too_long", "Path too long"
    MISSING_METADATA = "missing_metadata", "Missing required metadata"
    SOURCE_MISSING = "source_missing", "Source file missing"


class NamingTemplate(models.Model):
    """A user's saved template; the predefined ones live in `core.naming.PREDEFINED`."""

    name = models.CharField(max_length=100, unique=True)
    template = models.CharField(max_length=1000)
    kind = models.CharField(max_length=16, blank=True, help_text="Media kind it is meant for; blank for any")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RenameBatch(models.Model):
    origin = models.CharField(max_length=16, choices=BatchOrigin.choices, default=BatchOrigin.RENAME)
    template = models.CharField(max_length=1000, blank=True)
    template_name = models.CharField(max_length=100, blank=True)
    policy = models.CharField(max_length=16, choices=ConflictPolicy.choices, default=ConflictPolicy.SKIP)
    selection = models.JSONField(default=dict, blank=True)
    root = models.CharField(max_length=4096, help_text="Library root the destinations stay inside")
    state = models.CharField(
        max_length=16, choices=BatchState.choices, default=BatchState.PLANNING, db_index=True
    )
    overwrite_confirmed = models.BooleanField(default=False)
    totals = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    job_id = models.BigIntegerField(null=True, blank=True)
    owner = models.CharField(max_length=64, blank=True, help_text="Token of the process working on it")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "rename batches"

    def __str__(self) -> str:
        return f"Batch #{self.pk} ({self.state})"


class RenameOperation(models.Model):
    batch = models.ForeignKey(RenameBatch, on_delete=models.CASCADE, related_name="operations")
    seq = models.PositiveIntegerField()
    item = models.ForeignKey(
        "media.MediaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="rename_operations"
    )
    library_file = models.ForeignKey(
        "media.LibraryFile",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rename_operations",
    )
    role = models.CharField(max_length=16, choices=OpRole.choices, default=OpRole.FILE)
    source = models.CharField(max_length=4096)
    destination = models.CharField(max_length=4096)
    state = models.CharField(max_length=16, choices=OpState.choices, default=OpState.PLANNED)
    conflict = models.CharField(max_length=32, choices=ConflictCode.choices, blank=True)
    overwrite = models.BooleanField(default=False)
    recycle_path = models.CharField(
        max_length=4096, blank=True, help_text="Where the overwritten destination was put"
    )
    cross_device = models.BooleanField(default=False)
    message = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["batch", "seq"]
        indexes = [models.Index(fields=["batch", "state"]), models.Index(fields=["batch", "seq"])]

    def __str__(self) -> str:
        return f"{self.source} -> {self.destination} ({self.state})"
