"""OPF 2.0 sidecars: write `metadata.opf` the way Calibre reads it back, and parse OPF
documents (sidecars, the package document inside an EPUB, sloppy third-party files).

Pure: no ORM, no settings. Text is handed to lxml as text, so XML escaping happens exactly
once (a description containing `<p>` is stored as `&lt;p&gt;` and read back as `<p>`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from core.errors import InvalidInput

OPF_NS = "http://www.idpf.org/2007/opf"
DC_NS = "http://purl.org/dc/elements/1.1/"
_NSMAP = {None: OPF_NS, "dc": DC_NS, "opf": OPF_NS}
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# MARC relator codes (what Calibre and most readers understand) for our contributor roles.
ROLE_CODES = {
    "author": "aut",
    "writer": "aut",
    "narrator": "nrt",
    "editor": "edt",
    "translator": "trl",
    "illustrator": "ill",
    "penciller": "art",
}
CODE_ROLES = {
    "aut": "author",
    "nrt": "narrator",
    "edt": "editor",
    "trl": "translator",
    "ill": "illustrator",
    "art": "illustrator",
}


@dataclass(frozen=True)
class OpfCreator:
    name: str
    file_as: str = ""
    role: str = "author"  # one of ROLE_CODES' keys


@dataclass(frozen=True)
class OpfSeries:
    name: str
    index: str | None = None  # kept as text: third-party files hold "1", "2.5", "abc" or nothing


@dataclass(frozen=True)
class OpfMetadata:
    title: str
    creators: tuple[OpfCreator, ...] = ()
    identifiers: tuple[tuple[str, str], ...] = ()  # (scheme, value), scheme lower-case
    series: tuple[OpfSeries, ...] = ()
    language: str = ""
    publisher: str = ""
    date: str = ""
    description: str = ""
    subjects: tuple[str, ...] = ()
    cover_href: str = ""
    title_sort: str = ""

    @property
    def authors(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.creators if c.role in ("author", "writer"))

    def identifier(self, scheme: str) -> str:
        return next((value for s, value in self.identifiers if s == scheme.lower()), "")


@dataclass
class _Builder:
    metadata: etree._Element
    extra: list[etree._Element] = field(default_factory=list)

    def dc(self, tag: str, text: str, **attrs: str) -> etree._Element | None:
        text = _clean(text)
        if not text:
            return None
        element = etree.SubElement(self.metadata, f"{{{DC_NS}}}{tag}")
        element.text = text
        for name, value in attrs.items():
            if value:
                element.set(f"{{{OPF_NS}}}{name.replace('_', '-')}", value)
        return element

    def meta(self, name: str, content: str) -> None:
        content = _clean(content)
        if content:
            etree.SubElement(self.metadata, f"{{{OPF_NS}}}meta", name=name, content=content)


def _clean(text: str | None) -> str:
    """Text as lxml must receive it: no XML-illegal control characters, no escaping."""
    return _CONTROL_CHARS.sub("", text or "").strip()


def _file_as_values(creators: tuple[OpfCreator, ...]) -> list[str]:
    """Calibre's convention: the first author's file-as holds the whole author sort
    ('Le Guin, Ursula K. & Tolkien, J. R. R.'); the others keep their own."""
    values = [c.file_as for c in creators]
    authors = [i for i, c in enumerate(creators) if c.role in ("author", "writer")]
    if len(authors) > 1 and all(creators[i].file_as for i in authors):
        values[authors[0]] = " & ".join(creators[i].file_as for i in authors)
    return values


def build_opf(meta: OpfMetadata, *, unique_id: tuple[str, str] | None = None) -> bytes:
    """The OPF 2.0 document for `meta`. `unique_id` (scheme, value) becomes the package's
    unique identifier (written first); other identifiers keep their scheme."""
    package = etree.Element(
        f"{{{OPF_NS}}}package", nsmap=_NSMAP, version="2.0", attrib={"unique-identifier": "uid"}
    )
    b = _Builder(etree.SubElement(package, f"{{{OPF_NS}}}metadata"))
    if unique_id:
        element = b.dc("identifier", unique_id[1], scheme=unique_id[0])
        if element is not None:
            element.set("id", "uid")
    b.dc("title", meta.title)
    for creator, file_as in zip(meta.creators, _file_as_values(meta.creators), strict=True):
        b.dc("creator", creator.name, role=ROLE_CODES.get(creator.role, "aut"), file_as=file_as)
    for scheme, value in meta.identifiers:
        if not unique_id or (scheme, value) != unique_id:
            b.dc("identifier", value, scheme=scheme.upper())
    b.dc("language", meta.language)
    b.dc("publisher", meta.publisher)
    b.dc("date", meta.date)
    b.dc("description", meta.description)
    for subject in meta.subjects:
        b.dc("subject", subject)
    if meta.series:
        b.meta("calibre:series", meta.series[0].name)
        if meta.series[0].index:
            b.meta("calibre:series_index", meta.series[0].index)
    b.meta("calibre:title_sort", meta.title_sort)
    if meta.cover_href:
        b.meta("cover", "cover")
        manifest = etree.SubElement(package, f"{{{OPF_NS}}}manifest")
        etree.SubElement(
            manifest,
            f"{{{OPF_NS}}}item",
            id="cover",
            href=meta.cover_href,
            attrib={"media-type": "image/jpeg"},
        )
        guide = etree.SubElement(package, f"{{{OPF_NS}}}guide")
        etree.SubElement(guide, f"{{{OPF_NS}}}reference", type="cover", title="Cover", href=meta.cover_href)
    return etree.tostring(package, xml_declaration=True, encoding="utf-8", pretty_print=True)


def write_opf(path: Path, meta: OpfMetadata, *, unique_id: tuple[str, str] | None = None) -> Path:
    """Write the sidecar. A cover it references must already exist next to it."""
    if meta.cover_href and not (path.parent / meta.cover_href).is_file():
        raise InvalidInput(
            f"OPF would reference a cover that does not exist: {path.parent / meta.cover_href}",
            hint="Write cover.jpg before metadata.opf.",
        )
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(build_opf(meta, unique_id=unique_id))
    tmp.replace(path)
    return path


# --- parsing ----------------------------------------------------------------------------


def _local(tag: object) -> str:
    """Local name of an element, whatever its namespace or undeclared prefix ('ns0:meta')."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def _attr(element: etree._Element, name: str) -> str:
    """An attribute by local name, with or without a namespace/prefix."""
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value.strip()
    return ""


