"""The catalogue's feeds as plain values: what feeds.py builds and atom.py / opds2.py render."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

ACQUISITION = "http://opds-spec.org/acquisition"
IMAGE = "http://opds-spec.org/image"
THUMBNAIL = "http://opds-spec.org/image/thumbnail"
FACET = "http://opds-spec.org/facet"
SORT_NEW = "http://opds-spec.org/sort/new"
PSE_STREAM = "http://vaemendis.net/opds-pse/stream"


@dataclass(frozen=True)
class Link:
    href: str
    rel: str
    type: str
    title: str = ""
    templated: bool = False
    count: int | None = None  # thr:count / numberOfItems: how many items the target lists
    length: int | None = None  # bytes of a file
    facet_group: str = ""
    active: bool = False  # the facet in use
    pse_count: int | None = None
    pse_last_read: int | None = None  # 1-based, as OPDS-PSE 1.2 says
    pse_last_read_at: datetime | None = None


@dataclass(frozen=True)
class NavigationEntry:
    id: str
    title: str
    link: Link
    summary: str = ""


@dataclass(frozen=True)
class Person:
    name: str
    sort_as: str = ""
    href: str = ""  # the feed of their books
    role: str = "author"


@dataclass(frozen=True)
class SeriesRef:
    name: str
    position: float | None
    href: str


@dataclass(frozen=True)
class Publication:
    id: str
    kind: str
    title: str
    sort_as: str
    updated: datetime
    subtitle: str = ""
    people: tuple[Person, ...] = ()
    language: str = ""
    publisher: str = ""
    published: str = ""  # YYYY[-MM[-DD]]
    isbn: str = ""
    summary: str = ""
    categories: tuple[str, ...] = ()
    series: SeriesRef | None = None
    pages: int | None = None
    duration: int | None = None
    links: tuple[Link, ...] = ()  # acquisition, page streaming, alternate
    images: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Paging:
    number: int
    size: int
    total: int | None


@dataclass(frozen=True)
class Feed:
    id: str
    title: str
    updated: datetime
    kind: str  # navigation | acquisition
    links: tuple[Link, ...]
    entries: tuple[NavigationEntry, ...] = ()
    publications: tuple[Publication, ...] = ()
    facets: tuple[Link, ...] = ()
    paging: Paging | None = None
    subtitle: str = field(default="")
