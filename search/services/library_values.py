"""Provenance for items scanned before scans recorded it (search.services.scan_provenance
does that now, field by field, as the scan writes): before any provider is merged into such
an item, its current values are recorded once as candidates of the embedded source matching
its best file, so a provider never silently replaces what the files say."""

from __future__ import annotations

from media.models import FileState, LibraryFile, MediaItem
from search.models import FieldCandidate
from search.services.apply import current_value
from search.services.candidates import record_candidates
from search.services.scan_provenance import record_pending

SOURCE_BY_FORMAT = {
    "epub": "embedded_epub",
    "mobi": "embedded_mobi", "azw": "embedded_mobi", "azw3": "embedded_mobi",
    "pdf": "embedded_pdf",
    "cbz": "comicinfo", "cbr": "comicinfo",
    "m4b": "embedded_audio", "m4a": "embedded_audio", "mp3": "embedded_audio", "flac": "embedded_audio",
    "ogg": "embedded_audio", "opus": "embedded_audio",
}
PREFERENCE = ("epub", "cbz", "cbr", "m4b", "m4a", "mp3", "flac", "ogg", "opus", "azw3", "mobi", "azw", "pdf")
RECORDED_FIELDS = ("title", "subtitle", "authors", "series", "publisher", "published", "year", "language",
                   "description", "isbn13", "page_count", "narrators", "duration_seconds", "issue_number", "volume")
FILE_CONFIDENCE = 0.9


def embedded_source(item: MediaItem) -> str | None:
    formats = set(LibraryFile.objects.filter(item=item, state=FileState.PRESENT).values_list("format", flat=True))
    best = next((f for f in PREFERENCE if f in formats), None)
    return SOURCE_BY_FORMAT.get(best) if best else None


def record_library_values(item: MediaItem) -> str | None:
    """Record the item's current values as its files' candidates, once; returns the source
    name used, or None when there was nothing to do (no files, or provenance exists)."""
    record_pending([item.pk])  # what the scan read, if its job has not recorded it yet
    if FieldCandidate.objects.filter(item=item).exists():
        return None
    source = embedded_source(item)
    if source is None:
        return None
    values = {name: current_value(item, name) for name in RECORDED_FIELDS}
    record_candidates(item, source, {k: v for k, v in values.items() if v not in (None, "", [])},
                      FILE_CONFIDENCE, apply=False)
    return source
