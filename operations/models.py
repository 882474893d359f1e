"""Backup settings (a single row edited in the admin) and the stored integrity reports.

Backups themselves are not rows: the archives in BACKUP_DIR are the truth (a restore replaces
the database, so a row about a backup could not outlive it)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone


class BackupSettings(models.Model):
    """Singleton: how many scheduled backups to keep and what goes in them."""

    keep = models.PositiveSmallIntegerField(
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Scheduled and manual backups kept in the backup folder; older ones are deleted",
    )
    include_covers = models.BooleanField(
        default=True,
        help_text="Chosen, downloaded and uploaded covers cannot be read back from the books: keep them",
    )

    class Meta:
        verbose_name_plural = "backup settings"

    def __str__(self) -> str:
        return "Backup settings"

    @classmethod
    def load(cls) -> BackupSettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class FindingKind(models.TextChoices):
    MISSING_FILE = "missing_file", "Row whose file is gone"
    UNKNOWN_FILE = "unknown_file", "File no row knows"
    ORPHAN_SIDECAR = "orphan_sidecar", "Sidecar without a book"
    ORPHAN_COVER = "orphan_cover", "Cover without an item"
    OPEN_JOURNAL = "open_journal", "Journal entry left open"


class FixAction(models.TextChoices):
    MARK_MISSING = "mark_missing", "Mark the file missing"
    RECYCLE_ITEM = "recycle_item", "Move the item to the recycle bin"
    SCAN_FOLDER = "scan_folder", "Scan the folder"
    RECYCLE_FILE = "recycle_file", "Move the file to the recycle bin"


class IntegrityReport(models.Model):
    """One run of the integrity check: how many faults of each kind, when, and how long it took."""

    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True, help_text="{kind: faults found} (all, not only those stored)")
    truncated = models.JSONField(default=list, blank=True, help_text="Kinds with more faults than were stored")

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"integrity report #{self.pk} ({self.started_at:%Y-%m-%d %H:%M})"

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class IntegrityFinding(models.Model):
    """One fault, with what it points at and the fixes it offers; `fixed_*` once a fix ran."""

    report = models.ForeignKey(IntegrityReport, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=24, choices=FindingKind.choices)
    path = models.CharField(max_length=4096, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    item_id = models.BigIntegerField(null=True, blank=True, help_text="The catalogue item, when there is one")
    file_id = models.BigIntegerField(null=True, blank=True, help_text="The LibraryFile row, when there is one")
    folder_id = models.BigIntegerField(null=True, blank=True, help_text="The scan folder the path is in")
    batch_id = models.BigIntegerField(null=True, blank=True, help_text="The rename batch left open")
    run_id = models.BigIntegerField(null=True, blank=True, help_text="The import run whose journal is left open")
    fixes = models.JSONField(default=list, blank=True, help_text="FixAction values this fault offers")
    fixed_at = models.DateTimeField(null=True, blank=True)
    fixed_with = models.CharField(max_length=24, blank=True, choices=FixAction.choices)
    fix_result = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["report", "kind", "path", "id"]
        indexes = [models.Index(fields=["report", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind}: {self.path or self.detail}"
