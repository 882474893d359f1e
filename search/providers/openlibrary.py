"""Open Library: search.json, /api/books (ISBN), works, editions, authors, covers."""

from __future__ import annotations

import re
from typing import Any

import httpx

from core import isbn as isbn_tools
from core.errors import BadResponse, NotFound
from core.text import comparison_key
from search.providers.base import (
    AuthorRecord,
    AuthorRef,
    BookRecord,
    Capability,
    CatalogueListing,
    CatalogueQuery,
    ProviderConfig,
    ProviderInfo,
    SearchQuery,
)
from search.providers.common import best_isbn13, clean_text, language_code, parse_date, to_int
from search.providers.fetch import ResilientFetcher

INFO = ProviderInfo(
    name="openlibrary", label="Open Library", media_kinds=frozenset({"ebook", "audiobook"}),
    capabilities=frozenset({Capability.SEARCH, Capability.LOOKUP, Capability.COVERS, Capability.AUTHORS,
                            Capability.AUTHOR_WORKS}),
    default_base_url="https://openlibrary.org", default_rate_per_second=1.0,
    extra={"covers_base_url": "https://covers.openlibrary.org"},
)
_OLID = re.compile(r"OL\d+[AMW]")
SEARCH_FIELDS = ("key,title,subtitle,author_name,author_key,first_publish_year,publish_date,publisher,language,"
                 "isbn,cover_i,cover_edition_key,subject,number_of_pages_median,edition_count")
MAX_AUTHOR_LOOKUPS = 5
WORKS_PAGE = 100  # /authors/{id}/works.json pages (its own default is 50)


def _olid(value: object) -> str:
    match = _OLID.search(str(value or ""))
    return match.group(0) if match else ""


