"""KOReader's names for a document, so a position a KOReader device pushes maps to our book.

KOReader identifies a book by `partial_md5_checksum` (frontend/util.lua `util.partialMD5`): the MD5
of 1,024-byte samples read at offsets `lshift(1024, 2*i)` for i = -1 .. 10, stopping at the first
offset past the end. LuaJIT's `bit.lshift` takes the shift count modulo 32, so i = -1 shifts by 30
and overflows 32 bits to 0: the offsets are 0, 1 KiB, 4 KiB, 16 KiB, ... 1 GiB. With "file name"
matching it sends the MD5 of the file's base name instead. The digests of library files are
computed lazily and kept in `FileDigest` while the file's size and mtime stay the same."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.db.models import F, Q

from core.db import chunks
from media.models import LibraryFile
from reading.models import FileDigest

SAMPLE = 1024
AUDIO_FORMATS = frozenset({"m4b", "m4a", "mp3", "flac", "ogg", "opus"})  # KOReader does not open these
BATCH = 500


def sample_offsets() -> list[int]:
    return [0] + [SAMPLE << (2 * i) for i in range(11)]


def partial_md5(path: Path) -> str:
    """KOReader's partialMD5 of a file (pure: reads at most 12 KiB)."""
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        for offset in sample_offsets():
            handle.seek(offset)
            sample = handle.read(SAMPLE)
            if not sample:
                break
            digest.update(sample)
    return digest.hexdigest()


def name_md5(path: Path) -> str:
    """KOReader's "file name" document digest: the MD5 of the base name (UTF-8)."""
    return hashlib.md5(path.name.encode("utf-8"), usedforsecurity=False).hexdigest()


def _fresh(files):
    return FileDigest.objects.filter(file__in=files, size=F("file__size"), mtime_ns=F("file__mtime_ns"))


def refresh_digests(files) -> int:
    """Compute the digests of the files (a LibraryFile queryset) that have none or a stale one.
    Returns how many were computed; unreadable files are skipped (tried again next time)."""
    todo = files.exclude(format__in=AUDIO_FORMATS).exclude(pk__in=_fresh(files).values("file_id"))
    done = 0
    for page in chunks(todo.only("pk", "path", "size", "mtime_ns"), BATCH):
        for library_file in page:
            path = Path(library_file.path)
            try:
                partial = partial_md5(path)
            except OSError:
                continue
            FileDigest.objects.update_or_create(
                file_id=library_file.pk,
                defaults={
                    "partial_md5": partial,
                    "name_md5": name_md5(path),
                    "size": library_file.size,
                    "mtime_ns": library_file.mtime_ns,
                },
            )
            done += 1
    return done


def file_for_document(files, document: str) -> LibraryFile | None:
    """The file among `files` KOReader calls `document` (partial MD5 first, then file name),
    computing missing digests once when nothing matches yet."""
    for attempt in range(2):
        matches = list(
            _fresh(files)
            .filter(Q(partial_md5=document) | Q(name_md5=document))
            .select_related("file__item")
            .order_by("file_id")[:20]
        )
        if matches:
            exact = [m for m in matches if m.partial_md5 == document]
            return (exact or matches)[0].file
        if attempt == 0 and not refresh_digests(files):
            return None
    return None


def digests_of(library_file: LibraryFile) -> FileDigest | None:
    refresh_digests(LibraryFile.objects.filter(pk=library_file.pk))
    return _fresh(LibraryFile.objects.filter(pk=library_file.pk)).first()
