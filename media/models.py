"""The catalogue: authors, series, items (ebook, audiobook, comic issue), identifiers
and the files on disk that belong to them."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone


class MediaKind(models.TextChoices):
    EBOOK = "ebook", "Ebook"
    AUDIOBOOK = "audiobook", "Audiobook"
    COMIC = "comic", "Comic"


class MediaStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"  # a reader asked for it; nothing happens until an admin approves
    WANTED = "wanted", "Wanted"
    SEARCHING = "searching", "Searching"
    DOWNLOADING = "downloading", "Downloading"
    DOWNLOADED = "downloaded", "Downloaded"
    POST_PROCESSED_SUCCESS = "post_processed_success", "Imported"
    POST_PROCESSED_FAILED = "post_processed_failed", "Import failed"
    IN_LIBRARY = "in_library", "In library"
    ARCHIVED = "archived", "Archived"


class Author(models.Model):
    name = models.CharField(max_length=255)
    sort_name = models.CharField(max_length=255, db_index=True)
    normalized = models.CharField(max_length=255, db_index=True, help_text="Accent- and case-folded name")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["sort_name"]

    def __str__(self) -> str:
        return self.name


class Series(models.Model):
    title = models.CharField(max_length=255)
    normalized = models.CharField(max_length=255, db_index=True)
    kind = models.CharField(max_length=16, choices=MediaKind.choices, default=MediaKind.EBOOK)
    shared_universe = models.BooleanField(
        default=False, help_text="A shared universe or collaboration: books by other authors are intended")
    description = models.TextField(blank=True)
    genres = models.JSONField(default=list, blank=True, help_text="Genres its books inherit when they have none")
    cover_item = models.ForeignKey("MediaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   help_text="The book whose cover is the series' cover; none: the books' mosaic")
    cover_path = models.CharField(max_length=500, blank=True,
                                  help_text="An uploaded cover (relative to the data directory, re-encoded JPEG); "
                                            "wins over cover_item")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "series"

    def __str__(self) -> str:
        return self.title


class Work(models.Model):
    """What the ebook, audiobook and comic editions of one book share. Items are linked to
    a work only on a provider's work id (an Open Library work key), never on a title."""

    title = models.CharField(max_length=500)
    provider = models.CharField(max_length=32)
    external_id = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "id"]
        constraints = [models.UniqueConstraint(fields=["provider", "external_id"], name="unique_work_id")]

    def __str__(self) -> str:
        return self.title


class MediaItem(models.Model):
    """One book, audiobook or comic issue, whatever number of files it has."""

    kind = models.CharField(max_length=16, choices=MediaKind.choices, default=MediaKind.EBOOK)  # (kind, status) index
    status = models.CharField(max_length=32, choices=MediaStatus.choices, default=MediaStatus.IN_LIBRARY,
                              db_index=True)
    title = models.CharField(max_length=500)
    sort_title = models.CharField(max_length=500, db_index=True)
    subtitle = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    language = models.CharField(max_length=8, blank=True, help_text="ISO 639-1")
    publisher = models.CharField(max_length=255, blank=True)
    published = models.CharField(max_length=32, blank=True, help_text="Date as precise as known: YYYY[-MM[-DD]]")
    year = models.PositiveSmallIntegerField(null=True, blank=True, db_index=True)
    series = models.ForeignKey(Series, null=True, blank=True, on_delete=models.SET_NULL, related_name="items")
    series_index = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    series_chrono_index = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True,
                                              help_text="Chronological (in-universe) position in the series")
    isbn13 = models.CharField(max_length=13, blank=True, db_index=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True, help_text="Audiobooks")
    issue_number = models.CharField(max_length=16, blank=True, help_text="Comics")
    volume = models.CharField(max_length=16, blank=True, help_text="Comics")
    rating = models.PositiveSmallIntegerField(null=True, blank=True, help_text="1-10 (half stars), as in calibre")
    cover_path = models.CharField(max_length=500, blank=True, help_text="Relative to the data directory")
    work = models.ForeignKey(Work, null=True, blank=True, on_delete=models.SET_NULL, related_name="items",
                             help_text="Shared by the ebook, audiobook and comic editions of one work")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", help_text="The reader who asked for it (requests)")
    added_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_title", "id"]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def authors_display(self) -> str:
        return ", ".join(c.author.name for c in self.contributions.all() if c.role == ContributorRole.AUTHOR)

    @property
    def cover_version(self) -> str:
        """The `v` of the cover's URLs: it changes with the cover (stored covers are named by
        their content's SHA-256), so a new cover shows at once while the old URL stays cached."""
        return hashlib.sha256(self.cover_path.encode()).hexdigest()[:12] if self.cover_path else ""


