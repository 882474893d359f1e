"""OPF package documents (EPUB 2 and 3, calibre's metadata.opf sidecars): Dublin Core,
creators with roles and file-as, identifiers, calibre and EPUB3 series, cover reference."""

from __future__ import annotations

import re
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


def _local(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    if "}" in tag:
        tag = tag[tag.index("}") + 1 :]
    return tag[tag.index(":") + 1 :] if ":" in tag else tag


def _attr(el: etree._Element, name: str) -> str:
    for key, value in el.attrib.items():
        if key.rsplit("}", 1)[-1].rsplit(":", 1)[-1] == name:
            return value.strip()
    return ""


def _text(el: etree._Element) -> str:
    return common.clean_text("".join(t for t in el.itertext() if isinstance(t, str)), 20_000)


@dataclass(frozen=True)
class OpfDocument:
    metadata: ExtractedMetadata
    cover_href: str  # relative to the OPF, '' if none declared
    cover_page_href: str  # guide/landmark cover page (XHTML) when no image is declared


class _Meta:
    """Index of <metadata>: children by local name, refinements by id, named metas, EPUB3 properties."""

    def __init__(self, metadata_el: etree._Element) -> None:
        self.refines: dict[str, dict[str, str]] = {}
        self.named: list[tuple[str, str]] = []
        self.props: list[etree._Element] = []
        self.children: dict[str, list[etree._Element]] = {}
        for el in metadata_el:
            self.children.setdefault(_local(el), []).append(el)
        for el in self.children.get("meta", ()):
            refines = _attr(el, "refines").lstrip("#")
            prop = _attr(el, "property")
            if refines and prop:
                self.refines.setdefault(refines, {}).setdefault(prop, _text(el))
            elif prop:
                self.props.append(el)
            elif _attr(el, "name"):
                self.named.append((_attr(el, "name"), _attr(el, "content")))

    def name(self, key: str) -> str:
        return next((v for k, v in self.named if k == key and v), "")


def _people(md: etree._Element, meta: _Meta) -> tuple[Person, ...]:
    people: list[Person] = []
    for el in md:
        if _local(el) not in ("creator", "contributor"):
            continue  # one pass keeps creators and contributors in document order
        name = _text(el)
        refined = meta.refines.get(_attr(el, "id"), {})
        code = (_attr(el, "role") or refined.get("role", "")).lower()
        role = _ROLES.get(code, "author" if _local(el) == "creator" and not code else "")
        if name and role:
            people.append(
                Person(name=name, role=role, file_as=_attr(el, "file-as") or refined.get("file-as", ""))
            )
    return tuple(people)


def _identifiers(meta: _Meta) -> tuple[tuple[tuple[str, str], ...], str]:
    found: list[tuple[str, str]] = []
    isbn13 = ""
    for el in meta.children.get("identifier", ()):
        value, scheme = _text(el), _attr(el, "scheme").lower()
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
    for el in meta.props:
        if _attr(el, "property") == "belongs-to-collection":
            refined = meta.refines.get(_attr(el, "id"), {})
            if refined.get("collection-type", "series") == "series" and _text(el):
                return _text(el), common.parse_number(refined.get("group-position"))
    series = meta.name("calibre:series")
    index = common.parse_number(meta.name("calibre:series_index")) if series else None
    return series, index


def _title(meta: _Meta) -> tuple[str, str]:
    titles = [el for el in meta.children.get("title", ()) if _text(el)]
    main = next(
        (el for el in titles if meta.refines.get(_attr(el, "id"), {}).get("title-type") == "main"),
        titles[0] if titles else None,
    )
    subtitle = next(
        (_text(el) for el in titles if meta.refines.get(_attr(el, "id"), {}).get("title-type") == "subtitle"),
        "",
    )
    return (_text(main) if main is not None else ""), subtitle


def _first(meta: _Meta, name: str) -> str:
    return next((t for t in map(_text, meta.children.get(name, ())) if t), "")


def _cover_refs(root: etree._Element, meta: _Meta) -> tuple[str, str]:
    manifest = next((el for el in root if _local(el) == "manifest"), None)
    items = [el for el in manifest if _local(el) == "item"] if manifest is not None else []
    by_id = {_attr(el, "id"): el for el in items}
    for el in items:
        if "cover-image" in _attr(el, "properties").split():
            return _attr(el, "href"), ""
    cover_id = meta.name("cover")
    if cover_id in by_id and _attr(by_id[cover_id], "media-type").startswith("image/"):
        return _attr(by_id[cover_id], "href"), ""
    guide = next((el for el in root if _local(el) == "guide"), None)
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


def parse_opf(data: bytes, *, source: str = "opf", confidence: float = 0.9) -> OpfDocument:
    root = parse_xml(data, what="OPF package document")
    md = next((el for el in root if _local(el) == "metadata"), None)
    if md is None:
        return OpfDocument(build(source, confidence, warnings=("OPF has no <metadata>",)), "", "")
    meta = _Meta(md)
    title, subtitle = _title(meta)
    identifiers, isbn13 = _identifiers(meta)
    series, index = _series(meta)
    published, year = common.parse_date(_first(meta, "date"))
    language = common.language_code(_first(meta, "language"))
    metadata = build(
        source,
        confidence,
        title=title,
        subtitle=subtitle,
        people=_people(md, meta),
        language=language,
        publisher=_first(meta, "publisher"),
        published=published,
        year=year,
        description=common.strip_html(_first(meta, "description")),
        subjects=tuple(dict.fromkeys(t for t in map(_text, meta.children.get("subject", ())) if t)),
        identifiers=identifiers,
        isbn13=isbn13,
        series=series,
        series_index=index,
    )
    cover_href, cover_page = _cover_refs(root, meta)
    return OpfDocument(metadata, cover_href, cover_page)
