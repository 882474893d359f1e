"""Local fake Prowlarr and SABnzbd servers on 127.0.0.1 speaking the real endpoints and
reply shapes (Prowlarr v1 JSON; SABnzbd `api?mode=...` answering a wrong or missing key with
HTTP 403 and an HTML body, and a wrong base path with 404, as SABnzbd 5.0 does)."""

from __future__ import annotations

import json
import re
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

NZB = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE nzb PUBLIC "-//newzBin//DTD NZB 1.1//EN" "http://www.newzbin.com/DTD/nzb/nzb-1.1.dtd">
<nzb xmlns="http://www.newzbin.com/DTD/2003/nzb">
 <file poster="poster@example.org" date="1700000000" subject="&quot;{name}.epub&quot; yEnc (1/1)">
  <groups><group>alt.binaries.ebook</group></groups>
  <segments><segment bytes="20514" number="1">{guid}@example.org</segment></segments>
 </file>
</nzb>
"""


class _Server:
    def __init__(self, port: int = 0) -> None:
        handler = type("Handler", (_Handler,), {"fake": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)  # reuses a port (SO_REUSEADDR)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.requests: list[tuple[str, dict]] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self):
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def handle(self, method: str, path: str, query: dict, headers) -> tuple[int, str, bytes]:
        raise NotImplementedError


class _Handler(BaseHTTPRequestHandler):
    fake: _Server

    def log_message(self, *args) -> None:  # keep test output clean
        return

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        with self.fake.lock:
            self.fake.requests.append((parts.path, query))
            status, ctype, body = self.fake.handle("GET", parts.path, query, self.headers)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


# What SABnzbd 5.0 serves (HTTP 404) for a path it does not know, e.g. /sabnzbd/api without a url_base
_REDIRECT_PAGE = (
    b'<html><head><script type="text/javascript">window.location = "/"</script></head>'
    b'<body><a href="/">SABnzbd</a></body></html>'
)


def _json(data, status: int = 200) -> tuple[int, str, bytes]:
    return status, "application/json", json.dumps(data).encode()


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2 and w not in {"the", "and"}}


@dataclass
class FakeRelease:
    title: str
    guid: str
    protocol: str = "usenet"
    size: int = 2_000_000
    categories: tuple[int, ...] = (7020,)
    indexer_id: int = 1
    info_hash: str = ""
    seeders: int | None = None
    isbn: str = ""
    age_days: float = 10.0
    extra_words: str = ""  # words an indexer would match besides the title (e.g. description)


class FakeProwlarr(_Server):
    """`/api/v1/system/status`, `/api/v1/indexer`, `/api/v1/search`, `/{id}/download`."""

    def __init__(self, api_key: str = "prowlarr-key", releases: list[FakeRelease] | None = None) -> None:
        super().__init__()
        self.api_key = api_key
        self.releases = list(releases or [])
        self.fail_search = False
        self.torrent_book_params = ["q", "title", "author"]

    def _authorised(self, query: dict, headers) -> bool:
        return headers.get("X-Api-Key") == self.api_key or query.get("apikey", [""])[0] == self.api_key

    def handle(self, method, path, query, headers):
        download = re.fullmatch(r"/(\d+)/download", path)
        if download:
            guid = query.get("link", [""])[0]
            name = query.get("file", ["release"])[0]
            return 200, "application/x-nzb", NZB.format(name=name, guid=guid).encode()
        if not self._authorised(query, headers):
            return _json({"error": "Unauthorized"}, 401)
        if path == "/api/v1/system/status":
            return _json(
                {
                    "appName": "Prowlarr",
                    "instanceName": "Prowlarr",
                    "version": "1.30.2.4939",
                    "isDebug": False,
                    "authentication": "forms",
                    "urlBase": "",
                }
            )
        if path == "/api/v1/indexer":
            torrents = self._indexer(2, "FakeTorrents", "torrent")
            torrents["capabilities"]["bookSearchParams"] = self.torrent_book_params
            return _json([self._indexer(1, "FakeNZB", "usenet"), torrents])
        if path == "/api/v1/search":
            if self.fail_search:
                return _json({"message": "Search failed"}, 500)
            return _json(self._search(query))
        return _json({"message": "NotFound"}, 404)

    @staticmethod
    def _indexer(index: int, name: str, protocol: str) -> dict:
        return {
            "id": index,
            "name": name,
            "protocol": protocol,
            "enable": True,
            "priority": 25,
            "supportsSearch": True,
            "privacy": "private",
            "implementation": "Newznab",
            "fields": [],
            "tags": [],
            "capabilities": {
                "id": 0,
                "limitsMax": 100,
                "limitsDefault": 100,
                "supportsRawSearch": True,
                "categories": [
                    {
                        "id": 7000,
                        "name": "Books",
                        "subCategories": [{"id": 7020, "name": "Books/EBook", "subCategories": []}],
                    },
                    {
                        "id": 3000,
                        "name": "Audio",
                        "subCategories": [{"id": 3030, "name": "Audio/Audiobook", "subCategories": []}],
                    },
                ],
                "searchParams": ["q"],
                "bookSearchParams": ["q", "title", "author"],
            },
        }

    def _search(self, query: dict) -> list[dict]:
        text = query.get("query", [""])[0]
        text = re.sub(r"\{(title|author):([^}]*)\}", r" \2 ", text)
        categories = {int(c) for c in query.get("categories", []) if c.isdigit()}
        indexer_ids = {int(i) for i in query.get("indexerIds", []) if i.isdigit()}
        wanted = _words(text)
        results = []
        for release in self.releases:
            if categories and not categories & set(release.categories):
                continue
            if indexer_ids and release.indexer_id not in indexer_ids:
                continue
            haystack = _words(release.title + " " + release.extra_words) | (
                {release.isbn} if release.isbn else set()
            )
            if wanted and wanted <= haystack:
                results.append(self._resource(release))
        return results[: int(query.get("limit", ["100"])[0] or 100)]

    def _resource(self, r: FakeRelease) -> dict:
        link = f"{self.url}/{r.indexer_id}/download?apikey={self.api_key}&link={r.guid}&file={r.title}"
        data = {
            "id": 0,
            "guid": r.guid,
            "age": int(r.age_days),
            "ageHours": r.age_days * 24,
            "ageMinutes": r.age_days * 1440,
            "size": r.size,
            "files": 1,
            "grabs": 5,
            "indexerId": r.indexer_id,
            "indexer": "FakeNZB" if r.protocol == "usenet" else "FakeTorrents",
            "title": r.title,
            "sortTitle": r.title.lower(),
            "imdbId": 0,
            "tmdbId": 0,
            "tvdbId": 0,
            "tvMazeId": 0,
            "publishDate": "2024-05-01T10:00:00Z",
            "downloadUrl": link,
            "infoUrl": f"https://indexer.example/{r.guid}",
            "categories": [{"id": c, "name": "Books/EBook", "subCategories": []} for c in r.categories],
            "protocol": r.protocol,
            "fileName": r.title + (".nzb" if r.protocol == "usenet" else ".torrent"),
        }
        if r.protocol == "torrent":
            data.update(
                {
                    "infoHash": r.info_hash,
                    "seeders": r.seeders or 0,
                    "leechers": 1,
                    "magnetUrl": f"magnet:?xt=urn:btih:{r.info_hash}&dn={r.title}",
                }
            )
        return data


def write_epub(path: Path, title: str, author: str = "") -> Path:
    """A small but real EPUB 3 file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    creator = f"<dc:creator>{author}</dc:creator>" if author else ""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        zf.writestr(
            "META-INF/container.xml",
            '<?xml version="1.0"?><container version="1.0" '
            'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile '
            'full-path="content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>',
        )
        zf.writestr(
            "content.opf",
            f'<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" '
            f'version="3.0" unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<dc:identifier id="id">urn:uuid:fake</dc:identifier><dc:title>{title}</dc:title>'
            f"{creator}"
            f'<dc:language>en</dc:language></metadata><manifest><item id="c" href="c.xhtml" '
            f'media-type="application/xhtml+xml"/></manifest><spine><itemref idref="c"/></spine></package>',
        )
        zf.writestr(
            "c.xhtml", f"<html xmlns='http://www.w3.org/1999/xhtml'><body><p>{title}</p></body></html>"
        )
    return path