class SeriesMembership(models.Model):
    """A position of a book in a series besides its primary one (MediaItem.series and
    series_index): an omnibus in other positions or other series. A row at the book's primary
    series and position only adds the end of its range (`position_end`: an omnibus of 1-3)."""

    item = models.ForeignKey(MediaItem, on_delete=models.CASCADE, related_name="series_memberships")
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="memberships")
    position = models.DecimalField(max_digits=8, decimal_places=2)
    position_end = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True,
                                       help_text="Last position of a range (an omnibus of 1-3)")

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "series", "position"],
                                               name="one_membership_per_position")]

    def __str__(self) -> str:
        return f"{self.item_id} in {self.series_id} at {self.position}"


class SeriesChangeAction(models.TextChoices):
    RENAME = "rename", "Renamed"
    MERGE = "merge", "Merged"
    SHARED_UNIVERSE = "shared_universe", "Shared universe"
    METADATA = "metadata", "Description, genres or cover"
    ADD_BOOK = "add_book", "Book added"
    REMOVE_BOOK = "remove_book", "Book removed"


class SeriesChange(models.Model):
    """A change of a series (its history), with what it was before, so it can be reverted.
    None moves a file."""

    series = models.ForeignKey(Series, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes")
    action = models.CharField(max_length=16, choices=SeriesChangeAction.choices)
    old_value = models.JSONField(null=True)
    new_value = models.JSONField(null=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    reverted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} of series {self.series_id}"


class ContributorRole(models.TextChoices):
    AUTHOR = "author", "Author"
    NARRATOR = "narrator", "Narrator"
    EDITOR = "editor", "Editor"
    TRANSLATOR = "translator", "Translator"
    ILLUSTRATOR = "illustrator", "Illustrator"
    WRITER = "writer", "Writer"
    PENCILLER = "penciller", "Penciller"


class Contribution(models.Model):
    # no index of its own: the unique (item, author, role) constraint's index starts with it
    item = models.ForeignKey(MediaItem, on_delete=models.CASCADE, related_name="contributions", db_index=False)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="contributions")
    role = models.CharField(max_length=16, choices=ContributorRole.choices, default=ContributorRole.AUTHOR)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["item", "author", "role"], name="unique_contribution")]

    def __str__(self) -> str:
        return f"{self.author} ({self.role})"


class Identifier(models.Model):
    """An external id of an item: isbn13, isbn10, asin, openlibrary, google, comicvine, uuid..."""

    # no index of its own: the unique (item, scheme, value) constraint's index starts with it
    item = models.ForeignKey(MediaItem, on_delete=models.CASCADE, related_name="identifiers", db_index=False)
    scheme = models.CharField(max_length=32)
    value = models.CharField(max_length=128)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "scheme", "value"], name="unique_identifier")]
        indexes = [models.Index(fields=["scheme", "value"])]

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"


class FileState(models.TextChoices):
    PRESENT = "present", "Present"
    MISSING = "missing", "Missing"
    CORRUPT = "corrupt", "Corrupt"
    DUPLICATE = "duplicate", "Duplicate"


class LibraryFile(models.Model):
    """A file on disk. Unchanged files are recognised by (path, size, mtime); moved ones by hash."""

    item = models.ForeignKey(MediaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="files")
    path = models.CharField(max_length=4096, unique=True)
    size = models.BigIntegerField()
    mtime_ns = models.BigIntegerField()
    format = models.CharField(max_length=8)  # only ever read with the item's files: no index
    partial_hash = models.CharField(max_length=64, blank=True, db_index=True)  # finds moves and copies
    sha256 = models.CharField(max_length=64, blank=True)  # confirms them: never looked up
    state = models.CharField(max_length=16, choices=FileState.choices, default=FileState.PRESENT, db_index=True)
    error = models.TextField(blank=True)
    added_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.path


