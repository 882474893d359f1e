"""Per-user reading: which libraries a reader sees, progress and status per book, shelves.

`reading` sits on top of media and scanning (it reads their rows, they never import it)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from media.models import LibraryFile, MediaItem
from scanning.models import ScanFolder


class LibraryAccess(models.Model):
    """Which scan folders (libraries) a reader sees. No row = every library (the default for a
    new reader); admins always see everything."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_access")
    all_libraries = models.BooleanField(default=True)
    libraries = models.ManyToManyField(ScanFolder, blank=True, related_name="+")

    def __str__(self) -> str:
        return f"{self.user}: {'all libraries' if self.all_libraries else 'chosen libraries'}"


class ReadingStatus(models.TextChoices):
    WANT_TO_READ = "want", "Want to read"
    READING = "reading", "Reading"
    READ = "read", "Read"


class ReadingProgress(models.Model):
    """Where one user is in one book, comic or audiobook, and their status for it.

    `locator` is what the reader needs to come back to the same place: an EPUB CFI
    ({"cfi": ...}), a page ({"page": 12}), an audio position ({"seconds": 812.5}) or a
    KOReader xpointer ({"xpointer": ...}); `percent` (0-100) is comparable across all of them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reading_progress")
    item = models.ForeignKey(MediaItem, on_delete=models.CASCADE, related_name="reading_progress")
    file = models.ForeignKey(LibraryFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=16, choices=ReadingStatus.choices, blank=True)
    locator = models.JSONField(default=dict, blank=True)
    percent = models.FloatField(default=0)
    device = models.CharField(max_length=100, blank=True, help_text="Which device or app saved it last")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "item"], name="one_progress_per_user_item")]
        indexes = [models.Index(fields=["user", "-updated_at"], name="progress_recent")]

    def __str__(self) -> str:
        return f"{self.user} · {self.item_id} · {self.percent:.0f}%"


class Shelf(models.Model):
    """A user's collection. A smart shelf has a saved library search (`query`) instead of entries."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shelves")
    name = models.CharField(max_length=200)
    query = models.CharField(max_length=500, blank=True, help_text="Smart shelf: a saved library search")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="unique_shelf_name_per_user")]
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_smart(self) -> bool:
        return bool(self.query)


class ShelfEntry(models.Model):
    shelf = models.ForeignKey(Shelf, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(MediaItem, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shelf", "item"], name="unique_shelf_entry")]
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return f"{self.shelf_id} · {self.item_id}"


class FileDigest(models.Model):
    """KOReader's names for a library file, computed once and kept while the file's size and
    mtime stay the same: its partial MD5 ("binary" document matching) and the MD5 of its file
    name ("file name" matching). kosync maps a `document` to our file through this table."""

    file = models.OneToOneField(LibraryFile, primary_key=True, on_delete=models.CASCADE, related_name="+")
    partial_md5 = models.CharField(max_length=32, db_index=True)
    name_md5 = models.CharField(max_length=32, db_index=True)
    size = models.BigIntegerField()
    mtime_ns = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.file_id} · {self.partial_md5}"


class KosyncKey(models.Model):
    """A user's KOReader sync key (not their password). KOReader sends the key's MD5 in
    `x-auth-key`; we keep only a salted SHA-256 of that MD5."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kosync_key")
    salt = models.CharField(max_length=32)
    key_hash = models.CharField(max_length=64)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"KOReader sync key of {self.user}"


class KosyncRecord(models.Model):
    """What a KOReader device last pushed for one document, as the kosync server keeps it (also
    for documents that are not in the library, so two devices still sync them). `item` is set when
    the document is a file of a book this user may see."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    document = models.CharField(max_length=64)
    item = models.ForeignKey(MediaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    progress = models.CharField(max_length=2000)
    percentage = models.FloatField()
    device = models.CharField(max_length=100)
    device_id = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "document"], name="one_kosync_record_per_document")]

    def __str__(self) -> str:
        return f"{self.user} · {self.document}"


class MailSecurity(models.TextChoices):
    NONE = "none", "None (plain text)"
    STARTTLS = "starttls", "STARTTLS"
    SSL = "ssl", "SSL/TLS"


class MailSettings(models.Model):
    """Singleton: the SMTP server books are sent through ("Send to e-reader"). Admins edit it
    under Settings > E-mail; the password is write-only (never shown back)."""

    host = models.CharField(max_length=255, blank=True)
    port = models.PositiveIntegerField(default=587, validators=[MinValueValidator(1), MaxValueValidator(65535)])
    security = models.CharField(max_length=8, choices=MailSecurity.choices, default=MailSecurity.STARTTLS)
    username = models.CharField(max_length=255, blank=True)
    password = models.CharField(max_length=255, blank=True)
    from_address = models.EmailField(blank=True, help_text="Add it to your Kindle's approved senders")
    max_attachment_mb = models.PositiveIntegerField(
        default=25, validators=[MinValueValidator(1), MaxValueValidator(200)],
        help_text="Largest book sent by mail (MB); Kindle takes at most 50")

    class Meta:
        verbose_name_plural = "mail settings"

    def __str__(self) -> str:
        return f"SMTP {self.host or '(not set)'}:{self.port}"

    @classmethod
    def load(cls) -> MailSettings:
        row, _ = cls.objects.get_or_create(pk=1)
        return row

    @property
    def configured(self) -> bool:
        return bool(self.host and self.from_address)


class DeviceKind(models.TextChoices):
    KINDLE = "kindle", "Kindle"
    KOBO = "kobo", "Kobo"
    POCKETBOOK = "pocketbook", "PocketBook"
    OTHER = "other", "Other"


class Device(models.Model):
    """A user's e-reader that takes books by e-mail (Send-to-Kindle address and the like)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reading_devices")
    name = models.CharField(max_length=100)
    email = models.EmailField()
    kind = models.CharField(max_length=16, choices=DeviceKind.choices, default=DeviceKind.OTHER)
    format = models.CharField(max_length=8, default="epub", help_text="What an Other device gets")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="unique_device_name_per_user")]
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"