def _text_value(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("value", "")
    return clean_text(value)


class OpenLibraryProvider:
    info = INFO

    def __init__(self, config: ProviderConfig, *, transport: httpx.BaseTransport | None = None, **kwargs: Any):
        self.config = config
        self.fetcher = ResilientFetcher(config, transport=transport, **kwargs)
        self.covers = (config.covers_base_url or INFO.extra["covers_base_url"]).rstrip("/")

    def close(self) -> None:
        self.fetcher.close()

    def cover_url(self, cover_id: object = None, *, olid: str = "") -> str:
        if cover_id not in (None, "", -1):
            return f"{self.covers}/b/id/{cover_id}-L.jpg"
        return f"{self.covers}/b/olid/{olid}-L.jpg" if olid else ""

    # --- search --------------------------------------------------------------------------
    def search(self, query: SearchQuery) -> list[BookRecord]:
        params: dict[str, Any] = {"limit": max(1, min(query.limit, 50)), "fields": SEARCH_FIELDS}
        if query.isbn:
            params["isbn"] = isbn_tools.clean(query.isbn)
        if query.text:
            params["q"] = query.text
        if query.title:
            params["title"] = query.title
        if query.author:
            params["author"] = query.author
        data = self.fetcher.get_json("/search.json", params, resource="search")
        if not isinstance(data, dict) or not isinstance(data.get("docs"), list):
            raise BadResponse("Open Library: search reply has no 'docs' list")
        return [self._from_search_doc(doc, rank) for rank, doc in enumerate(data["docs"]) if doc.get("title")]

    def _from_search_doc(self, doc: dict, rank: int) -> BookRecord:
        work_id = _olid(doc.get("key"))
        names, keys = doc.get("author_name") or [], doc.get("author_key") or []
        authors = tuple(AuthorRef(clean_text(n), external_id=keys[i] if i < len(keys) else "")
                        for i, n in enumerate(names))
        published, _ = parse_date((doc.get("publish_date") or [""])[0])
        year = to_int(doc.get("first_publish_year"))
        isbn13 = best_isbn13(doc.get("isbn") or [])
        identifiers = [("openlibrary", work_id)] + ([("isbn13", isbn13)] if isbn13 else [])
        return BookRecord(
            provider=INFO.name, external_id=work_id, title=clean_text(doc.get("title")),
            subtitle=clean_text(doc.get("subtitle")), authors=authors, published=published or str(year or ""),
            year=year, publisher=clean_text((doc.get("publisher") or [""])[0]),
            language=language_code((doc.get("language") or [""])[0]), subjects=tuple(doc.get("subject") or [])[:20],
            isbn13=isbn13, identifiers=tuple(identifiers), page_count=to_int(doc.get("number_of_pages_median")),
            cover_url=self.cover_url(doc.get("cover_i"), olid=clean_text(doc.get("cover_edition_key"))),
            url=f"{self.config.base_url.rstrip('/')}/works/{work_id}" if work_id else "",
            confidence=max(0.5, 0.85 - 0.05 * rank),
        )

    # --- lookups -------------------------------------------------------------------------
    def lookup(self, scheme: str, value: str) -> BookRecord | None:
        scheme = scheme.lower()
        if scheme in ("isbn", "isbn13", "isbn10"):
            return self.lookup_isbn(value)
        olid = _olid(value)
        if scheme in ("openlibrary", "olid") and olid.endswith("W"):
            return self._get_or_none(self._work, olid)
        if scheme in ("openlibrary", "olid") and olid.endswith("M"):
            return self._get_or_none(self._edition, olid)
        return None

    @staticmethod
    def _get_or_none(fn, value: str) -> BookRecord | None:
        try:
            return fn(value)
        except NotFound:
            return None

    def lookup_isbn(self, raw: str) -> BookRecord | None:
        isbn13 = isbn_tools.to_isbn13(raw)
        if isbn13 is None:
            return None
        key = f"ISBN:{isbn13}"
        data = self.fetcher.get_json("/api/books", {"bibkeys": key, "format": "json", "jscmd": "data"},
                                     resource="books")
        if not isinstance(data, dict):
            raise BadResponse("Open Library: /api/books did not answer with an object")
        entry = data.get(key) or next(iter(data.values()), None)
        return self._from_books_api(entry, isbn13) if isinstance(entry, dict) else None

    def _from_books_api(self, entry: dict, queried: str) -> BookRecord:
        ids = entry.get("identifiers") or {}
        isbn13 = best_isbn13([*ids.get("isbn_13", []), *ids.get("isbn_10", [])]) or queried
        edition = _olid(entry.get("key"))
        published, year = parse_date(entry.get("publish_date"))
        authors = tuple(AuthorRef(clean_text(a.get("name")), external_id=_olid(a.get("url")))
                        for a in entry.get("authors") or [] if a.get("name"))
        identifiers = [("isbn13", isbn13), ("openlibrary", edition)]
        identifiers += [(s, str(v[0])) for s, v in ids.items() if s in ("goodreads", "librarything") and v]
        return BookRecord(
            provider=INFO.name, external_id=edition, title=clean_text(entry.get("title")),
            subtitle=clean_text(entry.get("subtitle")), authors=authors, published=published, year=year,
            publisher=clean_text(((entry.get("publishers") or [{}])[0]).get("name")),
            subjects=tuple(clean_text(s.get("name")) for s in entry.get("subjects") or [] if s.get("name"))[:20],
            page_count=to_int(entry.get("number_of_pages")), isbn13=isbn13,
            identifiers=tuple(i for i in identifiers if i[1]), cover_url=(entry.get("cover") or {}).get("large", ""),
            url=clean_text(entry.get("url")), confidence=0.95,
        )

    def _edition(self, olid: str) -> BookRecord:
        data = self.fetcher.get_json(f"/books/{olid}.json", resource="books")
        isbn13 = best_isbn13([*data.get("isbn_13", []), *data.get("isbn_10", [])])
        published, year = parse_date(data.get("publish_date"))
        series, index = _edition_series(data.get("series") or [])
        work = _olid(((data.get("works") or [{}])[0]).get("key"))
        identifiers = [("openlibrary", olid), ("isbn13", isbn13), ("openlibrary_work", work)]
        return BookRecord(
            provider=INFO.name, external_id=olid, title=clean_text(data.get("title")),
            subtitle=clean_text(data.get("subtitle")), authors=self._authors(data.get("authors") or []),
            published=published, year=year, publisher=clean_text((data.get("publishers") or [""])[0]),
            language=language_code(((data.get("languages") or [{}])[0]).get("key")),
            description=_text_value(data.get("description")), subjects=tuple(data.get("subjects") or [])[:20],
            page_count=to_int(data.get("number_of_pages")), isbn13=isbn13, series=series, series_index=index,
            identifiers=tuple(i for i in identifiers if i[1]),
            cover_url=self.cover_url((data.get("covers") or [None])[0]), confidence=0.95,
            url=f"{self.config.base_url.rstrip('/')}/books/{olid}",
        )

    def _work(self, olid: str) -> BookRecord:
        data = self.fetcher.get_json(f"/works/{olid}.json", resource="works")
        subjects = [clean_text(s) for s in data.get("subjects") or []]
        series = _subject_series(subjects)
        published, year = parse_date(data.get("first_publish_date"))
        refs = [a.get("author") or a for a in data.get("authors") or []]
        return BookRecord(
            provider=INFO.name, external_id=olid, title=clean_text(data.get("title")),
            subtitle=clean_text(data.get("subtitle")), authors=self._authors(refs), published=published, year=year,
            description=_text_value(data.get("description")), series=series,
            subjects=tuple(s for s in subjects if not s.lower().startswith(("series:", "nyt:")))[:20],
            identifiers=(("openlibrary", olid),), cover_url=self.cover_url((data.get("covers") or [None])[0]),
            url=f"{self.config.base_url.rstrip('/')}/works/{olid}", confidence=0.9,
        )

    def _authors(self, refs: list[dict]) -> tuple[AuthorRef, ...]:
        authors = []
        for ref in refs[:MAX_AUTHOR_LOOKUPS]:
            olid = _olid(ref.get("key"))
            if not olid:
                continue
            try:
                record = self.author(olid)
            except NotFound:
                continue
            authors.append(AuthorRef(record.name, external_id=record.external_id))
        return tuple(authors)

    # --- catalogue listings ----------------------------------------------------------------
    def author_works(self, query: CatalogueQuery) -> CatalogueListing | None:
        """The author's works: `/authors/{OLID}/works.json` page by page; the key is found first with
        `/search.json?author=` (only an author whose name is the same, never a near one)."""
        key = _olid(query.author_id) or self.find_author_key(query.author)
        if not key:
            return None
        records: list[BookRecord] = []
        offset, total = 0, None
        while len(records) < query.limit and (total is None or offset < total):
            data = self.fetcher.get_json(f"/authors/{key}/works.json", {"limit": WORKS_PAGE, "offset": offset},
                                         resource="works", fresh=True)
            if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
                raise BadResponse("Open Library: author works reply has no 'entries' list")
            entries = data["entries"]
            total = to_int(data.get("size")) or 0
            records += [self._from_work_entry(e, key, query.author) for e in entries
                        if isinstance(e, dict) and e.get("title") and _olid(e.get("key"))]
            if not entries:
                break
            offset += len(entries)
        return CatalogueListing(INFO.name, key, query.author, tuple(records[: query.limit]),
                                complete=len(records) <= query.limit and offset >= (total or 0))

    def series_books(self, query: CatalogueQuery) -> CatalogueListing | None:
        raise BadResponse("Open Library cannot list the books of a series")

    def find_author_key(self, name: str) -> str:
        wanted = comparison_key(name)
        if not wanted:
            return ""
        data = self.fetcher.get_json("/search.json", {"author": name, "fields": "author_key,author_name",
                                                      "limit": 20}, resource="search")
        if not isinstance(data, dict) or not isinstance(data.get("docs"), list):
            raise BadResponse("Open Library: search reply has no 'docs' list")
        counts: dict[str, int] = {}
        for doc in data["docs"]:
            for index, author in enumerate(doc.get("author_name") or []):
                keys = doc.get("author_key") or []
                if comparison_key(str(author)) == wanted and index < len(keys) and _olid(keys[index]):
                    counts[_olid(keys[index])] = counts.get(_olid(keys[index]), 0) + 1
        return max(counts, key=lambda k: counts[k]) if counts else ""

    def _from_work_entry(self, entry: dict, author_key: str, author_name: str) -> BookRecord:
        olid = _olid(entry.get("key"))
        subjects = [clean_text(s) for s in entry.get("subjects") or [] if isinstance(s, str)]
        published, year = parse_date(entry.get("first_publish_date"))
        return BookRecord(
            provider=INFO.name, external_id=olid, title=clean_text(entry.get("title")),
            subtitle=clean_text(entry.get("subtitle")), authors=(AuthorRef(author_name, external_id=author_key),),
            published=published, year=year, description=_text_value(entry.get("description")),
            series=_subject_series(subjects), identifiers=(("openlibrary", olid),),
            subjects=tuple(s for s in subjects if not s.lower().startswith(("series:", "nyt:")))[:20],
            cover_url=self.cover_url(next((c for c in entry.get("covers") or [] if isinstance(c, int) and c > 0),
                                          None)),
            url=f"{self.config.base_url.rstrip('/')}/works/{olid}", confidence=0.9,
        )

    def author(self, olid: str) -> AuthorRecord:
        data = self.fetcher.get_json(f"/authors/{_olid(olid) or olid}.json", resource="authors")
        name = clean_text(data.get("name") or data.get("personal_name"))
        if not name:
            raise BadResponse(f"Open Library: author {olid} has no name")
        photos = [p for p in data.get("photos") or [] if isinstance(p, int) and p > 0]
        return AuthorRecord(
            provider=INFO.name, external_id=_olid(data.get("key")) or olid, name=name,
            alternate_names=tuple(clean_text(n) for n in data.get("alternate_names") or []),
            bio=_text_value(data.get("bio")), birth_date=clean_text(data.get("birth_date")),
            photo_url=f"{self.covers}/a/id/{photos[0]}-L.jpg" if photos else "",
        )


def _subject_series(subjects: list[str]) -> str:
    return next((s.split(":", 1)[1].strip() for s in subjects if s.lower().startswith("series:")), "")


def _edition_series(values: list[str]) -> tuple[str, float | None]:
    """Edition 'series' strings look like 'Old Kingdom ; 1' or 'Discworld -- 3'."""
    if not values:
        return "", None
    match = re.match(r"^(.*?)(?:\s*(?:;|--|,|#|no\.|vol\.)\s*(-?\d+(?:\.\d+)?))?\s*$", clean_text(values[0]), re.I)
    if not match:
        return clean_text(values[0]), None
    return match.group(1).strip(" ;,"), float(match.group(2)) if match.group(2) else None
