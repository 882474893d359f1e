"""OPF package documents (EPUB 2 and 3, calibre's metadata.opf sidecars): Dublin Core,
creators with roles and file-as, identifiers, calibre and EPUB3 series, cover reference."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree

from scanning.extractors import common
from scanning.extractors.base import ExtractedMetadata, Person, build
from scanning.extractors.safety import parse_xml

_ROLES = {
    "aut": "author",
    "nrt": "narrator",
    "edt": "editor",
    "trl": "translator",
    "ill": "illustrator",
    "art": "illustrator",
    "pbl": "",
    "bkp": "",
}
_ISBN_TEXT = re.compile(r"(?:97[89][\d\- ]{10,14}|\b\d[\d\- ]{8,11}[\dXx]\b)")


_LOCAL_NAMES: dict[str, str] = {}  # tag -> local name: a handful of tags repeat in every file
_LOCAL_NAMES_MAX = 1024  # a hostile file with endless distinct tags cannot grow it further


def _local_name(tag: str) -> str:
    """'{ns}creator' and 'dc:creator' (an undeclared prefix read in recover mode) -> 'creator'."""
    if "}" in tag:
        tag = tag[tag.index("}") + 1 :]
    return tag[tag.index(":") + 1 :] if ":" in tag else tag


def _local(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = _local_name(tag)
        if len(_LOCAL_NAMES) < _LOCAL_NAMES_MAX:
            _LOCAL_NAMES[tag] = name
    return name


def _attr_name(key: str) -> str:
    """'role', 'opf:role' and '{http://www.idpf.org/2007/opf}role' -> 'role'."""
    if "}" in key or ":" in key:
        return key.rsplit("}", 1)[-1].rsplit(":", 1)[-1]
    return key


def _attributes(el: etree._Element) -> dict[str, str]:
    """Stripped values by local name; when two share one ('role' and 'opf:role'), the first wins."""
    found: dict[str, str] = {}
    for key, value in el.items():
        name = _attr_name(key)
        if name not in found:
            found[name] = value.strip()
    return found


def _attr(el: etree._Element, name: str) -> str:
    for key, value in el.items():
        if _attr_name(key) == name:
            return value.strip()
    return ""


def _text(el: etree._Element) -> str:
    if len(el) == 0:  # no children: itertext() would yield the element's own text only
        return common.clean_text(el.text or "", 20_000)
    return common.clean_text("".join(t for t in el.itertext() if isinstance(t, str)), 20_000)


class _Node:
    """A child of <metadata> with its local name, attributes and text worked out once."""

    __slots__ = ("attrs", "name", "text")

    def __init__(self, el: etree._Element) -> None:
        self.name = _local(el)
        self.attrs = _attributes(el)
        self.text = _text(el)

    def attr(self, name: str) -> str:
        return self.attrs.get(name, "")


@dataclass(frozen=True)
class OpfDocument:
    metadata: ExtractedMetadata
    cover_href: str  # relative to the OPF, '' if none declared
    cover_page_href: str  # guide/landmark cover page (XHTML) when no image is declared


@dataclass(frozen=True)
class OpfFields:
    """What an OPF says, before `build` makes it an `ExtractedMetadata` (the EPUB reader
    adds the cover first, so the metadata is made once)."""

    values: Mapping[str, object]  # keyword arguments for `build`
    warnings: tuple[str, ...]
    cover_href: str
    cover_page_href: str


class _Meta:
    """Index of <metadata>: children by local name, refinements by id, named metas, EPUB3 properties."""

    def __init__(self, metadata_el: etree._Element) -> None:
        self.refines: dict[str, dict[str, str]] = {}
        self.named: list[tuple[str, str]] = []
        self.props: list[_Node] = []
        self.nodes = [_Node(el) for el in metadata_el]
        self.children: dict[str, list[_Node]] = {}
        for node in self.nodes:
            self.children.setdefault(node.name, []).append(node)
        for node in self.children.get("meta", ()):
            refines = node.attr("refines").lstrip("#")
            prop = node.attr("property")
            if refines and prop:
                self.refines.setdefault(refines, {}).setdefault(prop, node.text)
            elif prop:
                self.props.append(node)
            elif node.attr("name"):
                self.named.append((node.attr("name"), node.attr("content")))

    def name(self, key: str) -> str:
        return next((v for k, v in self.named if k == key and v), "")

    def refined(self, node: _Node) -> dict[str, str]:
        return self.refines.get(node.attr("id"), {})

    def texts(self, name: str) -> list[str]:
        """Non-empty texts of the children called `name`, in document order."""
        return [node.text for node in self.children.get(name, ()) if node.text]


def _people(meta: _Meta) -> tuple[Person, ...]:
    people: list[Person] = []
    for node in meta.nodes:
        if node.name not in ("creator", "contributor"):
            continue  # one pass keeps creators and contributors in document order
        refined = meta.refined(node)
        code = (node.attr("role") or refined.get("role", "")).lower()
        role = _ROLES.get(code, "author" if node.name == "creator" and not code else "")
        if node.text and role:
            file_as = node.attr("file-as") or refined.get("file-as", "")
            people.append(Person(name=node.text, role=role, file_as=file_as))
    return tuple(people)


def _identifiers(meta: _Meta) -> tuple[tuple[tuple[str, str], ...], str]:
    found: list[tuple[str, str]] = []
    isbn13 = ""
    for node in meta.children.get("identifier", ()):
        value, scheme = node.text, node.attr("scheme").lower()
        low = value.lower()
        if low.startswith("urn:isbn:") or scheme == "isbn" or (not scheme and _ISBN_TEXT.fullmatch(value)):
            candidate = common.isbn_from(value)
            if candidate:
                isbn13 = isbn13 or candidate
                found.append(("isbn13", candidate))
            continue
        if low.startswith("urn:uuid:") or scheme == "uuid":
            found.append(("uuid", value.split(":")[-1]))
        elif scheme in ("amazon", "asin", "mobi-asin") or low.startswith("urn:asin:"):
            found.append(("asin", value.split(":")[-1]))
        elif scheme in ("google", "goodreads", "openlibrary", "calibre", "isfdb", "comicvine"):
            found.append((scheme, value))
    return tuple(dict.fromkeys(found)), isbn13


def _series(meta: _Meta) -> tuple[str, float | None]:
    for node in meta.props:
        if node.attr("property") == "belongs-to-collection":
            refined = meta.refined(node)
            if refined.get("collection-type", "series") == "series" and node.text:
                return node.text, common.parse_number(refined.get("group-position"))
    series = meta.name("calibre:series")
    index = common.parse_number(meta.name("calibre:series_index")) if series else None
    return series, index


def _title(meta: _Meta) -> tuple[str, str]:
    titles = [node for node in meta.children.get("title", ()) if node.text]
    main = next((n for n in titles if meta.refined(n).get("title-type") == "main"), titles[0] if titles else None)
    subtitle = next((n.text for n in titles if meta.refined(n).get("title-type") == "subtitle"), "")
    return (main.text if main is not None else ""), subtitle


def _first(meta: _Meta, name: str) -> str:
    return next(iter(meta.texts(name)), "")


def _sections(root: etree._Element) -> dict[str, etree._Element]:
    """The first child of <package> of each local name (metadata, manifest, guide...)."""
    found: dict[str, etree._Element] = {}
    for el in root:
        found.setdefault(_local(el), el)
    return found


def _cover_refs(sections: dict[str, etree._Element], meta: _Meta) -> tuple[str, str]:
    manifest = sections.get("manifest")
    items = [el for el in manifest if _local(el) == "item"] if manifest is not None else []
    for el in items:
        if _mentions(el, "cover-image") and "cover-image" in _attr(el, "properties").split():
            return _attr(el, "href"), ""
    item = _last_with_id(items, meta.name("cover"))
    if item is not None and _attr(item, "media-type").startswith("image/"):
        return _attr(item, "href"), ""
    guide = sections.get("guide")
    for ref in guide if guide is not None else []:
        if _local(ref) == "reference" and _attr(ref, "type").lower() in (
            "cover",
            "other.ms-coverimage-standard",
        ):
            href = _attr(ref, "href").split("#")[0]
            if href.lower().endswith((".jpg", ".jpeg", ".png", ".gif", ".webp")):
                return href, ""
            return "", href
    return "", ""


def _mentions(el: etree._Element, word: str) -> bool:
    """Whether any attribute value may contain `word`: a cheap test before reading attributes
    by name. (Values cannot hold NUL, so joining them on it makes no false matches.)"""
    return "\x00" in word or word in "\x00".join(el.values())


def _last_with_id(items: list[etree._Element], item_id: str) -> etree._Element | None:
    """The manifest item an id names; of duplicates the last, as a dict by id would keep.
    An empty `item_id` names an item without one."""
    for el in reversed(items):
        if item_id and not _mentions(el, item_id):
            continue  # its stripped id cannot equal item_id
        if _attr(el, "id") == item_id:
            return el
    return None


def read_opf(data: bytes) -> OpfFields:
    root = parse_xml(data, what="OPF package document")
    sections = _sections(root)
    md = sections.get("metadata")
    if md is None:
        return OpfFields({}, ("OPF has no <metadata>",), "", "")
    meta = _Meta(md)
    title, subtitle = _title(meta)
    identifiers, isbn13 = _identifiers(meta)
    series, index = _series(meta)
    published, year = common.parse_date(_first(meta, "date"))
    values = {
        "title": title,
        "subtitle": subtitle,
        "people": _people(meta),
        "language": common.language_code(_first(meta, "language")),
        "publisher": _first(meta, "publisher"),
        "published": published,
        "year": year,
        "description": common.strip_html(_first(meta, "description")),
        "subjects": tuple(dict.fromkeys(meta.texts("subject"))),
        "identifiers": identifiers,
        "isbn13": isbn13,
        "series": series,
        "series_index": index,
    }
    cover_href, cover_page = _cover_refs(sections, meta)
    return OpfFields(values, (), cover_href, cover_page)


def parse_opf(data: bytes, *, source: str = "opf", confidence: float = 0.9) -> OpfDocument:
    fields = read_opf(data)
    metadata = build(source, confidence, warnings=fields.warnings, **fields.values)
    return OpfDocument(metadata, fields.cover_href, fields.cover_page_href)
