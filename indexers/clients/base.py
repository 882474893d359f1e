"""What every indexer client takes and returns: frozen dataclasses and one Protocol.
Clients import only `core` and this module; they never touch the ORM or settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

BOOK_CATEGORIES = {"ebook": (7020,), "audiobook": (3030,), "comic": (7030,)}


@dataclass(frozen=True)
class IndexerSettings:
    """Connection settings of one Prowlarr instance or plain Newznab/Torznab indexer."""

    name: str
    url: str  # scheme://host[:port]
    api_key: str
    base_path: str = ""  # e.g. "/prowlarr" behind a reverse proxy
    verify_ssl: bool = True
    timeout: float = 30.0
    indexer_ids: tuple[int, ...] = ()  # Prowlarr only: restrict to these indexers
    config_id: int | None = None  # the database row, for logs and results

    @property
    def base_url(self) -> str:
        path = "/" + self.base_path.strip("/") if self.base_path.strip("/") else ""
        return self.url.rstrip("/") + path


@dataclass(frozen=True)
class BookTerms:
    title: str = ""
    author: str = ""


@dataclass(frozen=True)
class SearchRequest:
    text: str
    categories: tuple[int, ...] = ()
    book: BookTerms | None = None  # structured book search where the indexer supports it
    limit: int = 100
    label: str = ""  # which query of the plan this is (isbn, title_author, ...)


@dataclass(frozen=True)
class Release:
    """One search result, whatever the indexer kind."""

    title: str
    guid: str
    protocol: str  # usenet | torrent | unknown
    indexer: str
    indexer_id: int | None = None
    download_url: str = ""
    magnet_url: str = ""
    info_url: str = ""
    size: int = 0
    publish_date: datetime | None = None
    age_days: float | None = None
    categories: tuple[int, ...] = ()
    seeders: int | None = None
    leechers: int | None = None
    grabs: int | None = None
    files: int | None = None
    info_hash: str = ""
    passworded: bool = False
    source_config_id: int | None = None
    attributes: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class ConnectionInfo:
    ok: bool
    name: str
    version: str = ""
    detail: str = ""


@dataclass(frozen=True)
class IndexerInfo:
    id: int | None
    name: str
    protocol: str
    enabled: bool = True
    priority: int | None = None
    categories: tuple[int, ...] = ()
    search_available: bool = True
    book_search_params: tuple[str, ...] = ()
    supports_raw_search: bool = True


@dataclass(frozen=True)
class DownloadLink:
    """Where a download client fetches a release from."""

    kind: str  # nzb_url | torrent_url | magnet
    url: str


class IndexerClient(Protocol):
    settings: IndexerSettings

    def test_connection(self) -> ConnectionInfo: ...

    def indexers(self) -> list[IndexerInfo]: ...

    def search(self, request: SearchRequest) -> list[Release]: ...

    def resolve_download(self, release: Release) -> DownloadLink: ...


def resolve_download_link(release: Release) -> DownloadLink:
    """Direct link, Prowlarr's proxied download link or magnet -> a validated `DownloadLink`."""
    from urllib.parse import urlsplit

    from core.errors import BadResponse

    def http_url(value: str) -> bool:
        parts = urlsplit(value)
        return parts.scheme in ("http", "https") and bool(parts.netloc)

    magnet = next((u for u in (release.magnet_url, release.download_url) if u.startswith("magnet:")), "")
    if release.protocol == "torrent" or magnet:
        if magnet:
            if "xt=urn:btih:" not in magnet:
                raise BadResponse(
                    f"{release.indexer}: magnet link without an info hash for {release.title!r}"
                )
            return DownloadLink("magnet", magnet)
        if http_url(release.download_url):
            return DownloadLink("torrent_url", release.download_url)
    elif http_url(release.download_url):
        return DownloadLink("nzb_url", release.download_url)
    raise BadResponse(
        f"{release.indexer}: release {release.title!r} has no usable download link "
        f"({release.download_url[:80]!r})"
    )
