"""OPDS 2.0: a feed (reading.opds.model) as an `application/opds+json` document, valid against the
official JSON Schemas (tests/fixtures/opds/)."""

from __future__ import annotations

import re
from datetime import datetime

from reading.opds.model import Feed, Link, NavigationEntry, Publication

SCHEMA_TYPES = {
    "ebook": "http://schema.org/Book",
    "audiobook": "http://schema.org/Audiobook",
    "comic": "http://schema.org/ComicIssue",
}
ROLES = {
    "author": "author",
    "narrator": "narrator",
    "editor": "editor",
    "translator": "translator",
    "illustrator": "illustrator",
}
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _link(link: Link) -> dict:
    data: dict = {"href": link.href, "type": link.type}
    if link.rel:
        data["rel"] = link.rel
    if link.title:
        data["title"] = link.title
    if link.templated:
        data["templated"] = True
    if link.length:
        data["size"] = link.length
    if link.count is not None:
        data["properties"] = {"numberOfItems": link.count}
    return data


def _navigation(entry: NavigationEntry) -> dict:
    return {**_link(entry.link), "title": entry.title}


def _people(publication: Publication, metadata: dict) -> None:
    for person in publication.people:
        role = ROLES.get(person.role, "contributor")
        data: dict = {"name": person.name}
        if person.sort_as:
            data["sortAs"] = person.sort_as
        if person.href:
            data["links"] = [{"href": person.href, "type": "application/opds+json"}]
        metadata.setdefault(role, []).append(data)


def _metadata(publication: Publication) -> dict:
    metadata: dict = {
        "@type": SCHEMA_TYPES.get(publication.kind, SCHEMA_TYPES["ebook"]),
        "title": publication.title,
        "identifier": f"urn:isbn:{publication.isbn}" if publication.isbn else publication.id,
        "modified": _date(publication.updated),
    }
    optional = {
        "sortAs": publication.sort_as,
        "subtitle": publication.subtitle,
        "description": publication.summary,
        "language": publication.language if _LANGUAGE.match(publication.language) else "",
        "publisher": publication.publisher,
        "published": publication.published if _DATE.match(publication.published) else "",
        "numberOfPages": publication.pages,
        "duration": publication.duration,
    }
    metadata.update({key: value for key, value in optional.items() if value})
    _people(publication, metadata)
    if publication.categories:
        metadata["subject"] = [{"name": name} for name in publication.categories]
    if publication.series:
        series: dict = {
            "name": publication.series.name,
            "links": [{"href": publication.series.href, "type": "application/opds+json"}],
        }
        if publication.series.position is not None:
            series["position"] = publication.series.position
        metadata["belongsTo"] = {"series": [series]}
    return metadata


def _publication(publication: Publication) -> dict:
    data = {"metadata": _metadata(publication), "links": [_link(link) for link in publication.links]}
    if publication.images:
        data["images"] = [_link(image) for image in publication.images]
    return data


def _facets(links: tuple[Link, ...]) -> list[dict]:
    groups: dict[str, list[dict]] = {}
    for link in links:
        data = _link(link)
        data["rel"] = "self" if link.active else link.rel
        groups.setdefault(link.facet_group, []).append(data)
    return [{"metadata": {"title": group}, "links": entries} for group, entries in groups.items()]


def render(feed: Feed) -> dict:
    metadata: dict = {"title": feed.title, "identifier": feed.id, "modified": _date(feed.updated)}
    if feed.paging is not None:
        metadata |= {"itemsPerPage": feed.paging.size, "currentPage": feed.paging.number}
        if feed.paging.total is not None:
            metadata["numberOfItems"] = feed.paging.total
    document: dict = {"metadata": metadata, "links": [_link(link) for link in feed.links]}
    if feed.entries:
        document["navigation"] = [_navigation(entry) for entry in feed.entries]
    if feed.publications:
        document["publications"] = [_publication(p) for p in feed.publications]
    if feed.facets:
        document["facets"] = _facets(feed.facets)
    if not (feed.entries or feed.publications):  # the schema wants one collection: lead back home
        start = next(link for link in feed.links if link.rel == "start")
        document["navigation"] = [{**_link(start), "title": "Nothing here yet: back to the catalogue"}]
    return document
