""" "Download as EPUB/KEPUB/AZW3/PDF": Calibre's ebook-convert (processing.converters.ebook_convert) run
as a background job into a size-capped cache under the data directory.

A cache entry is one folder holding the converted book, named after what it was made from:
file id + size + mtime of the source + target format. So a conversion is reused while the
source is unchanged, and a changed source (new size or mtime) gets a new one; the old entry
ages out. The cache keeps the most recently used entries within OMNI_CONVERSION_CACHE_MB.

EPUB is written as EPUB 3: calibre's EPUB 2 output from AZW3/MOBI keeps ids that start with a
digit (invalid XML names), which epubcheck rejects; its EPUB 3 output passes.

KEPUB is made by reading.kepub from the EPUB (the file itself, or calibre's EPUB of another
format, made in the same job): calibre cannot write KEPUB without the KoboTouchExtended plugin,
and kepubify (a Go program) is packaged neither in Debian nor on PyPI."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from core.errors import InvalidInput
from core.files import open_regular
from core.jobs import submit_job
from core.models import FINISHED_STATES, Job, JobState
from media.models import FileState, LibraryFile
from processing.converters.ebook_convert import (
    ConversionFailed,
    ConvertConfig,
    ConvertMetadata,
    convert,
    find_executable,
)
from reading import kepub
from reading.disk_cache import DiskCache, remove
from reading.files import real_path
from reading.names import item_authors
from scanning.extractors.base import ExtractionError

JOB_KIND = "reading.convert"
TARGETS = ("epub", "kepub", "azw3", "pdf")
# What calibre reads well here (not CBR: it has no RAR support on Debian; comics stay comics).
SOURCES = frozenset({"epub", "kepub", "azw3", "azw", "mobi", "fb2", "docx", "rtf", "txt", "lit", "pdb", "odt", "htmlz"})
_OPTIONS = {"epub": ("--epub-version", "3")}
_EXTENSIONS = {"kepub": "kepub.epub"}


def extension(target: str) -> str:
    """The file name extension of a target format (a KEPUB is `.kepub.epub`, as Kobo wants)."""
    return _EXTENSIONS.get(target, target)


def conversion_cache() -> DiskCache:
    return DiskCache(Path(settings.CACHE_DIR) / "conversions", settings.CONVERSION_CACHE_MB * 1024 * 1024)


def targets_for(library_file: LibraryFile) -> list[str]:
    """The formats this file can be downloaded as (not its own)."""
    if library_file.format not in SOURCES:
        return []
    return [t for t in TARGETS if t != library_file.format]


def check_target(library_file: LibraryFile, target: str) -> str:
    target = target.lower()
    if target not in targets_for(library_file):
        raise InvalidInput(
            f"A {library_file.format.upper()} file cannot be converted to {target.upper()!r}",
            hint=f"Possible: {', '.join(t.upper() for t in targets_for(library_file)) or 'none'}",
        )
    return target


@dataclass(frozen=True)
class CacheKey:
    file_id: int
    size: int
    mtime_ns: int
    target: str

    @property
    def name(self) -> str:
        return f"{self.file_id}-{self.size:x}-{self.mtime_ns:x}-{self.target}"

    @property
    def file_name(self) -> str:
        return f"book.{extension(self.target)}"


def _key(library_file: LibraryFile, target: str) -> CacheKey:
    """The key of the source as it is on disk now (OSError if it cannot be read)."""
    with open_regular(real_path(library_file)) as handle:
        st = os.fstat(handle.fileno())
    return CacheKey(library_file.pk, st.st_size, st.st_mtime_ns, target)


def converted_file(library_file: LibraryFile, target_format: str) -> Path | None:
    """The converted book if it is ready for the source as it is now, else None."""
    try:
        key = _key(library_file, target_format.lower())
    except OSError:
        return None
    folder = conversion_cache().get(key.name)
    found = folder / key.file_name if folder is not None else None
    return found if found is not None and found.is_file() else None


def _job_target(library_file: LibraryFile, target: str) -> str:
    return f"file:{library_file.pk}:{target}"


def latest_job(library_file: LibraryFile, target: str) -> Job | None:
    return Job.objects.filter(kind=JOB_KIND, target=_job_target(library_file, target)).order_by("-pk").first()


def request_conversion(user, library_file: LibraryFile, target: str) -> Job:
    """Start converting (or join the conversion already queued or running). When the book is
    already in the cache the job finds it there and ends at once."""
    target = check_target(library_file, target)
    if not (target == "kepub" and library_file.format == "epub"):
        find_executable(_config())  # a missing calibre is said now, not in a failed job later
    running = (
        Job.objects.filter(kind=JOB_KIND, target=_job_target(library_file, target))
        .exclude(state__in=FINISHED_STATES)
        .order_by("-pk")
        .first()
    )
    if running is not None:
        return running
    return submit_job(
        JOB_KIND,
        target=_job_target(library_file, target),
        params={"file_id": library_file.pk, "target": target},
        user=user,
    )


def _config() -> ConvertConfig:
    return ConvertConfig(settings.EBOOK_CONVERT_PATH, float(settings.CONVERSION_TIMEOUT_SECONDS))


def _metadata(library_file: LibraryFile) -> ConvertMetadata | None:
    item = library_file.item
    if item is None:
        return None
    return ConvertMetadata(
        title=item.title,
        authors=tuple(item_authors(item)),
        language=item.language,
        publisher=item.publisher,
        series=item.series.title if item.series_id else "",
        series_index=str(item.series_index.normalize()) if item.series_index is not None else "",
    )


def convert_into_cache(file_id: int, target: str, progress=None) -> dict:
    """The job's work: convert unless the cache has it. Returns what the job shows as result."""
    library_file = (
        LibraryFile.objects.select_related("item", "item__series").filter(pk=file_id, state=FileState.PRESENT).first()
    )
    if library_file is None:
        return {"skipped": "the file is no longer in the library"}
    target = check_target(library_file, target)
    key = _key(library_file, target)
    cache = conversion_cache()
    if cache.get(key.name) is not None and (cache.path(key.name) / key.file_name).is_file():
        return {"cached": True, "target": target}
    work = cache.work_path(key.name)
    work.mkdir(parents=True)
    started = time.monotonic()
    try:
        if target == "kepub":
            _make_kepub(library_file, work / key.file_name, progress)
        else:
            _calibre(library_file, work / key.file_name, target, progress)
        size = (work / key.file_name).stat().st_size
        cache.commit(work, key.name)
    finally:
        remove(work)  # gone already after a commit; a failed or cancelled conversion leaves nothing
    return {"cached": False, "target": target, "seconds": round(time.monotonic() - started, 3), "size": size}


def _calibre(library_file: LibraryFile, output: Path, target: str, progress=None) -> None:
    convert(
        real_path(library_file),
        output,
        _config(),
        metadata=_metadata(library_file),
        progress=progress,
        options=_OPTIONS.get(target, ()),
    )


def _make_kepub(library_file: LibraryFile, output: Path, progress=None) -> None:
    """From the EPUB itself; from another format through calibre's EPUB first."""
    source = real_path(library_file)
    if library_file.format != "epub":
        source = output.with_name("source.epub")
        _calibre(library_file, source, "epub", progress)
    if progress is not None:
        progress(95, "making the KEPUB")
    try:
        kepub.convert(source, output)
    except ExtractionError as exc:
        raise ConversionFailed(f"Cannot make a KEPUB of this EPUB: {exc.reason}") from exc
    if progress is not None:
        progress(100, "KEPUB written")


def job_state(job: Job | None) -> dict:
    if job is None:
        return {"state": None}
    percent = round(100 * job.progress_done / job.progress_total) if job.progress_total else None
    return {
        "job_id": job.pk,
        "state": job.state,
        "percent": percent,
        "message": job.message,
        "error": job.last_error if job.state == JobState.FAILED else "",
    }
