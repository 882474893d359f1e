"""What every list page shares: page numbers with a total, and column headers that sort.

Pure helpers over a query string (a `QueryDict`): the views pass their GET parameters and get
back links that keep every other filter. Templates: partials/page_numbers.html and
partials/sort_header.html."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.http import QueryDict

WINDOW = 2  # page links either side of the current page


@dataclass(frozen=True)
class Pager:
    page: int
    page_size: int
    total: int | None  # None: not counted
    estimated: bool  # `total` is an estimate ("about N")
    has_next: bool
    numbers: tuple[int | None, ...]  # page links in order; None marks a gap ("…")
    query: str  # the query string without `page`, to append "&page=N" to
    noun: str = "items"  # plural: "3 books"
    one: str = ""  # singular when it is not the plural without its "s": "1 series"

    @property
    def summary(self) -> str:
        """'51-100 of 1,234 books' (with an en dash), 'about 4,700 books', '1 book', 'No books'."""
        if self.total is None:
            return ""
        about = "about " if self.estimated else ""
        noun = (self.one or self.noun.removesuffix("s")) if self.total == 1 and not self.estimated else self.noun
        if self.total == 0:
            return f"No {self.noun}"
        if self.has_next or self.page > 1:
            return f"{self.first_shown:,}\N{EN DASH}{self.shown_to:,} of {about}{self.total:,} {noun}"
        return f"{about}{self.total:,} {noun}"

    @property
    def last(self) -> int | None:
        if self.total is None or self.estimated:
            return None
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def first_shown(self) -> int:
        return (self.page - 1) * self.page_size + 1

    @property
    def shown_to(self) -> int:
        end = self.page * self.page_size
        return min(end, self.total) if self.total is not None and not self.estimated else end

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _numbers(page: int, last: int | None, has_next: bool) -> tuple[int | None, ...]:
    end = last if last is not None else page + (1 if has_next else 0)
    shown = sorted({1, *range(max(1, page - WINDOW), min(end, page + WINDOW) + 1), *([last] if last else [])})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return tuple(numbers)


def pager(
    params: QueryDict,
    *,
    page: int,
    page_size: int,
    total: int | None,
    has_next: bool,
    estimated: bool = False,
    noun: str = "items",
    one: str = "",
) -> Pager:
    query = params.copy()
    query.pop("page", None)
    last = None if total is None or estimated else max(1, math.ceil(total / page_size))
    numbers = _numbers(page, last, has_next)
    return Pager(page, page_size, total, estimated, has_next, numbers, query.urlencode(), noun, one)


def django_pager(params: QueryDict, page, *, noun: str = "items", one: str = "") -> Pager:
    """The same for a page of Django's Paginator (which counts exactly)."""
    return pager(
        params,
        page=page.number,
        page_size=page.paginator.per_page,
        total=page.paginator.count,
        has_next=page.has_next(),
        noun=noun,
        one=one,
    )


@dataclass(frozen=True)
class SortHeader:
    label: str
    key: str  # "" = not sortable
    url: str
    aria_sort: str  # ascending | descending | none


def sort_headers(
    params: QueryDict, columns: list[tuple[str, str]], *, current: str, descending: bool, defaults_desc=()
) -> list[SortHeader]:
    """Header links: a click sorts by the column, a second click reverses it. `columns` are
    (label, sort key or "" when the column does not sort); `defaults_desc` are the keys whose
    first click sorts descending (dates, sizes)."""
    headers = []
    for label, key in columns:
        if not key:
            headers.append(SortHeader(label, "", "", ""))
            continue
        query = params.copy()
        query.pop("page", None)
        query["sort"] = key
        active = key == current
        next_desc = not descending if active else key in defaults_desc
        query["order"] = "desc" if next_desc else "asc"
        state = ("descending" if descending else "ascending") if active else "none"
        headers.append(SortHeader(label, key, "?" + query.urlencode(), state))
    return headers
