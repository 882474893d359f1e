"""Prowlarr's v1 API: system status, the indexer list with capabilities, and search.
Field names follow Prowlarr's OpenAPI document (`ReleaseResource`, `IndexerResource`)."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

import httpx

from core.errors import BadResponse, OmniError, service_label
from core.http import HttpClient, HttpConfig
from indexers.clients.base import (
    ConnectionInfo,
    DownloadLink,
    IndexerInfo,
    IndexerSettings,
    Release,
    SearchRequest,
    resolve_download_link,
)

logger = logging.getLogger(__name__)


class ProwlarrClient:
    kind = "prowlarr"

    def __init__(self, settings: IndexerSettings, *, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self._http = HttpClient(
            HttpConfig(
                base_url=settings.base_url,
                service=service_label("Prowlarr", settings.name),
                timeout=settings.timeout,
                retries=1,
                headers={"X-Api-Key": settings.api_key, "Accept": "application/json"},
                verify_ssl=settings.verify_ssl,
            ),
            transport=transport,
        )
        self._indexers: list[IndexerInfo] | None = None

    def close(self) -> None:
        self._http.close()

    def test_connection(self) -> ConnectionInfo:
        data = self._json("/api/v1/system/status")
        if not isinstance(data, dict) or "version" not in data:
            raise BadResponse(
                f"Prowlarr ({self.settings.name}): /api/v1/system/status is not a status document",
                hint="Check the URL and base path: is this a Prowlarr server?",
            )
        return ConnectionInfo(
            ok=True, name=str(data.get("appName") or "Prowlarr"), version=str(data["version"])
        )

    def indexers(self) -> list[IndexerInfo]:
        data = self._json("/api/v1/indexer")
        if not isinstance(data, list):
            raise BadResponse(f"Prowlarr ({self.settings.name}): /api/v1/indexer did not return a list")
        return [_indexer_info(row) for row in data if isinstance(row, dict)]

    def search(self, request: SearchRequest) -> list[Release]:
        params: list[tuple[str, Any]] = [("type", "search"), ("limit", request.limit)]
        query = request.text
        if request.book and self._book_search_supported(request):
            params[0] = ("type", "book")
            terms = (("title", request.book.title), ("author", request.book.author))
            query = "".join(f"{{{key}:{value}}}" for key, value in terms if value)
        params.append(("query", query))
        params += [("categories", c) for c in request.categories]
        params += [("indexerIds", i) for i in self.settings.indexer_ids]
        logger.info(
            "Prowlarr (%s): search %s %r categories=%s",
            self.settings.name,
            request.label or "query",
            query,
            list(request.categories),
        )
        data = self._json("/api/v1/search", params=params)
        if not isinstance(data, list):
            raise BadResponse(f"Prowlarr ({self.settings.name}): /api/v1/search did not return a list")
        releases = [r for r in (self._release(row) for row in data if isinstance(row, dict)) if r is not None]
        logger.info("Prowlarr (%s): %s results (%s usable)", self.settings.name, len(data), len(releases))
        return releases

    def _book_search_supported(self, request: SearchRequest) -> bool:
        """Structured book search only when every indexer searched supports the terms used
        (Prowlarr skips indexers without book search for `type=book`)."""
        if self._indexers is None:
            try:
                self._indexers = self.indexers()
            except OmniError as exc:
                logger.info("Prowlarr (%s): indexer list unavailable (%s)", self.settings.name, exc)
                self._indexers = []
        chosen = [
            i
            for i in self._indexers
            if i.enabled and (not self.settings.indexer_ids or i.id in self.settings.indexer_ids)
        ]
        needed = {k for k, v in (("title", request.book.title), ("author", request.book.author)) if v}
        return bool(chosen) and all(needed <= set(i.book_search_params) for i in chosen)

    def resolve_download(self, release: Release) -> DownloadLink:
        link = resolve_download_link(release)
        logger.info(
            "Prowlarr (%s): %s for %r resolved to a %s",
            self.settings.name,
            release.guid,
            release.title,
            link.kind,
        )
        return link

    def _json(self, path: str, **kwargs: Any) -> Any:
        return self._http.get_json(path, **kwargs)

    def _release(self, row: dict) -> Release | None:
        title, guid = str(row.get("title") or "").strip(), str(row.get("guid") or "").strip()
        if not title or not guid:
            logger.warning("Prowlarr (%s): skipped a result without title or guid", self.settings.name)
            return None
        protocol = str(row.get("protocol") or "unknown").lower()
        return Release(
            title=title,
            guid=guid,
            protocol=protocol if protocol in ("usenet", "torrent") else "unknown",
            indexer=str(row.get("indexer") or self.settings.name),
            indexer_id=_int(row.get("indexerId")),
            download_url=str(row.get("downloadUrl") or ""),
            magnet_url=str(row.get("magnetUrl") or ""),
            info_url=str(row.get("infoUrl") or row.get("commentUrl") or ""),
            size=max(0, _int(row.get("size")) or 0),
            publish_date=_date(row.get("publishDate")),
            age_days=_age_days(row),
            categories=tuple(
                c["id"] for c in row.get("categories") or () if isinstance(c, dict) and "id" in c
            ),
            seeders=_int(row.get("seeders")),
            leechers=_int(row.get("leechers")),
            grabs=_int(row.get("grabs")),
            files=_int(row.get("files")),
            info_hash=_info_hash(row.get("infoHash")),
            source_config_id=self.settings.config_id,
            attributes={"indexerFlags": row.get("indexerFlags") or [], "fileName": row.get("fileName") or ""},
        )


def _indexer_info(row: dict) -> IndexerInfo:
    caps = row.get("capabilities") or {}
    return IndexerInfo(
        id=_int(row.get("id")),
        name=str(row.get("name") or ""),
        protocol=str(row.get("protocol") or "unknown"),
        enabled=bool(row.get("enable", True)),
        priority=_int(row.get("priority")),
        categories=tuple(_flatten_categories(caps.get("categories") or [])),
        search_available=bool(row.get("supportsSearch", True)),
        book_search_params=tuple(str(p).lower() for p in caps.get("bookSearchParams") or ()),
        supports_raw_search=bool(caps.get("supportsRawSearch", True)),
    )


def _flatten_categories(categories: list) -> list[int]:
    result: list[int] = []
    for category in categories:
        if isinstance(category, dict) and "id" in category:
            result.append(int(category["id"]))
            result += _flatten_categories(category.get("subCategories") or [])
    return result


def _info_hash(value: Any) -> str:
    text = str(value or "").strip().lower()
    return text if re.fullmatch(r"[0-9a-f]{40}|[a-z2-7]{32}", text) else ""


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None and value != "" else None
    except (TypeError, ValueError):
        return None


def _date(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def _age_days(row: dict) -> float | None:
    for key, divisor in (("ageMinutes", 1440.0), ("ageHours", 24.0), ("age", 1.0)):
        value = row.get(key)
        if isinstance(value, int | float):
            return round(float(value) / divisor, 3)
    return None
