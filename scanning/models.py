"""Scan folders, the history of scan runs, and the keys that let a scan attach new files
to catalogue items it already knows (ISBN, title+author, audiobook folder, comic issue)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

ALL_FORMATS = (
    "epub",
    "mobi",
    "azw",
    "azw3",
    "pdf",
    "cbz",
    "cbr",
    "zip",  # only a zip of page images is read (a renamed cbz); see scanning.extractors.archives
    "rar",  # likewise a renamed cbr
    "m4b",
    "m4a",
    "mp3",
    "flac",
    "ogg",
    "opus",
)


def default_formats() -> list[str]:
    return list(ALL_FORMATS)


class ContentType(models.TextChoices):
    EBOOKS = "ebooks", "Ebooks"
    AUDIOBOOKS = "audiobooks", "Audiobooks"
    COMICS = "comics", "Comics"
    MIXED = "mixed", "Mixed"


class ScanFolder(models.Model):
    path = models.CharField(max_length=4096, unique=True, help_text="Absolute path of a readable folder")
    name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=16, choices=ContentType.choices, default=ContentType.MIXED)
    formats = models.JSONField(default=default_formats, help_text="Enabled extensions without the dot")
    enabled = models.BooleanField(default=True)
    scan_interval_hours = models.PositiveIntegerField(default=24, help_text="0 = only manual scans")
    naming_template = models.CharField(
        max_length=1000, blank=True, help_text="Rename template of this library; blank = the one chosen for a rename"
    )
    target_root = models.CharField(
        max_length=4096,
        blank=True,
        help_text="Folder renames move this library's books to; blank = the scan folder itself",
    )
    last_scan_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name or self.path


class RunState(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    PAUSED = "paused", "Paused (disk full)"


COUNTERS = ("seen", "unchanged", "added", "updated", "moved", "missing", "duplicates", "corrupt", "errors")


class ScanRun(models.Model):
    """One scan of one folder. A retried job reuses its run, so counters add up across an
    interruption and the scan continues where the committed batches stopped."""

    folder = models.ForeignKey(ScanFolder, on_delete=models.CASCADE, related_name="runs")
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=16, choices=RunState.choices, default=RunState.RUNNING, db_index=True)
    seen = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    moved = models.PositiveIntegerField(default=0)
    missing = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    corrupt = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=1)
    message = models.CharField(max_length=500, blank=True)
    error_log = models.JSONField(default=list, blank=True, help_text="First errors: [{path, reason}]")
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"scan of {self.folder} at {self.started_at:%Y-%m-%d %H:%M}"

    def summary(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNTERS}


class ItemMatchKey(models.Model):
    """'isbn:9780…', 'book:<title key>|<author key>', 'comic:<series>|<volume>|<issue>',
    'folder:<path>': how the scanner finds the catalogue item a new file belongs to."""

    key = models.CharField(max_length=600)  # looked up through the unique (key, item) index
    item = models.ForeignKey("media.MediaItem", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "item"], name="unique_item_match_key")]

    def __str__(self) -> str:
        return self.key


class PendingCover(models.Model):
    """An item whose cover is still to be read from its files. A scan only queues it: covers
    and their thumbnails are stored by a background job after the scan, so a first import is
    searchable at the speed of reading metadata (creating a file per cover cost about as much
    as reading the book)."""

    item = models.OneToOneField("media.MediaItem", primary_key=True, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"cover of item #{self.item_id}"


class SidecarProblem(models.Model):
    """A folder of several books whose generic sidecars (`metadata.opf`, `cover.jpg`) were
    ignored by the last complete scan, as they cannot say which book they describe. Each
    scan replaces its folder's list, so what is shown is what is on disk now."""

    folder = models.ForeignKey(ScanFolder, on_delete=models.CASCADE, related_name="sidecar_problems")
    path = models.CharField(max_length=4096, help_text="The folder holding the books")
    sidecars = models.JSONField(default=list, help_text="The generic sidecars set aside")
    books = models.PositiveIntegerField(default=0, help_text="Books found in the folder")
    reason = models.CharField(max_length=500)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return f"{self.path}: {', '.join(self.sidecars)}"
