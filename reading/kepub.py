"""EPUB -> KEPUB (Kobo's EPUB flavour) in-process: what kepubify (pgaskin/kepubify, a Go program
packaged neither in Debian nor on PyPI; calibre cannot write KEPUB without a plugin) does to a
book, rewritten on lxml:

- every text of a content document's body is cut after each sentence (`.`, `!`, `?`, `:`, then an
  optional closing quote or ellipsis and the spaces after it) and each piece is wrapped in
  `<span class="koboSpan" id="kobo.P.S">`: P counts paragraphs (it moves on at the first text
  after a `p`, `ol`, `ul` or `table` starts, and at each image), S the pieces in it. Whitespace
  is wrapped only directly inside a `p`. Images are wrapped too. `script`, `style`, `pre`,
  `audio`, `video` keep their text as it is, and so does anything outside XHTML (SVG, MathML);
- the body's content is wrapped in `div#book-columns > div#book-inner` (Kobo's pagination);
- a small `kobostylehacks` style goes into the head;
- an EPUB 3 cover image gets `properties="cover-image"`.
A document that already has koboSpans (a KEPUB) keeps them. The text of the book is unchanged:
only elements are added around it.

The book is read as the rest of the app reads hostile EPUBs (scanning.extractors.safety): safe
zip names only, capped member and total sizes and compression ratios, XML parsed without DTDs,
entities or network. A content document that does not parse as XML is copied unchanged (Kobo
shows it without spans) and reported in `KepubResult.unchanged`."""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from scanning.extractors.base import ExtractionError, ExtractOptions
from scanning.extractors.safety import SafeZip, xml_parser

XHTML = "http://www.w3.org/1999/xhtml"
OPF = "http://www.idpf.org/2007/opf"
CONTAINER = "urn:oasis:names:tc:opendocument:xmlns:container"
CONTENT_TYPES = frozenset({"application/xhtml+xml", "text/html"})
STYLE = "div#book-inner { margin-top: 0; margin-bottom: 0; }"
# Junk other tools leave in books (kepubify drops the same).
JUNK_NAMES = frozenset({"calibre_bookmarks.txt", "itunesmetadata.plist", "itunesartwork.plist", ".ds_store",
                        "thumbs.db"})
_SENTENCE = re.compile(r".*?[.!?:]['\"\u201d\u2019\u201c\u2026]?\s*", re.DOTALL)
_KEEP_TEXT = frozenset({"script", "style", "pre", "audio", "video", "textarea", "select"})
_PARAGRAPHS = frozenset({"p", "ol", "ul", "table"})


@dataclass(frozen=True)
class KepubResult:
    output: Path
    documents: int  # content documents given spans
    spans: int
    unchanged: tuple[str, ...]  # content documents copied as they were (not XML, or already KEPUB)


def sentences(text: str) -> list[str]:
    """`text` cut after each sentence; the pieces joined give `text` back."""
    pieces, end = [], 0
    for match in _SENTENCE.finditer(text):
        if match.end() > end:
            pieces.append(text[end:match.end()])
            end = match.end()
    if end < len(text):
        pieces.append(text[end:])
    return pieces


def _local(element) -> str | None:
    """The XHTML element's local name; None for other namespaces, comments and entities."""
    tag = element.tag
    if not isinstance(tag, str) or not tag.startswith("{" + XHTML + "}"):
        return None
    return tag[len(XHTML) + 2:]


class _Spanner:
    """Adds the koboSpans to one document's body, in document order."""

    def __init__(self) -> None:
        self.para = 0
        self.seg = 0
        self.next_para = False
        self.count = 0

    def span(self) -> etree._Element:
        if self.next_para:
            self.para, self.seg, self.next_para = self.para + 1, 0, False
        self.seg += 1
        self.count += 1
        return etree.Element(f"{{{XHTML}}}span", {"class": "koboSpan", "id": f"kobo.{self.para}.{self.seg}"})

    def pieces(self, text: str, *, in_p: bool) -> list:
        """The text as spans, leaving bare whitespace outside a `p` as it is (strings)."""
        out: list = []
        for piece in sentences(text):
            if not piece.strip() and not in_p:
                out.append(piece)
            else:
                span = self.span()
                span.text = piece
                out.append(span)
        return out

    def run(self, body: etree._Element) -> None:
        stack: list[tuple[str, etree._Element]] = [("element", body)]
        wrapped: dict = {}  # an image -> the span now around it (its tail moved there)
        while stack:
            what, node = stack.pop()
            if what == "tail":
                node = wrapped.get(node, node)
                if node.tail:
                    text, node.tail = node.tail, None
                    _place_after(node, self.pieces(text, in_p=_local(node.getparent()) == "p"))
                continue
            name = _local(node)
            if name == "img":
                wrapped[node] = self._wrap_image(node)
                continue
            if name is None or name in _KEEP_TEXT:
                continue
            if name in _PARAGRAPHS:
                self.next_para = True
            children = list(node)
            if node.text:
                text, node.text = node.text, None
                _place_first(node, self.pieces(text, in_p=name == "p"))
            for child in reversed(children):
                stack.append(("tail", child))
                stack.append(("element", child))

    def _wrap_image(self, image: etree._Element) -> etree._Element:
        self.para, self.seg, self.next_para = self.para + 1, 0, False
        span = self.span()
        image.addprevious(span)
        span.tail, image.tail = image.tail, None
        span.append(image)
        return span


