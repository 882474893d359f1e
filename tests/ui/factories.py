"""Catalogue rows for UI and search tests, written through the ORM so the search index
signals run exactly as they do in the app."""

from __future__ import annotations

from decimal import Decimal
from itertools import count

from core.text import author_sort_name, fold, sort_title
from media.models import Author, Contribution, Identifier, ItemTag, LibraryFile, MediaItem, Series

_paths = count(1)


def author(name: str) -> Author:
    return Author.objects.filter(normalized=fold(name)).first() or Author.objects.create(
        name=name, sort_name=author_sort_name(name), normalized=fold(name)
    )


def make_item(
    title: str,
    *,
    authors=(),
    series: str | None = None,
    index=None,
    files=(),
    tags=(),
    identifiers=(),
    **fields,
) -> MediaItem:
    kind = fields.get("kind", "ebook")
    series_row = None
    if series:
        series_row = Series.objects.filter(normalized=fold(series)).first() or Series.objects.create(
            title=series, normalized=fold(series), kind=kind
        )
    item = MediaItem.objects.create(
        title=title,
        sort_title=sort_title(title),
        series=series_row,
        series_index=Decimal(str(index)) if index is not None else None,
        **fields,
    )
    for position, name in enumerate(authors):
        Contribution.objects.create(item=item, author=author(name), position=position)
    for fmt, size, *state in files:
        LibraryFile.objects.create(
            item=item,
            path=f"/library/{next(_paths)}/{title[:20]}.{fmt}",
            size=size,
            mtime_ns=1,
            format=fmt,
            state=state[0] if state else "present",
        )
    for name in tags:
        ItemTag.objects.create(item=item, name=name, normalized=fold(name))
    for scheme, value in identifiers:
        Identifier.objects.create(item=item, scheme=scheme, value=value)
    return item


def seed_live_lists() -> None:
    """One row for each list the live pages draw (Activity, dashboard, scanning, downloads, rename
    history); each row carries a text listed in LIVE_LIST_TEXTS so a test can look for it."""
    from django.utils import timezone

    from core.models import Job, JobState
    from downloaders.models import AttemptState, DownloadAttempt
    from indexers.models import BlacklistEntry
    from media.models import MediaStatus
    from processing.renaming.models import BatchState, RenameBatch
    from scanning.models import RunState, ScanFolder, ScanRun

    now = timezone.now()
    Job.objects.create(kind="core.selftest", state=JobState.RUNNING, progress_total=10, message="Counting pages",
                       started_at=now)
    folder = ScanFolder.objects.create(path="/shelves/first", name="First shelf")
    ScanRun.objects.create(folder=folder, state=RunState.SUCCEEDED, added=2, message="Scan of the first shelf",
                           finished_at=now)
    LibraryFile.objects.create(path="/shelves/first/broken.epub", size=1, mtime_ns=1, format="epub",
                               state="corrupt", error="Not a zip archive")
    hyperion = make_item("Hyperion", authors=["Dan Simmons"], status=MediaStatus.WANTED)
    fall = make_item("The Fall of Hyperion", authors=["Dan Simmons"], status=MediaStatus.DOWNLOADING)
    DownloadAttempt.objects.create(item=fall, state=AttemptState.DOWNLOADING, release_title="Fall.of.Hyperion.EPUB",
                                   guid="fall-1", progress=40)
    DownloadAttempt.objects.create(item=hyperion, state=AttemptState.FAILED, release_title="Hyperion.1989.EPUB",
                                   guid="hyp-1", error="Par2 repair failed", completed_at=now)
    BlacklistEntry.objects.create(title="Hyperion.Fake.NZB", guid="fake-1", details="Password protected")
    RenameBatch.objects.create(template_name="Author/Title", root="/shelves", state=BatchState.DONE,
                               message="Renamed the first shelf", totals={"done": 1})


LIVE_LIST_TEXTS = {
    "jobs": "Counting pages",
    "folders": "First shelf",
    "runs": "Scan of the first shelf",
    "problems": "broken.epub",
    "queue": "Fall.of.Hyperion.EPUB",
    "history": "Hyperion.1989.EPUB",
    "wanted": "Hyperion",
    "blacklist": "Hyperion.Fake.NZB",
    "batches": "Renamed the first shelf",
}
