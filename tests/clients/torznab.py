"""A fake Torznab indexer on 127.0.0.1 that answers like the recorded Jackett/Prowlarr replies
(tests/fixtures/torznab/): `t=caps`, `t=search`/`t=book` as an RSS feed with torznab:attr
seeders/peers/infohash and an enclosure of type application/x-bittorrent, and the .torrent
files themselves at their download links. A wrong API key gets Newznab error 100."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape, quoteattr

CAPS = """<?xml version="1.0" encoding="UTF-8"?>
<caps>
  <server version="1.0" title="Fake Torznab" />
  <limits max="100" default="100"/>
  <searching>
    <search available="yes" supportedParams="q" />
    <book-search available="yes" supportedParams="q,title,author" />
  </searching>
  <categories>
    <category id="7000" name="Books"><subcat id="7020" name="Books/EBook"/></category>
  </categories>
</caps>"""
ERROR_100 = '<?xml version="1.0" encoding="UTF-8"?>\n<error code="100" description="Invalid API Key" />'


@dataclass(frozen=True)
class TorrentRelease:
    title: str
    torrent: bytes
    info_hash: str
    size: int
    seeders: int = 1
    peers: int = 1


class FakeTorznab:
    def __init__(self, api_key: str = "torznab-key") -> None:
        self.api_key = api_key
        self.releases: list[TorrentRelease] = []
        self.requests: list[dict] = []
        handler = type("Handler", (_Handler,), {"fake": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> FakeTorznab:
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def answer(self, path: str, query: dict[str, str]) -> tuple[int, str, bytes]:
        if path.startswith("/download/"):
            index = path.removeprefix("/download/").removesuffix(".torrent")
            if index.isdigit() and int(index) < len(self.releases):
                return 200, "application/x-bittorrent", self.releases[int(index)].torrent
            return 404, "text/plain", b"Not found"
        if path != "/api":
            return 404, "text/plain", b"Not found"
        self.requests.append(query)
        if query.get("apikey") != self.api_key:
            return 200, "application/xml", ERROR_100.encode()
        if query.get("t") == "caps":
            return 200, "application/xml", CAPS.encode()
        return 200, "application/rss+xml; charset=utf-8", self.feed(query).encode()

    def feed(self, query: dict[str, str]) -> str:
        words = " ".join(query.get(k, "") for k in ("q", "title", "author")).lower().split()
        items = [self.item(n, r) for n, r in enumerate(self.releases) if all(w in r.title.lower() for w in words)]
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" '
            'xmlns:torznab="http://torznab.com/schemas/2015/feed">\n<channel>\n'
            f'<atom:link href="{self.url}/api" rel="self" type="application/rss+xml" />\n'
            "<title>Fake Torznab</title>\n" + "".join(items) + "</channel>\n</rss>\n"
        )

    def item(self, index: int, release: TorrentRelease) -> str:
        link = f"{self.url}/download/{index}.torrent"
        published = format_datetime(datetime.now(UTC) - timedelta(days=3))
        return f"""<item>
  <title>{escape(release.title)}</title>
  <guid>{escape(self.url)}/details/{index}</guid>
  <comments>{escape(self.url)}/details/{index}</comments>
  <pubDate>{published}</pubDate>
  <size>{release.size}</size>
  <link>{escape(link)}</link>
  <category>7020</category>
  <enclosure url={quoteattr(link)} length="{release.size}" type="application/x-bittorrent" />
  <torznab:attr name="category" value="7020" />
  <torznab:attr name="size" value="{release.size}" />
  <torznab:attr name="seeders" value="{release.seeders}" />
  <torznab:attr name="peers" value="{release.peers}" />
  <torznab:attr name="infohash" value="{release.info_hash}" />
  <torznab:attr name="downloadvolumefactor" value="1" />
  <torznab:attr name="uploadvolumefactor" value="1" />
</item>
"""


class _Handler(BaseHTTPRequestHandler):
    fake: FakeTorznab

    def log_message(self, *args) -> None:
        return

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        status, ctype, body = self.fake.answer(parts.path, query)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
