"""Plain Newznab (usenet) and Torznab (torrent) indexers: XML caps and search.
`<error code="100" .../>` documents become `AuthenticationFailed` and friends."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from lxml import etree

from core.errors import (
    AuthenticationFailed,
    BadResponse,
    NotFound,
    OmniError,
    RateLimited,
    ServiceUnavailable,
    service_label,
)
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
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
_ATTR_TAGS = (
    "{http://www.newznab.com/DTD/2010/feeds/attributes/}attr",
    "{http://torznab.com/schemas/2015/feed}attr",
)


@dataclass(frozen=True)
class Caps:
    server_title: str
    server_version: str
    limit_max: int | None
    limit_default: int | None
    search_available: bool
    search_params: tuple[str, ...]
    book_search_available: bool
    book_search_params: tuple[str, ...]
    categories: tuple[int, ...]


def parse_xml(content: bytes | str, service: str) -> etree._Element:
    """Parse an indexer reply; raise the matching error for a Newznab `<error>` document."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        root = etree.fromstring(data.strip(), parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise BadResponse(
            f"{service}: reply is not XML ({exc})", details=data[:200].decode("utf-8", "replace")
        ) from exc
    if root.tag == "error":
        raise newznab_error(root.get("code", ""), root.get("description", ""), service)
    return root


def newznab_error(code: str, description: str, service: str) -> OmniError:
    message = f"{service}: error {code} {description}".strip()
    number = int(code) if code.isdigit() else 900
    if 100 <= number < 200:
        return AuthenticationFailed(message, hint=f"Check the {service} API key and account.")
    if number in (500, 501):
        return RateLimited(message)
    if number == 300:
        return NotFound(message)
    if 200 <= number < 300:
        return BadResponse(message)
    return ServiceUnavailable(message)


def parse_caps(root: etree._Element) -> Caps:
    if root.tag != "caps":
        raise BadResponse(f"expected <caps>, got <{root.tag}>")
    server, limits, searching = root.find("server"), root.find("limits"), root.find("searching")

    def search_mode(name: str) -> tuple[bool, tuple[str, ...]]:
        node = searching.find(name) if searching is not None else None
        if node is None:
            return False, ()
        params = tuple(
            p.strip().lower() for p in (node.get("supportedParams") or "q").split(",") if p.strip()
        )
        return node.get("available", "no").lower() == "yes", params

    search, search_params = search_mode("search")
    book, book_params = search_mode("book-search")
    categories = [int(c.get("id")) for c in root.iter("category", "subcat") if (c.get("id") or "").isdigit()]
    return Caps(
        server_title=(server.get("title") or "") if server is not None else "",
        server_version=(server.get("version") or "") if server is not None else "",
        limit_max=_int(limits.get("max")) if limits is not None else None,
        limit_default=_int(limits.get("default")) if limits is not None else None,
        search_available=search,
        search_params=search_params,
        book_search_available=book,
        book_search_params=book_params,
        categories=tuple(categories),
    )


def parse_items(
    root: etree._Element, *, indexer: str, default_protocol: str, config_id: int | None = None
) -> list[Release]:
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise BadResponse(f"{indexer}: expected an RSS feed, got <{root.tag}>")
    releases = []
    for item in channel.iter("item"):
        release = _item(item, indexer=indexer, default_protocol=default_protocol, config_id=config_id)
        if release is not None:
            releases.append(release)
    return releases


def _attrs(item: etree._Element) -> dict[str, list[str]]:
    attrs: dict[str, list[str]] = {}
    for tag in _ATTR_TAGS:
        for node in item.iter(tag):
            attrs.setdefault((node.get("name") or "").lower(), []).append(node.get("value") or "")
    return attrs