ARTICLE_BYTES = 716_800  # a usual yEnc part size
ARTICLE_HEADERS = 250  # =ybegin/=ypart/=yend lines and the NNTP headers of one article


def _posted_bytes(path: Path) -> int:
    """A file's size as posted to usenet, which is what SABnzbd counts in `bytes`: yEnc adds
    42 to every byte and escapes (two bytes) those that become NUL, LF, CR or '=', breaks
    lines at 128 characters (CRLF), and every article carries its headers."""
    data = path.read_bytes()
    body = len(data) + sum(data.count(bytes([(c - 42) % 256])) for c in (0, 10, 13, 61))
    articles = max(1, -(-len(data) // ARTICLE_BYTES))
    return body + 2 * -(-body // 128) + ARTICLE_HEADERS * articles


def posted_size(storage: Path) -> int:
    """What a real SABnzbd reports for a job whose files now lie at `storage`."""
    files = [storage] if storage.is_file() else [p for p in storage.rglob("*") if p.is_file()]
    return sum(_posted_bytes(f) for f in files)


@dataclass
class FakeJob:
    nzo_id: str
    name: str
    url: str
    category: str
    ticks: int = 0
    fail: bool = False
    storage: str = ""
    paused: bool = False


@dataclass
class FakeSabnzbd(_Server):
    """`/api?mode=version|get_cats|addurl|queue|history` (or `<base>/api`). Each `queue`
    request advances every job one tick: downloading -> history Completed with EMPTY storage
    (post-processing) -> file written into the completed folder and reported as storage."""

    complete_dir: Path = Path("/nonexistent")
    api_key: str = "sab-key"
    base_path: str = ""
    download_ticks: int = 1
    fail_words: tuple[str, ...] = ()
    jobs: dict[str, FakeJob] = field(default_factory=dict)
    # (title, author) of the book inside a job's download; default: the job name as title
    book_for_job: Callable[[str], tuple[str, str]] | None = None
    # writes a job's whole download (e.g. an audiobook folder or a comic) into the given folder
    # and returns the storage path; overrides the default single EPUB
    content_for_job: Callable[[str, Path], Path] | None = None
    # what history reports as the job's `bytes`, given the real posted size (a misreport)
    report_size: Callable[[int], int] | None = None
    # the categories SABnzbd has (a fresh real 5.0 install has "*", movies, tv, audio, software)
    categories: list[str] = field(default_factory=lambda: ["*", "books", "audiobooks", "comics"])
    # the completed folder as SABnzbd sees it (e.g. inside its container): reported in
    # get_config and in history's storage; the files are written under complete_dir
    client_complete_dir: str = ""

    # the port to listen on (0: any free one); a restarted server passes the old one
    port: int = 0
    # the whole queue is paused (SABnzbd's pause button): jobs stay in the queue, "paused": true
    paused: bool = False

    def __post_init__(self) -> None:
        super().__init__(self.port)
        self.counter = 0
        self.removed_from_history: list[str] = []

    def finish(self, nzo_id: str) -> None:
        """The job's download and post-processing are over: the next history shows it done."""
        self.jobs[nzo_id].ticks = self.download_ticks + 2

    def handle(self, method, path, query, headers):
        if path != f"{self.base_path}/api":  # SABnzbd 5.0: 404 with an HTML/JS redirect page
            return 404, "text/html;charset=utf-8", _REDIRECT_PAGE
        mode = query.get("mode", [""])[0]
        if mode == "version":  # needs no key
            return _json({"version": "4.3.3"})
        key = query.get("apikey", [""])[0]
        if not key:  # SABnzbd 5.0: HTTP 403, text/html, the bare message
            return 403, "text/html;charset=utf-8", b"API Key Required"
        if key != self.api_key:
            return 403, "text/html;charset=utf-8", b"API Key Incorrect"
        handler = getattr(self, f"_mode_{mode}", None)
        if handler is None:
            return _json({"status": False, "error": "not implemented"})
        return handler(query)

    def _mode_get_cats(self, query):
        return _json({"categories": list(self.categories)})

    def _mode_get_config(self, query):
        """As SABnzbd's get_dconfig: {"config": {section: {keyword: value}}} for one keyword."""
        section, keyword = query.get("section", [""])[0], query.get("keyword", [""])[0]
        if (section, keyword) != ("misc", "complete_dir"):
            return _json({"config": {}})
        return _json({"config": {"misc": {"complete_dir": self.client_complete_dir or str(self.complete_dir)}}})

    def _mode_set_config(self, query):
        """Only section=categories (the reply recorded from SABnzbd 5.0: set_config_cat_books.json)."""
        name = query.get("keyword", [""])[0] or query.get("name", [""])[0]
        if query.get("section", [""])[0] != "categories" or not name:
            return _json({"status": False, "error": "Config item does not exist"})
        if name not in self.categories:
            self.categories.append(name)
        entry = {"name": name, "order": len(self.categories) - 1, "pp": "", "script": "Default", "dir": name,
                 "newzbin": "", "priority": -100}
        return _json({"config": {"categories": [entry]}})

    def client_path(self, local: Path) -> str:
        """How SABnzbd names a path under complete_dir (its own view when client_complete_dir is set)."""
        if not self.client_complete_dir:
            return str(local)
        return self.client_complete_dir.rstrip("/") + "/" + local.relative_to(self.complete_dir).as_posix()

    def _mode_addurl(self, query):
        url = query.get("name", [""])[0]
        self.counter += 1
        nzo_id = f"SABnzbd_nzo_fake{self.counter:04d}"
        name = query.get("nzbname", [""])[0] or "download"
        job = FakeJob(nzo_id, name, url, query.get("cat", ["*"])[0])
        try:  # SABnzbd fetches the NZB itself
            body = httpx.get(url, timeout=5).text
            job.fail = "<nzb" not in body or any(w.lower() in name.lower() for w in self.fail_words)
        except httpx.HTTPError:
            job.fail = True
        self.jobs[nzo_id] = job
        return _json({"status": True, "nzo_ids": [nzo_id]})

    def _mode_queue(self, query):
        name, ids = query.get("name", [""])[0], query.get("value", [""])[0].split(",")
        if name == "delete":
            for nzo_id in ids:
                job = self.jobs.get(nzo_id)
                if job and job.ticks <= self.download_ticks:
                    del self.jobs[nzo_id]
            return _json({"status": True, "nzo_ids": ids})
        if name in ("pause", "resume"):
            for nzo_id in ids:
                if nzo_id in self.jobs:
                    self.jobs[nzo_id].paused = name == "pause"
            return _json({"status": True, "nzo_ids": ids})
        for job in self.jobs.values():
            if not (self.paused or job.paused) or job.ticks > self.download_ticks:
                job.ticks += 1
        slots = [
            self._queue_slot(j, i) for i, j in enumerate(self.jobs.values()) if j.ticks <= self.download_ticks
        ]
        return _json(
            {
                "queue": {
                    "version": "4.3.3",
                    "paused": self.paused,
                    "status": "Paused" if self.paused else "Downloading" if slots else "Idle",
                    "noofslots": len(slots),
                    "noofslots_total": len(slots),
                    "slots": slots,
                    "timeleft": "0:00:10",
                    "mbleft": "0.02",
                    "mb": "0.02",
                    "kbpersec": "100.0",
                }
            }
        )

    def _queue_slot(self, job: FakeJob, index: int) -> dict:
        percent = int(100 * job.ticks / (self.download_ticks + 1))
        return {
            "index": index,
            "nzo_id": job.nzo_id,
            "unpackopts": "3",
            "priority": "Normal",
            "script": "None",
            "filename": job.name,
            "labels": [],
            "password": "",
            "cat": job.category,
            "mbleft": "0.01",
            "mb": "0.02",
            "size": "20 KB",
            "sizeleft": "10 KB",
            "percentage": str(percent),
            "mbmissing": "0.00",
            "direct_unpack": None,
            # a paused job says Paused; in a paused queue every job keeps its own status (Queued)
            "status": "Paused" if job.paused else "Queued" if self.paused else "Downloading",
            "timeleft": "0:00:00" if self.paused or job.paused else "0:00:05",
            "avg_age": "10d",
        }

    def _mode_history(self, query):
        if query.get("name", [""])[0] == "delete":
            for nzo_id in query.get("value", [""])[0].split(","):
                job = self.jobs.get(nzo_id)
                if job and job.ticks > self.download_ticks:  # history delete leaves queued jobs alone
                    del self.jobs[nzo_id]
                    self.removed_from_history.append(nzo_id)
            return _json({"status": True})
        slots = [self._history_slot(j) for j in self.jobs.values() if j.ticks > self.download_ticks]
        return _json(
            {
                "history": {
                    "noofslots": len(slots),
                    "ppslots": 0,
                    "slots": slots,
                    "version": "4.3.3",
                    "total_size": "0",
                    "month_size": "0",
                    "week_size": "0",
                    "day_size": "0",
                    "last_history_update": 1,
                }
            }
        )

    def _write_download(self, job: FakeJob, folder: Path) -> Path:
        if self.content_for_job:
            return self.content_for_job(job.name, folder)
        title, author = self.book_for_job(job.name) if self.book_for_job else (job.name, "")
        return write_epub(folder / f"{job.name}.epub", title, author)

    def _reported_bytes(self, job: FakeJob) -> int:
        """The posted size of the job's files (the NZB's figure until they are written)."""
        posted = posted_size(Path(job.storage)) if job.storage else 20514
        return self.report_size(posted) if self.report_size else posted

    def _history_slot(self, job: FakeJob) -> dict:
        folder = self.complete_dir / job.category / job.name
        status, storage, fail = "Completed", "", ""
        if job.fail:
            status, storage = "Failed", str(self.complete_dir / "incomplete" / job.name)
            fail = "Aborted, cannot be completed - https://sabnzbd.org/not-complete"
        elif job.ticks > self.download_ticks + 1:  # post-processing done: the file is in place
            if not job.storage:
                job.storage = str(self._write_download(job, folder))
            storage = self.client_path(Path(job.storage))
        size = self._reported_bytes(job)
        return {
            "nzo_id": job.nzo_id,
            "name": job.name,
            "nzb_name": f"{job.name}.nzb",
            "category": job.category,
            "status": status,
            "storage": storage,
            "path": str(self.complete_dir / "incomplete" / job.name),
            "fail_message": fail,
            "bytes": size,
            "size": f"{size / 1024:.0f} KB",
            "url": job.url,
            "pp": "D",
            "script": "None",
            "completed": 1795322151,
            "download_time": 1,
            "postproc_time": 0,
            "stage_log": [],
            "action_line": "" if storage or job.fail else f"Moving: {job.name}.epub",
            "loaded": not storage,
        }
