"""What the OPDS tests check in every feed: OPDS 1.2 element by element (Atom RFC 4287 + OPDS 1.2
requirements), OPDS 2.0 against the official JSON Schemas with every $ref resolved to the copies in
tests/fixtures/opds/ (no network)."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema_rs
from lxml import etree

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "opds"
SCHEMA_HOMES = {
    "https://readium.org/webpub-manifest/schema/": FIXTURES / "webpub-manifest" / "schema",
    "https://specs.opds.io/schema/": FIXTURES / "opds-specs" / "schema",
    "https://drafts.opds.io/schema/": FIXTURES / "opds-specs" / "schema",
}
NS = {
    "a": "http://www.w3.org/2005/Atom",
    "dc": "http://purl.org/dc/terms/",
    "opds": "http://opds-spec.org/2010/catalog",
    "os": "http://a9.com/-/spec/opensearch/1.1/",
    "thr": "http://purl.org/syndication/thread/1.0",
    "pse": "http://vaemendis.net/opds-pse/ns",
    "schema": "http://schema.org/",
}
NAVIGATION = "application/atom+xml;profile=opds-catalog;kind=navigation"
ACQUISITION = "application/atom+xml;profile=opds-catalog;kind=acquisition"
ACQUIRE = "http://opds-spec.org/acquisition"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def _resources() -> list[tuple[str, dict]]:
    """Every local schema under each URI it is referred to by."""
    return [
        (prefix + path.relative_to(home).as_posix(), json.loads(path.read_text()))
        for prefix, home in SCHEMA_HOMES.items()
        for path in sorted(home.rglob("*.schema.json"))
    ]


@functools.cache
def feed_validator():
    schema = json.loads((FIXTURES / "opds-specs" / "schema" / "feed.schema.json").read_text())
    registry = jsonschema_rs.Registry(_resources())
    return jsonschema_rs.validator_for(schema, registry=registry, validate_formats=True)


def opds2_errors(document: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in feed_validator().iter_errors(document)]


def parse_atom(response) -> etree._Element:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/atom+xml;profile=opds-catalog")
    return etree.fromstring(response.content)


def _links(element, rel: str | None = None) -> list:
    found = element.findall("a:link", NS)
    return [link for link in found if rel is None or link.get("rel") == rel]


def _absolute(href: str) -> bool:
    parts = urlsplit(href)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def atom_problems(feed) -> list[str]:
    """Everything RFC 4287 and OPDS 1.2 require of a catalogue feed that this one lacks."""
    problems = []
    if feed.tag != f"{{{NS['a']}}}feed":
        return [f"root is {feed.tag}, not atom:feed"]
    for name in ("id", "title", "updated"):
        if len(feed.findall(f"a:{name}", NS)) != 1:
            problems.append(f"feed needs exactly one atom:{name}")
    if not RFC3339.match(feed.findtext("a:updated", "", NS)):
        problems.append("feed updated is not an RFC 3339 date")
    if not feed.findall("a:author/a:name", NS):
        problems.append("feed without entries' authors needs an atom:author")
    for rel in ("self", "start"):
        if len(_links(feed, rel)) != 1:
            problems.append(f"feed needs one {rel} link")
    search = _links(feed, "search")
    if not search or search[0].get("type") != "application/opensearchdescription+xml":
        problems.append("search link must be an OpenSearch description")
    for link in _links(feed):
        if not link.get("type") or not _absolute(link.get("href", "")):
            problems.append(f"feed link {link.get('rel')} lacks a type or an absolute href")
    kinds = set()
    for entry in feed.findall("a:entry", NS):
        problems += _entry_problems(entry)
        kinds.add(
            "acquisition" if any(link.get("rel", "").startswith(ACQUIRE) for link in _links(entry)) else "navigation"
        )
    if len(kinds) > 1:
        problems.append("a feed is either navigation or acquisition, not both")
    self_type = _links(feed, "self")[0].get("type") if _links(feed, "self") else ""
    if kinds and self_type != (ACQUISITION if kinds == {"acquisition"} else NAVIGATION):
        problems.append(f"self link type {self_type} does not match the entries ({kinds})")
    if kinds == {"navigation"} and _links(feed, "http://opds-spec.org/facet"):
        problems.append("facets only belong in acquisition feeds")
    return problems


def _entry_problems(entry) -> list[str]:
    title = entry.findtext("a:title", "", NS)
    problems = [
        f"entry {title!r} needs one atom:{name}"
        for name in ("id", "title", "updated")
        if len(entry.findall(f"a:{name}", NS)) != 1
    ]
    if not RFC3339.match(entry.findtext("a:updated", "", NS)):
        problems.append(f"entry {title!r} updated is not an RFC 3339 date")
    if entry.findall("dc:title", NS):
        problems.append("entries must not use dc:title")
    links = _links(entry)
    if not links:
        problems.append(f"entry {title!r} has no link")
    for link in links:
        if not link.get("type") or not link.get("href"):
            problems.append(f"entry {title!r} link {link.get('rel')} lacks type or href")
    acquisitions = [link for link in links if link.get("rel", "").startswith(ACQUIRE)]
    if acquisitions:
        if not entry.findall("a:author/a:name", NS):
            problems.append(f"publication {title!r} has no atom:author")
        for summary in entry.findall("a:summary", NS):
            if summary.get("type") != "text" or len(summary):
                problems.append(f"publication {title!r} summary must be type=text without child elements")
        for image in links:
            if image.get("rel", "").startswith("http://opds-spec.org/image") and image.get("type") not in (
                "image/jpeg",
                "image/png",
                "image/gif",
            ):
                problems.append(f"publication {title!r} image type {image.get('type')}")
    else:
        if not (entry.findall("a:content", NS) or entry.findall("a:summary", NS)):
            problems.append(f"navigation entry {title!r} needs content (RFC 4287 4.1.2)")
        if links[0].get("type") not in (NAVIGATION, ACQUISITION) if links else True:
            problems.append(f"navigation entry {title!r} must link a catalogue feed type")
    return problems


def links_by_rel(element, rel: str) -> list:
    return _links(element, rel)