def parse_opf(data: bytes) -> OpfMetadata:
    """Read an OPF (2.0 or 3.0, Calibre's or a third party's). Tolerates undeclared prefixes
    and other recoverable XML mistakes; raises InvalidInput when nothing can be read."""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data.strip(), parser=parser)
    except etree.XMLSyntaxError as exc:
        raise InvalidInput(f"Not an OPF document: {exc}") from exc
    if root is None or _local(root.tag) != "package":
        raise InvalidInput("Not an OPF document: no <package> root element")
    metadata = next((el for el in root if _local(el.tag) == "metadata"), None)
    elements = list(metadata.iter()) if metadata is not None else []
    return OpfMetadata(
        title=_first_text(elements, "title"),
        creators=_creators(elements),
        identifiers=_identifiers(elements),
        series=_series(elements),
        language=_first_text(elements, "language"),
        publisher=_first_text(elements, "publisher"),
        date=_first_text(elements, "date"),
        description=_first_text(elements, "description"),
        subjects=tuple(_text(el) for el in elements if _local(el.tag) == "subject" and _text(el)),
        cover_href=_cover_href(root, elements),
        title_sort=_meta_content(elements, "calibre:title_sort"),
    )


def _text(element: etree._Element) -> str:
    return (element.text or "").strip()


