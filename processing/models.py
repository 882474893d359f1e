"""Import runs (one pass of the pipeline over one download), their file journal and the
import settings (a single row edited in the admin)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from media.models import MediaKind
from processing.layout import DEFAULT_TEMPLATES


def validate_template(value: str) -> None:
    """A template is checked when it is saved; the error names the position."""
    from core.naming import TemplateError, parse_template

    try:
        parse_template(value)
    except TemplateError as exc:
        raise ValidationError(str(exc)) from exc


class PostProcessStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    NEEDS_REVIEW = "needs_review", "Needs review"
    UNDONE = "undone", "Undone"


class ImportAction(models.TextChoices):
    IMPORT = "import", "Import (automatic)"
    CONVERT = "convert", "Convert and import"
    ORGANIZE = "organize", "Organize without converting"


class ImportMode(models.TextChoices):
    MOVE = "move", "Move"
    COPY = "copy", "Copy"
    HARDLINK = "hardlink", "Hardlink (falls back to copy across filesystems)"


class ExistingFilePolicy(models.TextChoices):
    SKIP = "skip", "Skip"
    REPLACE = "replace", "Replace (old file to the recycle folder)"
    KEEP_BOTH = "keep_both", "Keep both"


class ImportRun(models.Model):
    """One import of one download: where it came from, what each step did, how it ended.
    The source is generic: a storage path and the wanted item, plus the download attempt
    id when acquisition started it (a plain integer until downloaders' model is wired)."""

    storage_path = models.CharField(max_length=4096, help_text="As reported by the download client")
    local_path = models.CharField(max_length=4096, blank=True, help_text="After remote path mapping")
    media_item = models.ForeignKey(
        "media.MediaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="import_runs"
    )
    download_attempt_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=16, choices=ImportAction.choices, default=ImportAction.IMPORT)
    options = models.JSONField(default=dict, blank=True, help_text="e.g. accept_mismatch")
    post_process_status = models.CharField(
        max_length=16, choices=PostProcessStatus.choices, default=PostProcessStatus.PENDING, db_index=True
    )
    steps = models.JSONField(default=list, blank=True, help_text="Per step: name, status, detail, error")
    error = models.TextField(blank=True)
    error_step = models.CharField(max_length=32, blank=True)
    result = models.JSONField(default=dict, blank=True)
    previous_item_status = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    job_id = models.PositiveBigIntegerField(null=True, blank=True)
    rerun_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reruns")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"import #{self.pk} ({self.post_process_status})"


class OperationKind(models.TextChoices):
    MOVE = "move", "Move"
    COPY = "copy", "Copy"
    HARDLINK = "hardlink", "Hardlink"
    RECYCLE = "recycle", "Move existing file to the recycle folder"
    WRITE = "write", "Write a new file (sidecar)"


class OperationState(models.TextChoices):
    PLANNED = "planned", "Planned"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    UNDONE = "undone", "Undone"


