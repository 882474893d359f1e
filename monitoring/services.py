"""Following and unfollowing, modes, "want all missing", the review queue's answers and the
settings: the writes the pages and the API share."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import Conflict, InvalidInput, NotFound
from core.text import author_display_name
from indexers.models import FormatProfile
from media.models import Author, Identifier, MediaItem, MediaKind, Series
from monitoring.check import add_record, consider, listed_records
from monitoring.models import (
    BookState,
    MonitoredAuthor,
    MonitoredBook,
    MonitoredSeries,
    MonitoringSettings,
    MonitorMode,
)
from search.providers.common import ISO_639_1
from search.services.lookup import record_from_dict

COMICVINE_VOLUME = re.compile(r"4050-\d{1,12}")


def _valid(kind: str, mode: str) -> None:
    if kind not in MediaKind.values:
        raise InvalidInput(f"Unknown media kind {kind!r}")
    if mode not in MonitorMode.values:
        raise InvalidInput(f"Unknown monitor mode {mode!r}")


def _profile(profile_id: int | None, kind: str) -> FormatProfile | None:
    """The chosen format profile (None: the kind's default); it must exist and be of the kind."""
    if profile_id is None:
        return None
    profile = FormatProfile.objects.filter(pk=profile_id).first()
    if profile is None:
        raise NotFound(f"Format profile {profile_id} does not exist", details={"field": "profile_id"})
    if profile.kind != kind:
        raise Conflict(f"{profile.name} is a profile for {profile.kind}s; this monitor adds {kind}s",
                       hint=f"Choose a {kind} profile, or none for the default.", details={"field": "profile_id"})
    return profile


def follow_author(*, author_id: int | None = None, name: str = "", kind: str = MediaKind.EBOOK,
                  mode: str = MonitorMode.ALL, profile_id: int | None = None, user=None) -> MonitoredAuthor:
    _valid(kind, mode)
    profile = _profile(profile_id, kind)
    author = None
    if author_id is not None:
        author = Author.objects.filter(pk=author_id).first()
        if author is None:
            raise NotFound(f"No author #{author_id}")
    name = (author.name if author and not name.strip() else author_display_name(name.strip()))[:255]
    if not name:
        raise InvalidInput("Give the author to follow", details={"field": "name"})
    if MonitoredAuthor.objects.filter(name=name, kind=kind).exists():
        raise Conflict(f"{name} is already followed for {kind}s")
    try:
        with transaction.atomic():
            return MonitoredAuthor.objects.create(author=author, name=name, kind=kind, mode=mode, profile=profile,
                                                  added_by=user)
    except IntegrityError:
        raise Conflict(f"{name} is already followed for {kind}s") from None


def _volume_of(series: Series) -> str:
    """The Comic Vine volume of a series' issues (their `comicvine_volume` identifier), if any."""
    value = (Identifier.objects.filter(item__series=series, scheme="comicvine_volume")
             .values_list("value", flat=True).first())
    return value if value and COMICVINE_VOLUME.fullmatch(value) else ""


def follow_series(*, series_id: int | None = None, title: str = "", comicvine_volume: str = "",
                  kind: str = MediaKind.COMIC, mode: str = MonitorMode.MISSING, profile_id: int | None = None,
                  user=None) -> MonitoredSeries:
    _valid(kind, mode)
    profile = _profile(profile_id, kind)
    series = None
    if series_id is not None:
        series = Series.objects.filter(pk=series_id).first()
        if series is None:
            raise NotFound(f"No series #{series_id}")
    title = (title.strip() or (series.title if series else ""))[:255]
    if not title:
        raise InvalidInput("Give the series to follow", details={"field": "title"})
    if comicvine_volume and not COMICVINE_VOLUME.fullmatch(comicvine_volume):
        raise InvalidInput("A Comic Vine volume id looks like 4050-23437", details={"field": "comicvine_volume"})
    volume = comicvine_volume or (_volume_of(series) if series else "")
    if MonitoredSeries.objects.filter(title=title, kind=kind).exists():
        raise Conflict(f"{title} is already followed for {kind}s")
    try:
        with transaction.atomic():
            return MonitoredSeries.objects.create(series=series, title=title, kind=kind, mode=mode, profile=profile,
                                                  added_by=user,
                                                  provider_ids={"comicvine": volume} if volume else {})
    except IntegrityError:
        raise Conflict(f"{title} is already followed for {kind}s") from None


def get_monitor(model, monitor_id: int):
    monitor = model.objects.filter(pk=monitor_id).first()
    if monitor is None:
        raise NotFound(f"No followed {'author' if model is MonitoredAuthor else 'series'} #{monitor_id}")
    return monitor


def change(model, monitor_id: int, *, mode: str | None = None, profile_id: int | None = None,
           set_profile: bool = False):
    """Change a monitor's mode and/or its profile (`set_profile`: profile_id None = the kind's
    default). Books it added before keep the profile they got."""
    if mode is not None and mode not in MonitorMode.values:
        raise InvalidInput(f"Unknown monitor mode {mode!r}")
    monitor = get_monitor(model, monitor_id)
    fields = []
    if set_profile:
        monitor.profile = _profile(profile_id, monitor.kind)
        fields.append("profile")
    if mode is not None:
        monitor.mode = mode
        fields.append("mode")
    if fields:
        monitor.save(update_fields=fields)
    return monitor


def unfollow(model, monitor_id: int) -> None:
    """The monitor goes; the books it added stay wanted, and their reasons stay."""
    get_monitor(model, monitor_id).delete()


def want_missing(model, monitor_id: int) -> dict:
    """Every book of the last listing that the library lacks becomes wanted (dismissed ones
    excepted), whatever the monitor's mode: "want all missing"."""
    monitor = get_monitor(model, monitor_id)
    if monitor.last_checked_at is None:
        raise Conflict("This author or series has not been checked yet: check it first",
                       details={"monitor_id": monitor.pk})
    options = MonitoringSettings.load()
    counts: dict[str, int] = {}
    for record in listed_records(monitor):
        state = consider(record, monitor, options, mode=MonitorMode.MISSING)
        counts[state] = counts.get(state, 0) + 1
    return {"added": counts.get(BookState.ADDED, 0), "counts": counts}


def gaps(monitor) -> list[dict]:
    """The listed books the library lacks, with their positions, for a followed series or author."""
    decided = {(b.provider, b.external_id): b for b in MonitoredBook.objects.filter(
        kind=monitor.kind, external_id__in=[e.get("external_id", "") for e in monitor.listing])}
    rows = []
    for entry in monitor.listing:
        book = decided.get((entry.get("provider"), entry.get("external_id")))
        state = book.state if book else ""
        if state not in (BookState.ADDED, BookState.MATCHED):
            rows.append({"position": entry.get("position", ""), "title": entry.get("title", ""),
                         "published": entry.get("published", ""), "state": state or "missing",
                         "provider": entry.get("provider", ""), "external_id": entry.get("external_id", "")})
    return rows


def resolve_review(book_id: int, action: str, *, item_id: int | None = None) -> MonitoredBook:
    """The review queue's answers: `want` adds it, `same` (with item_id) says the library has it,
    `dismiss` never adds it."""
    book = MonitoredBook.objects.filter(pk=book_id, state=BookState.REVIEW).first()
    if book is None:
        raise NotFound(f"No book #{book_id} waiting for review")
    record = record_from_dict(book.record)
    monitor = book.author_monitor or book.series_monitor
    if action == "want":
        if monitor is None:
            raise Conflict("Its author or series is no longer followed; add it from the search instead")
        with transaction.atomic():
            MonitoredBook.objects.filter(pk=book.pk).delete()
            if add_record(record, monitor) != BookState.ADDED:
                raise Conflict(f"'{book.title}' could not be added (already wanted or owned?)")
        return MonitoredBook.objects.get(provider=book.provider, external_id=book.external_id, kind=book.kind)
    if action == "same":
        item = MediaItem.objects.filter(pk=item_id, kind=book.kind).first() if item_id else None
        if item is None:
            raise NotFound(f"No {book.kind} #{item_id}")
        book.state, book.item, book.reason = BookState.MATCHED, item, f"Same book as '{item.title}' (said in review)"
    elif action == "dismiss":
        book.state, book.reason = BookState.DISMISSED, "Not wanted (said in review)"
    else:
        raise InvalidInput(f"Unknown action {action!r}")
    book.resolved_at = timezone.now()
    book.save(update_fields=["state", "item", "reason", "resolved_at"])
    return book


def save_settings(*, languages: list[str] | None = None, kinds: list[str] | None = None) -> MonitoringSettings:
    options = MonitoringSettings.load()
    if languages is not None:
        unknown = [c for c in languages if c.lower() not in ISO_639_1]
        if unknown:
            raise InvalidInput(f"Unknown language codes: {', '.join(unknown)}", details={"field": "languages"})
        options.languages = ",".join(dict.fromkeys(c.lower() for c in languages))
    if kinds is not None:
        if any(k not in MediaKind.values for k in kinds):
            raise InvalidInput("Kinds are ebook, audiobook and comic", details={"field": "kinds"})
        options.kinds = ",".join(dict.fromkeys(kinds))
    options.save()
    return options