def _first_text(elements: list[etree._Element], name: str) -> str:
    return next((_text(el) for el in elements if _local(el.tag) == name and _text(el)), "")


def _meta_content(elements: list[etree._Element], name: str) -> str:
    return next(
        (_attr(el, "content") for el in elements if _local(el.tag) == "meta" and _attr(el, "name") == name),
        "",
    )


def _refines(elements: list[etree._Element]) -> dict[tuple[str, str], str]:
    """EPUB 3 `<meta refines="#id" property="role">aut</meta>` as {(id, property): value}."""
    return {
        (_attr(el, "refines").lstrip("#"), _attr(el, "property")): _text(el)
        for el in elements
        if _local(el.tag) == "meta" and _attr(el, "refines")
    }


def _creators(elements: list[etree._Element]) -> tuple[OpfCreator, ...]:
    refines = _refines(elements)
    creators = []
    for el in elements:
        if _local(el.tag) not in ("creator", "contributor") or not _text(el):
            continue
        el_id = el.get("id", "")
        code = (_attr(el, "role") or refines.get((el_id, "role"), "")).lower()
        if _local(el.tag) == "contributor" and code in ("", "bkp"):
            continue  # the producing software, not a person
        role = CODE_ROLES.get(code or "aut", "author")
        file_as = _attr(el, "file-as") or refines.get((el_id, "file-as"), "")
        creators.append(OpfCreator(name=_text(el), file_as=file_as, role=role))
    return _split_joined_sort(creators)


def _split_joined_sort(creators: list[OpfCreator]) -> tuple[OpfCreator, ...]:
    """Undo calibre's joined author sort on the first author when it names every author."""
    authors = [i for i, c in enumerate(creators) if c.role == "author"]
    if len(authors) > 1:
        parts = creators[authors[0]].file_as.split(" & ")
        if len(parts) == len(authors):
            for i, part in zip(authors, parts, strict=True):
                creators[i] = OpfCreator(creators[i].name, part, creators[i].role)
    return tuple(creators)


def _identifiers(elements: list[etree._Element]) -> tuple[tuple[str, str], ...]:
    found = []
    for el in elements:
        if _local(el.tag) != "identifier" or not _text(el):
            continue
        value = _text(el)
        scheme = _attr(el, "scheme").lower()
        if not scheme and ":" in value and value.lower().startswith(("urn:", "isbn:", "uuid:")):
            parts = value.split(":")
            scheme, value = (
                (parts[1], parts[2]) if parts[0].lower() == "urn" and len(parts) > 2 else parts[:2]
            )
            scheme = scheme.lower()
        found.append((scheme, value.strip()))
    return tuple(found)


def _series(elements: list[etree._Element]) -> tuple[OpfSeries, ...]:
    """calibre:series / calibre:series_index pairs in document order: an index belongs to the
    series named before it; a series with no index before the next series has none."""
    series: list[list[str | None]] = []
    for el in elements:
        if _local(el.tag) != "meta":
            continue
        name = _attr(el, "name")
        if name == "calibre:series":
            series.append([_attr(el, "content"), None])
        elif name == "calibre:series_index" and series and series[-1][1] is None:
            series[-1][1] = _attr(el, "content") or None
    return tuple(OpfSeries(str(n), i) for n, i in series if n)


def _cover_href(root: etree._Element, elements: list[etree._Element]) -> str:
    cover_id = next(
        (
            _attr(el, "content")
            for el in elements
            if _local(el.tag) == "meta" and _attr(el, "name") == "cover"
        ),
        "",
    )
    for el in root.iter():
        if _local(el.tag) != "item":
            continue
        if (cover_id and el.get("id") == cover_id) or "cover-image" in el.get("properties", "").split():
            return el.get("href", "")
    for el in root.iter():
        if _local(el.tag) == "reference" and el.get("type", "").lower() == "cover":
            return el.get("href", "")
    return ""
