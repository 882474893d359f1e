"""Local fake metadata providers on 127.0.0.1 serving the recorded replies in
tests/fixtures/{openlibrary,googlebooks,comicvine}. One HTTP server per provider, so one
can be stopped ("Open Library down") while the others keep answering.

Run `python -m tests.search.fakes` to serve them for manual UI testing; the base URLs
are printed and can be entered in Settings / admin (SearchProvider.base_url).

Replies are the recorded files verbatim, except: Open Library and Google Books searches
filter the recorded documents by the query words, Comic Vine's /search/ wraps the recorded
volume in the search envelope, and unknown ids get the recorded 'Object Not Found' reply.

The catalogue listings (monitored authors and series) come from a `FakeCatalogue` that tests
change between runs ("the author has a new book"): Open Library's `/authors/{OLID}/works.json`
entries and Comic Vine's `/issues/?filter=volume:<id>` issues are copies of the recorded ones
with another key, title and date; `/search.json?author=` answers the catalogue's authors in the
recorded search document's shape."""

from __future__ import annotations

import copy
import json
import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
COMICVINE_KEY = "fake-comicvine-key"
# A 1x1 PNG: enough for <img> tags and cover downloads.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def _json(data, status: int = 200) -> Reply:
    return Reply(status, json.dumps(data).encode())


def _load(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _fold(value: str) -> str:
    text = unicodedata.normalize("NFKD", value.casefold())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _words(value: str) -> list[str]:
    return [w for w in re.split(r"\W+", _fold(value)) if w]


def _matches(query: str, haystack: str) -> bool:
    words = _words(query)
    hay = set(_words(haystack))
    return bool(words) and all(w in hay for w in words)


class FakeServer:
    """One provider: routes a (path, query) to a Reply; failures can be injected."""

    def __init__(self, name: str, route: Callable[[str, dict[str, str]], Reply]) -> None:
        self.name = name
        self.route = route
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.forced: Reply | None = None
        self._server: ThreadingHTTPServer | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> FakeServer:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                fake.requests.append((parts.path, query))
                reply = fake.forced or fake.route(parts.path, query)
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True, name=f"fake-{self.name}").start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def fail(self, status: int, *, retry_after: int | None = None, body: str = "{}") -> None:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        self.forced = Reply(status, body.encode(), headers=headers)

    def heal(self) -> None:
        self.forced = None


# --- the catalogue: authors' works and series' issues, changeable between runs -------------------
RECORDED_AUTHOR = ("OL8263705A", "Helmholtz-Zentrum Potsdam Helmholtz-Zentrum Potsdam - Deutsches "
                   "GeoForschungsZentrum GFZ")  # the recorded works reply's author (sources.md)


class FakeCatalogue:
    def __init__(self) -> None:
        works = _load("openlibrary/author_works_OL8263705A_unattributed_jest_test.json")
        self.authors: dict[str, dict] = {RECORDED_AUTHOR[0]: {"name": RECORDED_AUTHOR[1],
                                                              "works": list(works["entries"])}}
        issues = _load("comicvine/issues_filter_volume_23437.json")
        self.volumes: dict[str, list[dict]] = {"23437": list(issues["results"])}

    def add_author(self, key: str, name: str) -> None:
        self.authors.setdefault(key, {"name": name, "works": []})

    def add_work(self, author_key: str, olid: str, title: str, *, first_publish_date: str = "",
                 subjects: tuple[str, ...] = ()) -> None:
        entry = copy.deepcopy(_load("openlibrary/author_works_OL8263705A_unattributed_jest_test.json")["entries"][0])
        entry.update({"key": f"/works/{olid}", "title": title, "subjects": list(subjects),
                      "authors": [{"type": {"key": "/type/author_role"}, "author": {"key": f"/authors/{author_key}"}}]})
        if first_publish_date:
            entry["first_publish_date"] = first_publish_date
        self.authors[author_key]["works"].append(entry)

    def add_issue(self, volume_id: str, issue_id: int, number: str, name: str, cover_date: str) -> None:
        issue = copy.deepcopy(_load("comicvine/issues_filter_volume_23437.json")["results"][0])
        issue.update({"id": issue_id, "issue_number": number, "name": name, "cover_date": cover_date,
                      "api_detail_url": f"https://comicvine.gamespot.com/api/issue/4000-{issue_id}/"})
        self.volumes.setdefault(volume_id, []).append(issue)

    def works_reply(self, key: str, query: dict[str, str]) -> Reply:
        author = self.authors.get(key)
        if author is None:
            return _json({"error": "notfound", "key": f"/authors/{key}"}, status=404)
        offset, limit = int(query.get("offset", 0)), int(query.get("limit", 50))
        links = {"self": f"/authors/{key}/works.json", "author": f"/authors/{key}"}
        if offset + limit < len(author["works"]):
            links["next"] = f"/authors/{key}/works.json?limit={limit}&offset={offset + limit}"
        return _json({"links": links, "size": len(author["works"]),
                      "entries": author["works"][offset: offset + limit]})

    def author_docs(self, name: str) -> list[dict]:
        return [{"key": w["key"], "title": w["title"], "author_name": [a["name"]], "author_key": [key]}
                for key, a in self.authors.items() if _matches(name, a["name"]) for w in a["works"]]

    def issues_reply(self, query: dict[str, str]) -> Reply:
        volume = query.get("filter", "").removeprefix("volume:")
        offset, limit = int(query.get("offset", 0)), int(query.get("limit", 100))
        issues = self.volumes.get(volume, [])
        envelope = _load("comicvine/issues_filter_volume_23437.json")
        return _json({**envelope, "limit": limit, "offset": offset,
                      "number_of_page_results": len(issues[offset: offset + limit]),
                      "number_of_total_results": len(issues), "results": issues[offset: offset + limit]})


