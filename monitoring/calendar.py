"""Release dates of wanted and monitored books: the one selector behind the calendar page, the
iCal feed and the Readarr-shaped `/api/v1/calendar`."""

from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db.models import Prefetch, Q

from core.visibility import without_hidden
from media.models import Contribution, MediaItem
from media.selectors import ACQUISITION_STATUSES
from monitoring.models import BookState, MonitoredBook

MAX_RELEASES = 500


def release_date(published: str) -> date | None:
    """`YYYY[-MM[-DD]]` as a day (a month or a year alone counts as its first day)."""
    parts = published.split("-")
    try:
        numbers = [int(p) for p in parts[:3]] + [1] * (3 - len(parts[:3]))
        return date(*numbers)
    except (TypeError, ValueError):
        return None


def releases(start: date, end: date, user, *, prefetch: tuple = (),
             limit: int = MAX_RELEASES) -> list[tuple[MediaItem, date]]:
    """(item, release day) of wanted books and books kept monitored, released from start to end,
    that `user` may see (a hidden library's book is in no calendar)."""
    monitored = MonitoredBook.objects.filter(state__in=(BookState.ADDED, BookState.MATCHED), monitored=True,
                                             item__isnull=False).values("item_id")
    items = (
        without_hidden(MediaItem.objects.filter(Q(status__in=ACQUISITION_STATUSES) | Q(pk__in=monitored),
                                                published__gte=str(start.year), published__lte=end.isoformat()), user)
        .prefetch_related(Prefetch("contributions", queryset=Contribution.objects.select_related("author")), *prefetch)
        .order_by("published", "id")
    )
    found = []
    for item in items[: limit * 4]:
        released = release_date(item.published)
        if released and start <= released <= end:
            found.append((item, released))
    return found[:limit]


@dataclass(frozen=True)
class MonthView:
    first: date
    weeks: list[list[dict]]  # 7 days a week: {"day": date | None, "books": [item]}
    previous: str
    next: str


def month_view(year: int, month: int, user) -> MonthView:
    first = date(year, month, 1)
    last = date(year, month, month_calendar.monthrange(year, month)[1])
    by_day: dict[date, list[MediaItem]] = {}
    for item, day in releases(first, last, user):
        by_day.setdefault(day, []).append(item)
    weeks = [[{"day": d if d.month == month else None, "books": by_day.get(d, []) if d.month == month else []}
              for d in week] for week in month_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)]
    previous = first - timedelta(days=1)
    following = last + timedelta(days=1)
    return MonthView(first, weeks, f"{previous:%Y-%m}", f"{following:%Y-%m}")


def ical_feed(start: date, end: date, user, *, host: str = "omnireadarr") -> bytes:
    """An iCalendar (RFC 5545) document: one all-day event per release, written by `icalendar`."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//OmniReadarr//Releases//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "OmniReadarr releases")
    stamp = datetime.now(UTC)
    for item, day in releases(start, end, user):
        event = Event()
        event.add("uid", f"omnireadarr-item-{item.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        authors = item.authors_display
        event.add("summary", f"{authors} - {item.title}" if authors else item.title)
        event.add("description", f"{item.get_kind_display()}, {item.get_status_display().lower()}")
        event.add("categories", [item.kind])
        cal.add_component(event)
    return cal.to_ical()