def _item(
    item: etree._Element, *, indexer: str, default_protocol: str, config_id: int | None
) -> Release | None:
    attrs = _attrs(item)
    first = lambda name: (attrs.get(name) or [""])[0]  # noqa: E731
    title = (item.findtext("title") or "").strip()
    guid = (item.findtext("guid") or first("guid")).strip()
    enclosure = item.find("enclosure")
    link = (enclosure.get("url") if enclosure is not None else "") or (item.findtext("link") or "")
    if not title or not guid:
        return None
    is_torrent = next(item.iter(_ATTR_TAGS[1]), None) is not None or link.startswith("magnet:")
    if enclosure is not None and "bittorrent" in (enclosure.get("type") or ""):
        is_torrent = True
    protocol = "torrent" if is_torrent else default_protocol
    seeders, peers = _int(first("seeders")), _int(first("peers"))
    leechers = _int(first("leechers"))
    if leechers is None and seeders is not None and peers is not None:
        leechers = max(0, peers - seeders)
    size = (
        _int(first("size"))
        or _int(item.findtext("size"))
        or (_int(enclosure.get("length")) if enclosure is not None else None)
        or 0
    )
    categories = [c for c in attrs.get("category", []) if c.isdigit()] or [
        c.text for c in item.findall("category") if (c.text or "").strip().isdigit()
    ]
    published = _rfc822(item.findtext("pubDate") or first("usenetdate"))
    return Release(
        title=title,
        guid=guid,
        protocol=protocol,
        indexer=indexer,
        download_url=link.strip(),
        magnet_url=first("magneturl"),
        info_url=(item.findtext("comments") or "").strip(),
        size=size,
        publish_date=published,
        age_days=_age(published),
        categories=tuple(int(c) for c in categories),
        seeders=seeders,
        leechers=leechers,
        grabs=_int(first("grabs")) or _int(item.findtext("grabs")),
        files=_int(first("files")) or _int(item.findtext("files")),
        info_hash=_info_hash(first("infohash")),
        passworded=first("password") not in ("", "0"),
        source_config_id=config_id,
        attributes={
            k: v[0] if len(v) == 1 else v for k, v in attrs.items() if k in ("author", "booktitle", "group")
        },
    )


class NewznabClient:
    kind = "newznab"
    protocol = "usenet"

    def __init__(self, settings: IndexerSettings, *, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self.service = service_label(self.kind.capitalize(), settings.name)
        self._http = HttpClient(
            HttpConfig(
                base_url=settings.base_url,
                service=self.service,
                timeout=settings.timeout,
                retries=1,
                params={"apikey": settings.api_key},
                verify_ssl=settings.verify_ssl,
            ),
            transport=transport,
        )
        self._caps: Caps | None = None

    def close(self) -> None:
        self._http.close()

    def caps(self) -> Caps:
        if self._caps is None:
            self._caps = parse_caps(self._get({"t": "caps"}))
        return self._caps

    def test_connection(self) -> ConnectionInfo:
        caps = self.caps()
        self._get({"t": "search", "q": "test", "limit": 1})  # caps is often public; search proves the key
        return ConnectionInfo(
            ok=True, name=caps.server_title or self.settings.name, version=caps.server_version
        )

    def indexers(self) -> list[IndexerInfo]:
        caps = self.caps()
        return [
            IndexerInfo(
                id=None,
                name=self.settings.name,
                protocol=self.protocol,
                categories=caps.categories,
                search_available=caps.search_available,
                book_search_params=caps.book_search_params if caps.book_search_available else (),
            )
        ]

    def search(self, request: SearchRequest) -> list[Release]:
        params: dict[str, Any] = {"t": "search", "q": request.text, "extended": 1, "limit": request.limit}
        if request.book and self._book_search_supported(request):
            params = {"t": "book", "extended": 1, "limit": request.limit}
            params.update(
                {k: v for k, v in (("title", request.book.title), ("author", request.book.author)) if v}
            )
        if request.categories:
            params["cat"] = ",".join(str(c) for c in request.categories)
        logger.info(
            "%s: search %s %s",
            self.service,
            request.label or "query",
            {k: v for k, v in params.items() if k != "limit"},
        )
        releases = parse_items(
            self._get(params),
            indexer=self.settings.name,
            default_protocol=self.protocol,
            config_id=self.settings.config_id,
        )
        logger.info("%s: %s results", self.service, len(releases))
        return releases

    def resolve_download(self, release: Release) -> DownloadLink:
        link = resolve_download_link(release)
        logger.info("%s: %r resolved to a %s", self.service, release.title, link.kind)
        return link

    def _book_search_supported(self, request: SearchRequest) -> bool:
        try:
            caps = self.caps()
        except OmniError as exc:
            logger.info("%s: caps unavailable (%s); using free-text search", self.service, exc)
            return False
        wanted = {k for k, v in (("title", request.book.title), ("author", request.book.author)) if v}
        return caps.book_search_available and wanted <= set(caps.book_search_params)

    def _get(self, params: dict[str, Any]) -> etree._Element:
        return parse_xml(self._http.request("GET", "/api", params=params).content, self.service)


class TorznabClient(NewznabClient):
    kind = "torznab"
    protocol = "torrent"


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip()) if value not in (None, "") else None
    except ValueError:
        return None


def _info_hash(value: str) -> str:
    value = value.strip().lower()
    return value if re.fullmatch(r"[0-9a-f]{40}|[a-z2-7]{32}", value) else ""


def _rfc822(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _age(published: datetime | None) -> float | None:
    if published is None:
        return None
    return round(max(0.0, (datetime.now(UTC) - published).total_seconds() / 86400), 3)