# --- Open Library ----------------------------------------------------------------------------
def openlibrary_route(path: str, query: dict[str, str], catalogue: FakeCatalogue | None = None) -> Reply:
    if path.startswith("/covers/"):
        return Reply(200, PNG, "image/png")
    works = re.fullmatch(r"/authors/(OL\d+A)/works\.json", path)
    if works and catalogue is not None:
        return catalogue.works_reply(works.group(1), query)
    if path == "/search.json":
        data = _openlibrary_search(query)
        if catalogue is not None and query.get("author") and not query.get("title"):
            docs = catalogue.author_docs(query["author"]) + data["docs"]
            data = {**data, "num_found": len(docs), "numFound": len(docs), "docs": docs}
        return _json(data)
    if path == "/api/books":
        key = query.get("bibkeys", "")
        for name in ("api_books_bibkeys_ISBN9780316030571_jscmd_data_dkam-openlib.json",
                     "api_books_bibkeys_ISBN9782070427796_jscmd_data_bookwyrm.json"):
            data = _load(f"openlibrary/{name}")
            if key in data:
                return _json(data)
        return _json({})
    files = {"/works/OL15832982W.json": "work_OL15832982W_bookwyrm.json",
             "/works/OL7924103W.json": "work_OL7924103W_unattributed_notes.json",
             "/books/OL22951843M.json": "edition_OL22951843M_bookwyrm.json",
             "/authors/OL382982A.json": "author_OL382982A_legacy_mock_bookwyrm_test.json",
             "/authors/OL1394865A.json": "author_OL1394865A_unattributed_notes.json"}
    if path in files:
        return _json(_load(f"openlibrary/{files[path]}"))
    return _json({"error": "notfound", "key": path}, status=404)


def _openlibrary_search(query: dict[str, str]) -> dict:
    recorded = _load("openlibrary/search_q_time_war_bookwyrm.json")
    wanted = " ".join(query.get(k, "") for k in ("q", "title", "author", "isbn"))
    docs = [d for d in recorded["docs"]
            if _matches(wanted, " ".join([d.get("title", ""), *d.get("author_name", []), *d.get("isbn", [])]))]
    return {**recorded, "num_found": len(docs), "numFound": len(docs), "docs": docs}


# --- Google Books ------------------------------------------------------------------------------
GOOGLE_FILES = ("googlebooks/volumes_q_ISBN9786064312617_dune_ro_vae-victis.json",
                "googlebooks/volumes_q_isbn9784815602666_book-list.json")


