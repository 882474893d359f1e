"""Google Books: volumes search and ISBN lookup (API key optional)."""

from __future__ import annotations

from typing import Any

import httpx

from core import isbn as isbn_tools
from core.errors import BadResponse, NotFound
from core.text import comparison_key
from search.providers.base import (
    AuthorRef,
    BookRecord,
    Capability,
    CatalogueListing,
    CatalogueQuery,
    ProviderConfig,
    ProviderInfo,
    SearchQuery,
)
from search.providers.common import clean_text, language_code, parse_date, strip_html, to_int
from search.providers.fetch import ResilientFetcher

INFO = ProviderInfo(
    name="googlebooks", label="Google Books", media_kinds=frozenset({"ebook", "audiobook", "comic"}),
    capabilities=frozenset({Capability.SEARCH, Capability.LOOKUP, Capability.COVERS, Capability.AUTHOR_WORKS}),
    default_base_url="https://www.googleapis.com/books/v1", default_rate_per_second=2.0,
)


class GoogleBooksProvider:
    info = INFO

    def __init__(self, config: ProviderConfig, *, transport: httpx.BaseTransport | None = None, **kwargs: Any):
        self.config = config
        params = {"key": config.api_key} if config.api_key else {}
        self.fetcher = ResilientFetcher(config, transport=transport, default_params=params, **kwargs)

    def close(self) -> None:
        self.fetcher.close()

    def search(self, query: SearchQuery) -> list[BookRecord]:
        terms = []
        if query.isbn:
            terms.append(f"isbn:{isbn_tools.clean(query.isbn)}")
        if query.text:
            terms.append(query.text)
        if query.title:
            terms.append(f"intitle:{query.title}")
        if query.author:
            terms.append(f"inauthor:{query.author}")
        return self._volumes(" ".join(terms), limit=query.limit)

    def author_works(self, query: CatalogueQuery) -> CatalogueListing | None:
        """`volumes?q=inauthor:"Name"`, newest first, books only; volumes credited to another
        author whose name merely contains the words are left out."""
        wanted = comparison_key(query.author)
        if not wanted:
            return None
        name = query.author.replace('"', " ").strip()
        records = self._volumes(f'inauthor:"{name}"', limit=min(query.limit, 40),
                                extra={"orderBy": "newest", "printType": "books"}, fresh=True)
        own = tuple(r for r in records if any(comparison_key(a) == wanted for a in r.author_names))
        return CatalogueListing(INFO.name, query.author, query.author, own, complete=len(records) < 40) \
            if own else None

    def series_books(self, query: CatalogueQuery) -> CatalogueListing | None:
        raise BadResponse("Google Books cannot list the books of a series")

    def _volumes(self, q: str, *, limit: int = 10, queried_isbn: str = "",
                 extra: dict[str, str] | None = None, fresh: bool = False) -> list[BookRecord]:
        params = {"q": q, "maxResults": max(1, min(limit, 40)), **(extra or {})}
        data = self.fetcher.get_json("/volumes", params, resource="volumes", fresh=fresh)
        if not isinstance(data, dict) or "kind" not in data:
            raise BadResponse("Google Books: reply is not a volumes list")
        items = data.get("items") or []
        return [self._from_volume(item, rank, queried_isbn) for rank, item in enumerate(items)
                if (item.get("volumeInfo") or {}).get("title")]

    def lookup(self, scheme: str, value: str) -> BookRecord | None:
        scheme = scheme.lower()
        if scheme in ("isbn", "isbn13", "isbn10"):
            isbn13 = isbn_tools.to_isbn13(value)
            if isbn13 is None:
                return None
            results = self._volumes(f"isbn:{isbn13}", limit=5, queried_isbn=isbn13)
            exact = [r for r in results if r.isbn13 == isbn13]
            return (exact or results or [None])[0]
        if scheme in ("google", "googlebooks"):
            try:
                item = self.fetcher.get_json(f"/volumes/{value}", resource="volume")
            except NotFound:
                return None
            return self._from_volume(item, 0, "")
        return None

    def _from_volume(self, item: dict, rank: int, queried_isbn: str) -> BookRecord:
        info = item.get("volumeInfo") or {}
        ids = {i.get("type"): clean_text(i.get("identifier")) for i in info.get("industryIdentifiers") or []}
        isbn13 = isbn_tools.to_isbn13(ids.get("ISBN_13", "")) or isbn_tools.to_isbn13(ids.get("ISBN_10", "")) or ""
        published, year = parse_date(info.get("publishedDate"))
        images = info.get("imageLinks") or {}
        confidence = max(0.5, 0.85 - 0.05 * rank)
        if queried_isbn:  # an ISBN lookup answered with another edition is a weaker answer
            confidence = 0.95 if isbn13 == queried_isbn else 0.6
        identifiers = [("google", clean_text(item.get("id")))] + ([("isbn13", isbn13)] if isbn13 else [])
        return BookRecord(
            provider=INFO.name, external_id=clean_text(item.get("id")), title=clean_text(info.get("title")),
            subtitle=clean_text(info.get("subtitle")),
            authors=tuple(AuthorRef(clean_text(a)) for a in info.get("authors") or [] if clean_text(a)),
            publisher=clean_text(info.get("publisher")), published=published, year=year,
            language=language_code(info.get("language")), description=strip_html(info.get("description")),
            subjects=tuple(clean_text(c) for c in info.get("categories") or []), isbn13=isbn13,
            identifiers=tuple(identifiers), page_count=to_int(info.get("pageCount")),
            cover_url=images.get("thumbnail") or images.get("smallThumbnail") or "",
            kind="comic" if (info.get("printType") == "MAGAZINE") else "ebook",
            url=clean_text(info.get("canonicalVolumeLink") or info.get("infoLink")), confidence=confidence,
        )
