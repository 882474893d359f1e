"""The scheduled check: ask the providers for each followed author's works and each followed
series' books, and decide about every record once (see models.MonitoredBook): add it as wanted
with the reason, note that the library has it, queue it for review, or leave it (dismissed, an
unwanted language or kind, an old book of a future-only monitor). Idempotent: a record that has
a row is not considered again, so a second check adds nothing new."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.events import EventType, Level, emit
from indexers.profiles import set_item_profile
from monitoring.calendar import release_date
from monitoring.dismissals import dismissed
from monitoring.matching import match_record
from monitoring.models import (
    BookState,
    MonitoredAuthor,
    MonitoredBook,
    MonitoredSeries,
    MonitoringSettings,
    MonitorMode,
)
from search.providers.base import BookRecord, Capability, CatalogueQuery
from search.services.lookup import record_from_dict, record_to_dict
from search.services.providers import call_providers, rows_for
from search.services.wanted import add_wanted_record

logger = logging.getLogger(__name__)
LISTING_LIMIT = 500  # records kept per monitor for its page and its gaps
WHAT = {Capability.AUTHOR_WORKS: "an author's works", Capability.SERIES_BOOKS: "a series' books"}


def check_all(*, progress: Callable[..., None] | None = None) -> dict:
    options = MonitoringSettings.load()
    monitors = [*MonitoredAuthor.objects.exclude(mode=MonitorMode.NONE).order_by("pk"),
                *MonitoredSeries.objects.exclude(mode=MonitorMode.NONE).order_by("pk")]
    totals: dict[str, int] = {"monitors": 0}
    for done, monitor in enumerate(monitors, start=1):
        if monitor.kind in options.kind_set:
            summary = check_monitor(monitor, options=options)
            totals["monitors"] += 1
            for key, value in summary.get("counts", {}).items():
                totals[key] = totals.get(key, 0) + value
        if progress is not None:
            progress(done, len(monitors))
    return totals


def check_monitor(monitor: MonitoredAuthor | MonitoredSeries, *, options: MonitoringSettings | None = None) -> dict:
    """One monitor now: its listing from every capable provider, then a decision per record."""
    options = options or MonitoringSettings.load()
    records, skipped, errors = fetch_listing(monitor)
    first_check = monitor.last_checked_at is None
    counts: dict[str, int] = {}
    for record in records:
        state = consider(record, monitor, options, first_check=first_check)
        counts[state] = counts.get(state, 0) + 1
    monitor.listing = [_listed(r) for r in records[:LISTING_LIMIT]]
    monitor.last_checked_at = timezone.now()
    monitor.last_error = "; ".join(errors)[:2000]
    monitor.last_summary = {"counts": counts, "skipped_providers": skipped, "listed": len(records)}
    monitor.save(update_fields=["listing", "last_checked_at", "last_error", "last_summary", "provider_ids"])
    return monitor.last_summary


def fetch_listing(monitor) -> tuple[list[BookRecord], list[str], list[str]]:
    """Records from every enabled provider that can list this monitor's books for its kind;
    the providers that cannot are named with the reason (skipped), failures in `errors`."""
    capability = Capability.AUTHOR_WORKS if isinstance(monitor, MonitoredAuthor) else Capability.SERIES_BOOKS
    able = rows_for(monitor.kind, capability)
    skipped = [f"{r.label}: cannot list {WHAT[capability]}" for r in rows_for(monitor.kind, Capability.SEARCH)
               if r.name not in {a.name for a in able}]
    if isinstance(monitor, MonitoredSeries):
        able = [r for r in able if monitor.provider_ids.get(r.name)]
        skipped += [f"{r.label}: no id of this series there" for r in rows_for(monitor.kind, capability)
                    if r not in able]

    def run(provider):
        if isinstance(monitor, MonitoredAuthor):
            query = CatalogueQuery(author=monitor.name, author_id=monitor.provider_ids.get(provider.info.name, ""),
                                   kind=monitor.kind, limit=LISTING_LIMIT)
            return provider.author_works(query)
        return provider.series_books(CatalogueQuery(series_id=monitor.provider_ids[provider.info.name],
                                                    kind=monitor.kind, limit=LISTING_LIMIT))

    records, errors = [], []
    for outcome in call_providers(able, run):
        if not outcome.ok:
            (skipped if outcome.skipped else errors).append(outcome.status or outcome.error)
        elif outcome.result is not None:
            monitor.provider_ids[outcome.name] = outcome.result.key
            records += [replace(r, kind=monitor.kind) for r in outcome.result.records]
    return records, skipped, errors


def consider(record: BookRecord, monitor, options: MonitoringSettings, *, first_check: bool = False,
             mode: str | None = None) -> str:
    """Decide about one record; returns what happened (a BookState value, or why it was left)."""
    mode = mode or monitor.mode
    existing = MonitoredBook.objects.filter(provider=record.provider, external_id=record.external_id,
                                            kind=monitor.kind).first()
    if existing is not None and not (existing.state == BookState.SEEN and mode != MonitorMode.FUTURE):
        return "known"
    if dismissed(record.provider, record.external_id, record.isbn13, monitor.kind):
        _remember(record, monitor, BookState.DISMISSED, "Dismissed before (removed or marked unwanted)")
        return BookState.DISMISSED
    if options.language_set and record.language and record.language not in options.language_set:
        return "other_language"
    if mode == MonitorMode.FUTURE and _old(record, monitor, first_check):
        _remember(record, monitor, BookState.SEEN, "Listed before the follow began (future books only)")
        return BookState.SEEN
    found = match_record(record, monitor.kind, author_id=getattr(monitor, "author_id", None),
                         series_id=getattr(monitor, "series_id", None))
    if found.item is not None:
        _remember(record, monitor, BookState.MATCHED, f"Already in the library ({found.how})", item=found.item,
                  monitored=mode == MonitorMode.ALL)
        return BookState.MATCHED
    if found.ambiguous:
        _queue_review(record, monitor, found.candidates)
        return BookState.REVIEW
    return add_record(record, monitor)


def _old(record: BookRecord, monitor, first_check: bool) -> bool:
    released = release_date(record.published) if record.published else None
    if released is not None:
        return released < monitor.created_at.date()
    return first_check  # no date: whatever the first check lists was there before the follow


def add_record(record: BookRecord, monitor) -> str:
    source = f"followed author {monitor.name}" if isinstance(monitor, MonitoredAuthor) \
        else f"followed series {monitor.title}"
    label = _label(record.provider)
    reason = f"New book by {source} found by {label} on {date.today():%Y-%m-%d}" \
        if isinstance(monitor, MonitoredAuthor) else f"Missing book of {source} found by {label} on " \
        f"{date.today():%Y-%m-%d}"
    try:
        with transaction.atomic():
            item = add_wanted_record(record, monitor.kind)
            if monitor.profile_id is not None:  # none: the kind's default profile applies
                set_item_profile(item.pk, monitor.profile_id)
            _remember(record, monitor, BookState.ADDED, reason, item=item)
    except IntegrityError:
        return "known"  # another check decided about it at the same time
    except Exception as exc:  # a duplicate found by ISBN while adding, a bad record: never stops the check
        logger.info("monitoring: %s not added: %s", record.external_id, exc)
        return "not_added"
    return BookState.ADDED


def _label(provider: str) -> str:
    from search.providers.registry import provider_info

    try:
        return provider_info(provider).label
    except Exception:
        return provider


def _queue_review(record: BookRecord, monitor, candidates: tuple[dict, ...]) -> None:
    _remember(record, monitor, BookState.REVIEW, "A book in the library looks alike, but not enough agrees to "
              "be sure: add it, or say which book it is", candidates=list(candidates))
    emit(EventType.METADATA_REVIEW, title=f"Followed {monitor.kind}: is '{record.title}' one you have?",
         message=candidates[0]["title"] if candidates else "", level=Level.WARNING, url="/monitoring/#review",
         data={"provider": record.provider, "external_id": record.external_id})


def _remember(record: BookRecord, monitor, state: str, reason: str, *, item=None, monitored: bool = True,
              candidates: list | None = None) -> MonitoredBook:
    author = monitor if isinstance(monitor, MonitoredAuthor) else None
    series = monitor if isinstance(monitor, MonitoredSeries) else None
    row, _ = MonitoredBook.objects.update_or_create(
        provider=record.provider, external_id=record.external_id[:128], kind=monitor.kind,
        defaults={"state": state, "title": record.title[:500], "published": record.published[:32],
                  "position": _position(record), "item": item, "monitored": monitored, "author_monitor": author,
                  "series_monitor": series, "reason": reason[:500], "record": record_to_dict(record),
                  "candidates": candidates or [], "resolved_at": None if state == BookState.REVIEW else timezone.now()})
    return row


def _position(record: BookRecord) -> str:
    if record.issue_number:
        return record.issue_number[:16]
    return f"{record.series_index:g}" if record.series_index is not None else ""


def _listed(record: BookRecord) -> dict:
    return {**record_to_dict(record), "position": _position(record)}


def listed_records(monitor) -> list[BookRecord]:
    return [record_from_dict({k: v for k, v in entry.items() if k != "position"}) for entry in monitor.listing]