def googlebooks_route(path: str, query: dict[str, str]) -> Reply:
    items = [item for name in GOOGLE_FILES for item in _load(name)["items"]]
    if path.startswith("/volumes/"):
        found = [i for i in items if i["id"] == path.rsplit("/", 1)[-1]]
        if found:
            return _json(found[0])
        return _json({"error": {"code": 404, "message": "The volume ID could not be found."}}, status=404)
    if path != "/volumes":
        return _json({"error": {"code": 404, "message": "Not Found"}}, status=404)
    q = query.get("q", "")
    if not q.strip():
        return _json({"error": {"code": 400, "message": "Missing query."}}, status=400)
    isbn = re.search(r"isbn:(\d{9,13}X?)", q, re.I)
    if isbn:
        hits = [i for i in items if isbn.group(1) in json.dumps(i)]
    else:
        text = re.sub(r"\b(intitle|inauthor):", " ", q)
        hits = [i for i in items if _matches(text, i["volumeInfo"]["title"] + " "
                                             + " ".join(i["volumeInfo"].get("authors", [])))]
    return _json({"kind": "books#volumes", "totalItems": len(hits), **({"items": hits} if hits else {})})


# --- Comic Vine ---------------------------------------------------------------------------------
def comicvine_route(path: str, query: dict[str, str], catalogue: FakeCatalogue | None = None) -> Reply:
    if query.get("api_key") != COMICVINE_KEY:
        return _json({"error": "Invalid API Key", "limit": 0, "offset": 0, "number_of_page_results": 0,
                      "number_of_total_results": 0, "status_code": 100, "results": []}, status=401)
    not_found = _load("comicvine/object_not_found.json")
    if path == "/issue/4000-140529/":
        return _json(_load("comicvine/issue_4000-140529.json"))
    if path == "/issues/" and catalogue is not None:
        return catalogue.issues_reply(query)
    if path == "/volume/4050-23437/":
        return _json(_load("comicvine/volume_4050-23437.json"))
    if path == "/search/":
        volume = _load("comicvine/volume_4050-23437.json")
        hits = [volume["results"]] if _matches(query.get("query", ""), volume["results"]["name"]) else []
        return _json({**volume, "limit": 10, "number_of_page_results": len(hits),
                      "number_of_total_results": len(hits), "results": hits})
    return _json(not_found)


class FakeProviders:
    """The three fake providers together: `fakes.openlibrary.stop()` takes one down."""

    def __init__(self) -> None:
        self.catalogue = FakeCatalogue()
        self.openlibrary = FakeServer("openlibrary", lambda p, q: openlibrary_route(p, q, self.catalogue))
        self.googlebooks = FakeServer("googlebooks", googlebooks_route)
        self.comicvine = FakeServer("comicvine", lambda p, q: comicvine_route(p, q, self.catalogue))

    @property
    def servers(self) -> dict[str, FakeServer]:
        return {"openlibrary": self.openlibrary, "googlebooks": self.googlebooks, "comicvine": self.comicvine}

    def start(self) -> FakeProviders:
        for server in self.servers.values():
            server.start()
        return self

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()

    def base_url(self, name: str) -> str:
        return self.servers[name].base_url


if __name__ == "__main__":  # pragma: no cover - manual use
    import logging
    import time

    logging.basicConfig(level=logging.INFO)
    fakes = FakeProviders().start()
    for provider, server in fakes.servers.items():
        logging.info("%s: %s", provider, server.base_url)
    logging.info("Comic Vine key: %s; covers: %s/covers", COMICVINE_KEY, fakes.openlibrary.base_url)
    while True:
        time.sleep(3600)


def aim_providers_at(fakes: FakeProviders, cache_dir, monkeypatch) -> None:
    """Point the seeded SearchProvider rows at the running fakes, with a private response cache
    and no retries (the live-providers fixtures of the search and reading-list tests)."""
    from search.models import SearchProvider
    from search.services import providers as provider_services

    provider_services.ensure_providers()
    monkeypatch.setattr(provider_services, "cache_path", lambda: cache_dir / "provider-cache.sqlite3")
    monkeypatch.setitem(provider_services.PROVIDER_OVERRIDES, "config", {"retries": 0, "backoff": 0.01,
                                                                          "timeout": 5.0})
    for name, server in fakes.servers.items():
        SearchProvider.objects.filter(name=name).update(
            base_url=server.base_url, rate_per_second=None,
            covers_base_url=f"{server.base_url}/covers" if name == "openlibrary" else "",
            api_key=COMICVINE_KEY if name == "comicvine" else "")