def _place_first(parent: etree._Element, pieces: list) -> None:
    """Put text and spans at the start of `parent` (whose .text is empty)."""
    previous, position = None, 0
    for piece in pieces:
        if not isinstance(piece, str):
            parent.insert(position, piece)
            previous, position = piece, position + 1
        elif previous is None:
            parent.text = (parent.text or "") + piece
        else:
            previous.tail = (previous.tail or "") + piece


def _place_after(anchor: etree._Element, pieces: list) -> None:
    """Put text and spans right after `anchor` (whose .tail is empty)."""
    previous = anchor
    for piece in pieces:
        if isinstance(piece, str):
            previous.tail = (previous.tail or "") + piece
        else:
            previous.addnext(piece)
            previous = piece


def transform_document(data: bytes) -> tuple[bytes, int] | None:
    """One content document with spans, divs and the style; None if it is not XHTML we can read
    or is a KEPUB document already (then it is kept as it is)."""
    try:
        root = etree.fromstring(data, parser=xml_parser())
    except etree.XMLSyntaxError:
        return None
    if root is None or _local(root) != "html":
        return None
    body = root.find(f"{{{XHTML}}}body")
    if body is None or root.xpath("//*[contains(concat(' ', @class, ' '), ' koboSpan ')]"):
        return None
    spanner = _Spanner()
    spanner.run(body)
    _wrap_body(body)
    head = root.find(f"{{{XHTML}}}head")
    if head is not None:
        style = etree.SubElement(head, f"{{{XHTML}}}style", {"type": "text/css", "class": "kobostylehacks"})
        style.text = STYLE
    tree = root.getroottree()
    return etree.tostring(tree, encoding="utf-8", xml_declaration=True), spanner.count


def _wrap_body(body: etree._Element) -> None:
    """Body content into div#book-columns > div#book-inner (unless the ids are taken)."""
    if body.xpath(".//*[@id='book-columns' or @id='book-inner']"):
        return
    columns = etree.Element(f"{{{XHTML}}}div", {"id": "book-columns"})
    inner = etree.SubElement(columns, f"{{{XHTML}}}div", {"id": "book-inner"})
    inner.text, body.text = body.text, None
    for child in list(body):
        inner.append(child)  # moves it, with its tail
    body.append(columns)


def _package_path(book: SafeZip) -> str:
    try:
        container = etree.fromstring(book.read("META-INF/container.xml"), parser=xml_parser())
    except KeyError as exc:
        raise ExtractionError("not an EPUB: it has no META-INF/container.xml") from exc
    except etree.XMLSyntaxError as exc:
        raise ExtractionError(f"the EPUB's container is not well-formed XML: {exc}") from exc
    rootfile = container.find(f".//{{{CONTAINER}}}rootfile")
    path = rootfile.get("full-path", "") if rootfile is not None else ""
    if path not in book.infos:
        raise ExtractionError("the EPUB's container names no package document it has")
    return path


def _content_documents(book: SafeZip, opf_path: str) -> tuple[set[str], bytes | None]:
    """The paths of the manifest's XHTML documents, and the package document rewritten for an
    EPUB 3 cover (None: keep it)."""
    try:
        package = etree.fromstring(book.read(opf_path), parser=xml_parser())
    except etree.XMLSyntaxError as exc:
        raise ExtractionError(f"the package document is not well-formed XML: {exc}") from exc
    base = posixpath.dirname(opf_path)
    documents = set()
    for item in package.iterfind(f"{{{OPF}}}manifest/{{{OPF}}}item"):
        if item.get("media-type") in CONTENT_TYPES and item.get("href"):
            documents.add(posixpath.normpath(posixpath.join(base, unquote(item.get("href")))))
    return documents, _mark_cover(package)


def _mark_cover(package: etree._Element) -> bytes | None:
    if not package.get("version", "").startswith("3"):
        return None  # `properties` is EPUB 3 only
    meta = package.find(f"{{{OPF}}}metadata/{{{OPF}}}meta[@name='cover']")
    cover_id = meta.get("content", "cover") if meta is not None else "cover"
    for item in package.iterfind(f"{{{OPF}}}manifest/{{{OPF}}}item"):
        if item.get("id") == cover_id and item.get("media-type", "").startswith("image/"):
            properties = item.get("properties", "").split()
            if "cover-image" in properties:
                return None
            item.set("properties", " ".join([*properties, "cover-image"]))
            return etree.tostring(package.getroottree(), encoding="utf-8", xml_declaration=True)
    return None


def convert(source: Path, output: Path, options: ExtractOptions | None = None) -> KepubResult:
    """Write the KEPUB of the EPUB `source` to `output` (written whole or not at all).
    ExtractionError when the EPUB cannot be read safely."""
    options = options or ExtractOptions()
    partial = output.with_name(f".{output.name}.part")
    documents = spans = 0
    unchanged: list[str] = []
    try:
        with SafeZip(source, options) as book, zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as out:
            opf_path = _package_path(book)
            content, package = _content_documents(book, opf_path)
            out.writestr(zipfile.ZipInfo("mimetype"), b"application/epub+zip", zipfile.ZIP_STORED)
            for name in book.names():
                if name == "mimetype" or posixpath.basename(name).lower() in JUNK_NAMES or "__MACOSX/" in name:
                    continue
                data = book.read(name)
                if name == opf_path and package is not None:
                    data = package
                elif name in content:
                    changed = transform_document(data)
                    if changed is None:
                        unchanged.append(name)
                    else:
                        data, count = changed
                        documents, spans = documents + 1, spans + count
                out.writestr(name, data)
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
    return KepubResult(output, documents, spans, tuple(unchanged))
