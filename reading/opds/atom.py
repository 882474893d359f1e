"""OPDS 1.2: a feed (reading.opds.model) as an Atom document, and the OpenSearch description."""

from __future__ import annotations

import re
from datetime import datetime

from lxml import etree

from reading.opds.model import Feed, Link, NavigationEntry, Publication

ATOM = "http://www.w3.org/2005/Atom"
NAMESPACES = {
    None: ATOM,
    "dc": "http://purl.org/dc/terms/",
    "opds": "http://opds-spec.org/2010/catalog",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
    "thr": "http://purl.org/syndication/thread/1.0",
    "pse": "http://vaemendis.net/opds-pse/ns",
    "schema": "http://schema.org/",
}
OPENSEARCH_NS = NAMESPACES["opensearch"]
FEED_TYPE = "application/atom+xml;profile=opds-catalog"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0


def _q(prefix: str | None, name: str) -> str:
    return f"{{{NAMESPACES[prefix]}}}{name}"


def _text(value: str) -> str:
    return _CONTROL.sub("", value)


def _date(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _add(parent, prefix: str | None, name: str, text: str | None = None, **attributes: str):
    element = etree.SubElement(parent, _q(prefix, name), {k: _text(v) for k, v in attributes.items()})
    if text is not None:
        element.text = _text(text)
    return element


def _link(parent, link: Link) -> None:
    element = _add(parent, None, "link", rel=link.rel, href=link.href, type=link.type)
    if link.title:
        element.set("title", _text(link.title))
    if link.length:
        element.set("length", str(link.length))
    if link.count is not None:
        element.set(_q("thr", "count"), str(link.count))
    if link.facet_group:
        element.set(_q("opds", "facetGroup"), link.facet_group)
        if link.active:
            element.set(_q("opds", "activeFacet"), "true")
    if link.pse_count is not None:
        element.set(_q("pse", "count"), str(link.pse_count))
        if link.pse_last_read is not None:
            element.set(_q("pse", "lastRead"), str(link.pse_last_read))
            element.set(_q("pse", "lastReadDate"), _date(link.pse_last_read_at))


def _navigation_entry(parent, entry: NavigationEntry, updated: str) -> None:
    element = _add(parent, None, "entry")
    _add(element, None, "title", entry.title)
    _add(element, None, "id", entry.id)
    _add(element, None, "updated", updated)
    _add(element, None, "content", entry.summary or entry.title, type="text")
    _link(element, entry.link)


def _publication(parent, publication: Publication) -> None:
    entry = _add(parent, None, "entry")
    _add(entry, None, "title", publication.title)
    _add(entry, None, "id", publication.id)
    _add(entry, None, "updated", _date(publication.updated))
    for person in publication.people:
        element = _add(entry, None, "author" if person.role == "author" else "contributor")
        _add(element, None, "name", person.name)
        if person.href:
            _add(element, None, "uri", person.href)
    if publication.isbn:
        _add(entry, "dc", "identifier", f"urn:isbn:{publication.isbn}")
    for prefix, name, value in (
        ("dc", "language", publication.language),
        ("dc", "publisher", publication.publisher),
        ("dc", "issued", publication.published),
    ):
        if value:
            _add(entry, prefix, name, value)
    for category in publication.categories:
        _add(entry, None, "category", term=category, label=category)
    if publication.series:
        series = _add(entry, "schema", "Series")
        series.set(_q("schema", "name"), _text(publication.series.name))
        series.set(_q("schema", "url"), publication.series.href)
        if publication.series.position is not None:
            series.set(_q("schema", "position"), f"{publication.series.position:g}")
    summary = publication.summary or publication.subtitle
    if summary:
        _add(entry, None, "summary", summary, type="text")
    for link in (*publication.images, *publication.links):
        _link(entry, link)


def render(feed: Feed) -> bytes:
    root = etree.Element(_q(None, "feed"), nsmap=NAMESPACES)
    _add(root, None, "id", feed.id)
    _add(root, None, "title", feed.title)
    _add(root, None, "updated", _date(feed.updated))
    author = _add(root, None, "author")
    _add(author, None, "name", "OmniReadarr")
    if feed.paging is not None:
        if feed.paging.total is not None:
            _add(root, "opensearch", "totalResults", str(feed.paging.total))
        _add(root, "opensearch", "itemsPerPage", str(feed.paging.size))
        _add(root, "opensearch", "startIndex", str((feed.paging.number - 1) * feed.paging.size + 1))
    for link in (*feed.links, *feed.facets):
        _link(root, link)
    updated = _date(feed.updated)
    for entry in feed.entries:
        _navigation_entry(root, entry, updated)
    for publication in feed.publications:
        _publication(root, publication)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def opensearch_description(template: str) -> bytes:
    """The OpenSearch 1.1 description document: its Url answers with an OPDS acquisition feed."""
    root = etree.Element(f"{{{OPENSEARCH_NS}}}OpenSearchDescription", nsmap={None: OPENSEARCH_NS})
    for name, text in (
        ("ShortName", "OmniReadarr"),
        ("Description", "Search the OmniReadarr library"),
        ("InputEncoding", "UTF-8"),
        ("OutputEncoding", "UTF-8"),
    ):
        etree.SubElement(root, f"{{{OPENSEARCH_NS}}}{name}").text = text
    etree.SubElement(root, f"{{{OPENSEARCH_NS}}}Url", type=FEED_TYPE + ";kind=acquisition", template=template)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