class ItemTag(models.Model):
    """A subject, genre or tag of an item (from metadata or added by hand)."""

    item = models.ForeignKey(MediaItem, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=128)
    normalized = models.CharField(max_length=128, db_index=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["item", "normalized"], name="unique_item_tag")]

    def __str__(self) -> str:
        return self.name


class RecycleState(models.TextChoices):
    PENDING = "pending", "Moving to the recycle folder"
    RECYCLED = "recycled", "In the recycle folder"
    RESTORED = "restored", "Restored"
    FAILED = "failed", "Failed"


class RecycleEntry(models.Model):
    """A deleted item: a snapshot of its catalogue rows and the moves of its files into the
    recycle folder. Written before any file moves, so a crash or an undo can put them back."""

    title = models.CharField(max_length=500)
    item_id_was = models.BigIntegerField(db_index=True)
    snapshot = models.JSONField(default=dict)
    moves = models.JSONField(default=list, help_text="[{from, to, done}]")
    state = models.CharField(max_length=16, choices=RecycleState.choices, default=RecycleState.PENDING)
    error = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    restored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "recycle entries"

    def __str__(self) -> str:
        return f"{self.title} ({self.state})"


class SearchDocument(models.Model):
    """Denormalised, folded text and sort keys of an item, kept by `media.search_index`.
    SQLite mirrors the text in the FTS5 table `media_search_fts`; PostgreSQL adds a
    `document tsvector` column (migration 0002) with a GIN index."""

    item = models.OneToOneField(MediaItem, primary_key=True, on_delete=models.CASCADE,
                                related_name="search_doc")
    text = models.TextField(blank=True, help_text="Folded title, authors, series: what a regex search reads")
    title_key = models.CharField(max_length=500, db_index=True)
    # the three sort keys are indexed together with the item (Meta.indexes), which also
    # serves every lookup on the key alone: one index each to maintain, not two
    author_sort = models.CharField(max_length=255, blank=True)
    series_sort = models.CharField(max_length=300, blank=True)
    total_size = models.BigIntegerField(default=0)
    formats = models.CharField(max_length=100, blank=True)
    completeness = models.PositiveSmallIntegerField(default=0, help_text="Percent of key fields filled")
    indexed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # sort keys with the tie-breaker, so a page of a sorted listing is an index range
        indexes = [models.Index(fields=["author_sort", "item"], name="media_sd_author_item"),
                   models.Index(fields=["series_sort", "item"], name="media_sd_series_item"),
                   models.Index(fields=["total_size", "item"], name="media_sd_size_item")]

    def __str__(self) -> str:
        return f"search document of item {self.item_id}"


class SearchTerm(models.Model):
    """The index vocabulary: typo-tolerant and wildcard search expand words over it."""

    term = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return self.term


class SearchHistory(models.Model):
    """A user's recent library searches, newest first (media.memory keeps the last few per user).
    `query` is the library page's query string (search words and filters), one row per distinct one."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    query = models.CharField(max_length=500)
    q = models.CharField(max_length=500, blank=True, help_text="The search words alone, for the suggestions")
    searched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "query"], name="one_history_row_per_query")]
        indexes = [models.Index(fields=["user", "-searched_at"], name="search_history_recent")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.query}"


class RecentlyOpened(models.Model):
    """Books a user opened lately (detail page or reader): ranked a little higher for them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(MediaItem, on_delete=models.CASCADE, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "item"], name="one_recent_row_per_item")]
        indexes = [models.Index(fields=["user", "-opened_at"], name="recently_opened_recent")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.item_id}"


class LibraryPreference(models.Model):
    """A user's choices kept across sessions and devices: the library's sort, order, view, filters and
    page size, and the interface theme."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sort = models.CharField(max_length=16, blank=True)
    order = models.CharField(max_length=4, blank=True)
    view = models.CharField(max_length=8, blank=True)
    filters = models.CharField(max_length=500, blank=True, help_text="Query string of the last filters used")
    theme = models.CharField(max_length=5, blank=True, help_text="auto, light or dark; empty: never chosen")
    page_size = models.PositiveSmallIntegerField(default=50, help_text="Books per library page")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"library preferences of {self.user_id}"
