"""What every metadata provider speaks: a frozen config in, frozen records out.
Providers import only `core` and this module; they never touch the ORM or settings."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, runtime_checkable


class Capability(StrEnum):
    SEARCH = "search"
    LOOKUP = "lookup"  # by identifier (ISBN, provider id)
    COVERS = "covers"
    AUTHORS = "authors"
    AUTHOR_WORKS = "author_works"  # list an author's works (monitored authors)
    SERIES_BOOKS = "series_books"  # list a series' books with their positions (monitored series)


@dataclass(frozen=True)
class ProviderConfig:
    name: str
    base_url: str
    label: str = ""
    api_key: str = ""
    timeout: float = 15.0
    retries: int = 2
    backoff: float = 0.5
    rate_per_second: float | None = None
    hourly_limit_per_resource: int | None = None  # Comic Vine: 200 per resource per hour
    cache_path: Path | None = None  # SQLite file; None disables the response cache
    cache_ttl_seconds: int = 3600
    covers_base_url: str = ""  # Open Library serves covers from another host


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    title: str = ""
    author: str = ""
    isbn: str = ""
    kind: str = "ebook"
    limit: int = 10

    @property
    def is_empty(self) -> bool:
        return not (self.text.strip() or self.title.strip() or self.author.strip() or self.isbn.strip())


@dataclass(frozen=True)
class AuthorRef:
    name: str
    role: str = "author"
    external_id: str = ""


@dataclass(frozen=True)
class BookRecord:
    """One edition/work/issue as a provider describes it."""

    provider: str
    external_id: str
    title: str
    kind: str = "ebook"
    subtitle: str = ""
    authors: tuple[AuthorRef, ...] = ()
    series: str = ""
    series_index: float | None = None
    publisher: str = ""
    published: str = ""  # YYYY[-MM[-DD]]
    year: int | None = None
    language: str = ""  # ISO 639-1
    description: str = ""
    subjects: tuple[str, ...] = ()
    identifiers: tuple[tuple[str, str], ...] = ()  # (scheme, value)
    isbn13: str = ""
    cover_url: str = ""
    page_count: int | None = None
    source: str = ""  # the configured source that answered (set by the services; empty: `provider`)
    issue_number: str = ""
    volume: str = ""
    narrators: tuple[str, ...] = ()
    duration_seconds: int | None = None
    url: str = ""
    confidence: float = 0.9  # how sure the provider's own answer is (lower for fuzzy search hits)

    @property
    def author_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.authors if a.role in ("author", "writer"))

    def with_confidence(self, confidence: float) -> BookRecord:
        return replace(self, confidence=confidence)

    def as_values(self) -> dict[str, Any]:
        """Field values for the candidate store (empty values left out)."""
        values: dict[str, Any] = {
            "title": self.title, "subtitle": self.subtitle, "authors": list(self.author_names),
            "publisher": self.publisher, "published": self.published, "year": self.year,
            "language": self.language, "description": self.description, "subjects": list(self.subjects),
            "isbn13": self.isbn13, "cover": self.cover_url, "page_count": self.page_count,
            "issue_number": self.issue_number, "volume": self.volume, "narrators": list(self.narrators),
            "duration_seconds": self.duration_seconds,
            "identifiers": {scheme: value for scheme, value in self.identifiers},
        }
        if self.series:
            values["series"] = {"name": self.series, "index": self.series_index}
        return {k: v for k, v in values.items() if v not in (None, "", [], {})}


@dataclass(frozen=True)
class AuthorRecord:
    provider: str
    external_id: str
    name: str
    alternate_names: tuple[str, ...] = ()
    bio: str = ""
    birth_date: str = ""
    photo_url: str = ""


@dataclass(frozen=True)
class ProviderInfo:
    name: str
    label: str
    media_kinds: frozenset[str]
    capabilities: frozenset[Capability]
    default_base_url: str
    requires_api_key: bool = False
    default_rate_per_second: float | None = None
    default_hourly_limit: int | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CatalogueQuery:
    """Whose books to list: an author (by name, with the provider's key once known) or a series
    (by the provider's id of it)."""

    author: str = ""
    author_id: str = ""
    series_id: str = ""
    kind: str = "ebook"
    limit: int = 200


@dataclass(frozen=True)
class CatalogueListing:
    """An author's works or a series' books as one provider lists them."""

    provider: str
    key: str  # the provider's id of the author or series (found from the name when not given)
    name: str
    records: tuple[BookRecord, ...] = ()
    complete: bool = True  # False: cut at the query's limit


@runtime_checkable
class CatalogueLister(Protocol):
    """Providers with Capability.AUTHOR_WORKS implement `author_works`, with SERIES_BOOKS
    `series_books`; both answer None when the provider knows no such author or series."""

    def author_works(self, query: CatalogueQuery) -> CatalogueListing | None: ...

    def series_books(self, query: CatalogueQuery) -> CatalogueListing | None: ...


@runtime_checkable
class MetadataProvider(Protocol):
    info: ProviderInfo
    config: ProviderConfig

    def search(self, query: SearchQuery) -> list[BookRecord]: ...

    def lookup(self, scheme: str, value: str) -> BookRecord | None:
        """By identifier: isbn13/isbn10 or the provider's own id. None when not found."""
        ...

    def close(self) -> None: ...
