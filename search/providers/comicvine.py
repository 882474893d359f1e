"""Comic Vine: volumes and issues (API key required; 1 request/s, 200 per resource per hour)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from core.errors import AuthenticationFailed, BadResponse, ConfigurationError, NotFound, RateLimited
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
from search.providers.common import clean_text, parse_date, strip_html, to_int
from search.providers.fetch import ResilientFetcher

INFO = ProviderInfo(
    name="comicvine", label="Comic Vine", media_kinds=frozenset({"comic"}),
    capabilities=frozenset({Capability.SEARCH, Capability.LOOKUP, Capability.COVERS, Capability.SERIES_BOOKS}),
    default_base_url="https://comicvine.gamespot.com/api", requires_api_key=True,
    default_rate_per_second=1.0, default_hourly_limit=200,
)
_CV_ID = re.compile(r"^(4000|4050)-(\d+)$")
OK, INVALID_KEY, NOT_FOUND, RATE_LIMIT = 1, 100, 101, 107
WRITER_ROLES = ("writer", "script", "plot", "story")
ISSUES_PAGE = 100  # Comic Vine's largest page


def _ok(data: Any) -> bool:
    return isinstance(data, dict) and data.get("status_code") == OK


class ComicVineProvider:
    info = INFO

    def __init__(self, config: ProviderConfig, *, transport: httpx.BaseTransport | None = None, **kwargs: Any):
        self.config = config
        self.fetcher = ResilientFetcher(config, transport=transport,
                                        default_params={"api_key": config.api_key, "format": "json"}, **kwargs)

    def close(self) -> None:
        self.fetcher.close()

    def _get(self, path: str, params: dict | None = None, *, resource: str, fresh: bool = False) -> Any:
        if not self.config.api_key:
            raise ConfigurationError("Comic Vine: no API key configured",
                                     hint="Get a free key at comicvine.gamespot.com/api and enter it in "
                                          "Settings > Metadata.")
        try:
            data = self.fetcher.get_json(path, params, resource=resource, cacheable=_ok, fresh=fresh)
        except NotFound:
            return None
        if not isinstance(data, dict) or "status_code" not in data:
            raise BadResponse("Comic Vine: reply has no status_code")
        code = data["status_code"]
        if code == OK:
            return data.get("results")
        if code == NOT_FOUND:
            return None
        if code == INVALID_KEY:
            raise AuthenticationFailed("Comic Vine: invalid API key", hint="Check the Comic Vine API key.")
        if code == RATE_LIMIT:
            raise RateLimited("Comic Vine: rate limit exceeded", retry_after=60.0)
        raise BadResponse(f"Comic Vine: error {code}: {data.get('error')}")

    def search(self, query: SearchQuery) -> list[BookRecord]:
        text = " ".join(t for t in (query.text, query.title, query.author) if t).strip()
        if not text:
            return []
        results = self._get("/search/", {"query": text, "resources": "volume", "limit": max(1, min(query.limit, 50))},
                            resource="search") or []
        if not isinstance(results, list):
            raise BadResponse("Comic Vine: search results are not a list")
        return [self._from_volume(v, rank) for rank, v in enumerate(results) if v.get("name")]

    def lookup(self, scheme: str, value: str) -> BookRecord | None:
        match = _CV_ID.match(clean_text(value))
        if scheme.lower() != "comicvine" or not match:
            return None
        if match.group(1) == "4000":
            issue = self._get(f"/issue/{value}/", resource="issue")
            return self._from_issue(issue) if isinstance(issue, dict) and issue else None
        volume = self._get(f"/volume/{value}/", resource="volume")
        return self._from_volume(volume, 0) if isinstance(volume, dict) and volume else None

    def series_books(self, query: CatalogueQuery) -> CatalogueListing | None:
        """A volume's issues: `/issues/?filter=volume:<id>`, page by page, in issue order."""
        match = _CV_ID.match(clean_text(query.series_id))
        if not match or match.group(1) != "4050":
            return None
        records: list[BookRecord] = []
        while len(records) < query.limit:
            data = self._get("/issues/", {"filter": f"volume:{match.group(2)}", "limit": ISSUES_PAGE,
                                          "offset": len(records)}, resource="issues", fresh=True) or []
            if not isinstance(data, list):
                raise BadResponse("Comic Vine: issue list results are not a list")
            records += [self._from_issue(i) for i in data if isinstance(i, dict) and i.get("id")]
            if len(data) < ISSUES_PAGE:
                break
        name = next((r.series for r in records if r.series), "")
        records.sort(key=lambda r: (r.series_index is None, r.series_index or 0.0, r.issue_number))
        return CatalogueListing(INFO.name, query.series_id, name, tuple(records[: query.limit]),
                                complete=len(records) <= query.limit)

    def author_works(self, query: CatalogueQuery) -> CatalogueListing | None:
        raise BadResponse("Comic Vine cannot list an author's works here")

    @staticmethod
    def _image(data: dict) -> str:
        image = data.get("image") or {}
        return image.get("original_url") or image.get("super_url") or image.get("medium_url") or ""

    def _from_volume(self, data: dict, rank: int) -> BookRecord:
        year = to_int(data.get("start_year"))  # a string in real replies
        external = f"4050-{data.get('id')}"
        return BookRecord(
            provider=INFO.name, external_id=external, kind="comic", title=clean_text(data.get("name")),
            series=clean_text(data.get("name")), publisher=clean_text((data.get("publisher") or {}).get("name")),
            year=year, published=str(year or ""), volume=str(year or ""),
            description=strip_html(data.get("description") or data.get("deck")),
            identifiers=(("comicvine", external),), cover_url=self._image(data),
            url=clean_text(data.get("site_detail_url")), confidence=max(0.5, 0.85 - 0.05 * rank),
        )

    def _from_issue(self, data: dict) -> BookRecord:
        volume = data.get("volume") or {}
        number = clean_text(data.get("issue_number"))
        published, year = parse_date(data.get("cover_date") or data.get("store_date"))
        credits = []
        for person in data.get("person_credits") or []:
            roles = [r.strip() for r in clean_text(person.get("role")).lower().split(",") if r.strip()]
            role = "writer" if any(r in WRITER_ROLES for r in roles) else (roles[0] if roles else "other")
            credits.append(AuthorRef(clean_text(person.get("name")), role=role,
                                     external_id=f"4040-{person.get('id')}"))
        try:
            index = float(number) if number else None
        except ValueError:
            index = None
        external = f"4000-{data.get('id')}"
        return BookRecord(
            provider=INFO.name, external_id=external, kind="comic",
            title=clean_text(data.get("name")) or f"{clean_text(volume.get('name'))} #{number}",
            authors=tuple(credits), series=clean_text(volume.get("name")), series_index=index, issue_number=number,
            published=published, year=year, description=strip_html(data.get("description") or data.get("deck")),
            identifiers=(("comicvine", external), ("comicvine_volume", f"4050-{volume.get('id')}")),
            cover_url=self._image(data), url=clean_text(data.get("site_detail_url")), confidence=0.95,
        )
