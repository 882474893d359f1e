"""Default providers and data sources (seeded by a migration, restorable by services)."""

from __future__ import annotations

# name, label, kind, trust. Manual entry is trusted most, file names least.
DATA_SOURCES: tuple[tuple[str, str, str, float], ...] = (
    ("manual", "Manual entry", "manual", 1.0),
    ("wanted_request", "Given when wanted", "manual", 0.9),  # identifiers sent with a wanted item
    ("calibre", "Calibre library", "sidecar", 0.9),
    ("opf", "OPF sidecar", "sidecar", 0.85),
    ("comicinfo", "ComicInfo.xml", "sidecar", 0.85),
    ("comicvine", "Comic Vine", "provider", 0.85),
    ("openlibrary", "Open Library", "provider", 0.8),
    ("googlebooks", "Google Books", "provider", 0.75),
    ("embedded_epub", "EPUB metadata", "embedded", 0.7),
    ("embedded_comic", "Comic archive", "embedded", 0.7),
    ("embedded_audio", "Audio tags", "embedded", 0.65),
    ("embedded_mobi", "MOBI/AZW metadata", "embedded", 0.6),
    ("embedded_pdf", "PDF metadata", "embedded", 0.45),
    ("filename", "File name", "filename", 0.3),
)
UNKNOWN_SOURCE_TRUST = 0.5

# name, label, base_url, covers_base_url, priority, rate/s, hourly limit, media types, enabled
PROVIDERS: tuple[tuple, ...] = (
    ("openlibrary", "Open Library", "https://openlibrary.org", "https://covers.openlibrary.org", 10, 1.0, None,
     ["ebook", "audiobook"], True),
    ("googlebooks", "Google Books", "https://www.googleapis.com/books/v1", "", 20, 2.0, None,
     ["ebook", "audiobook", "comic"], True),
    ("comicvine", "Comic Vine", "https://comicvine.gamespot.com/api", "", 30, 1.0, 200, ["comic"], True),
)