class ImportFileOperation(models.Model):
    """A journal row, written before the file operation happens, so a crash or an undo
    knows what to restore. Undo walks the run's DONE rows backwards."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="operations")
    sequence = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=OperationKind.choices)
    source = models.CharField(max_length=4096, blank=True)
    destination = models.CharField(max_length=4096)
    state = models.CharField(max_length=16, choices=OperationState.choices, default=OperationState.PLANNED)
    detail = models.CharField(max_length=500, blank=True)
    created_dirs = models.JSONField(default=list, blank=True, help_text="Folders this operation created")
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "sequence"]
        constraints = [models.UniqueConstraint(fields=["run", "sequence"], name="unique_import_operation_sequence")]

    def __str__(self) -> str:
        return f"{self.kind} {self.source} -> {self.destination} ({self.state})"


class ImportSettings(models.Model):
    """Import choices shared by every kind (a single row; `ImportSettings.load()`). What differs
    per kind (import mode, existing files, template, conversion) is in KindProcessingSettings."""

    convert_timeout_seconds = models.PositiveIntegerField(default=900)
    remote_path_mappings = models.JSONField(
        default=list, blank=True, help_text='[{"remote": "/sab/complete", "local": "/downloads/complete"}]'
    )
    min_cover_size = models.PositiveIntegerField(default=300, help_text="Minimum cover edge in pixels")
    match_threshold = models.FloatField(default=0.35, help_text="Largest identity distance filed automatically")
    max_auto_retries = models.PositiveSmallIntegerField(default=3)
    write_epub_metadata = models.BooleanField(
        default=False,
        help_text="File a copy of the EPUB with the final metadata written into it (the original is kept)",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "import settings"

    def __str__(self) -> str:
        return "Import settings"

    @classmethod
    def load(cls) -> ImportSettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class ConversionTarget(models.TextChoices):
    """What an import converts a kind's files into: only what the converters really write.
    Ebooks: Calibre's ebook-convert (no KEPUB writer in calibre itself); comics: the CBR -> CBZ
    repack (processing/comics.py); audiobooks: nothing."""

    NONE = "none", "Keep the format as downloaded"
    EPUB = "epub", "EPUB"
    AZW3 = "azw3", "AZW3 (Kindle)"
    MOBI = "mobi", "MOBI (old Kindle)"
    PDF = "pdf", "PDF"
    CBZ = "cbz", "CBZ (repack CBR comics as a stored zip)"


TARGETS_BY_KIND: dict[str, tuple[str, ...]] = {
    MediaKind.EBOOK: (ConversionTarget.NONE, ConversionTarget.EPUB, ConversionTarget.AZW3,
                      ConversionTarget.MOBI, ConversionTarget.PDF),
    MediaKind.AUDIOBOOK: (ConversionTarget.NONE,),
    MediaKind.COMIC: (ConversionTarget.NONE, ConversionTarget.CBZ),
}


def _targets_fit_kinds() -> models.Q:
    allowed = models.Q()
    for kind, targets in TARGETS_BY_KIND.items():
        allowed |= models.Q(kind=kind, conversion_target__in=[str(t) for t in targets])
    return allowed


class KindProcessingSettings(models.Model):
    """How imports file one media kind (one row per kind; `for_kind(kind)`): import mode,
    what to do when the destination exists, the library path template and the conversion."""

    kind = models.CharField(max_length=16, choices=MediaKind.choices, unique=True)
    import_mode = models.CharField(max_length=16, choices=ImportMode.choices, default=ImportMode.HARDLINK)
    existing_file_policy = models.CharField(
        max_length=16, choices=ExistingFilePolicy.choices, default=ExistingFilePolicy.SKIP
    )
    template = models.CharField(
        max_length=500, validators=[validate_template], help_text="Library path (same tokens as the renamer)"
    )
    conversion_target = models.CharField(
        max_length=8, choices=ConversionTarget.choices, default=ConversionTarget.NONE
    )
    keep_original = models.BooleanField(default=True, help_text="Also file the original after converting")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = "processing settings of a kind"
        verbose_name_plural = "processing settings per kind"
        constraints = [
            models.CheckConstraint(condition=_targets_fit_kinds(), name="conversion_target_fits_kind"),
        ]

    def __str__(self) -> str:
        return f"Processing of {self.get_kind_display().lower()}s"

    def clean(self) -> None:
        super().clean()
        allowed = TARGETS_BY_KIND.get(self.kind, ())
        if self.kind in TARGETS_BY_KIND and self.conversion_target not in allowed:
            names = ", ".join(str(t) for t in allowed)
            raise ValidationError(
                {"conversion_target": f"{self.get_kind_display()}s cannot be converted to "
                 f"{self.conversion_target!r}; choose one of: {names}."}
            )

    @classmethod
    def defaults(cls, kind: str) -> dict:
        target = ConversionTarget.EPUB if kind == MediaKind.EBOOK else ConversionTarget.NONE
        return {"template": DEFAULT_TEMPLATES[kind], "conversion_target": target}

    @classmethod
    def for_kind(cls, kind: str) -> KindProcessingSettings:
        if kind not in TARGETS_BY_KIND:
            raise ValueError(f"unknown media kind {kind!r}")
        obj, _ = cls.objects.get_or_create(kind=kind, defaults=cls.defaults(kind))
        return obj


class EventKind(models.TextChoices):
    IMPORTED = "imported", "Imported"
    FAILED = "failed", "Import failed"
    NEEDS_REVIEW = "needs_review", "Needs review"
    UNDONE = "undone", "Import undone"


class ImportEvent(models.Model):
    """A notification recorded at the end of every import run (and on undo): what the
    dashboard lists as "recent imports". Title and message are copied in so an event still
    reads well after its item or run is deleted."""

    kind = models.CharField(max_length=16, choices=EventKind.choices, db_index=True)
    run = models.ForeignKey(ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    media_item = models.ForeignKey(
        "media.MediaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="import_events"
    )
    title = models.CharField(max_length=500, blank=True)
    message = models.CharField(max_length=1000, blank=True)
    step = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"
from processing.renaming.models import (  # noqa: E402,F401  (Django finds the app's models here)
    NamingTemplate,
    RenameBatch,
    RenameOperation,
)
