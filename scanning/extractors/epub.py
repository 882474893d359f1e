"""EPUB 2 and 3: META-INF/container.xml -> OPF -> metadata and the cover image."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from urllib.parse import unquote

from scanning.extractors.base import Cover, ExtractedMetadata, ExtractionError, ExtractOptions, build
from scanning.extractors.opf import OpfFields, _attr, _local, read_opf
from scanning.extractors.safety import SafeZip, image_media_type, parse_xml

CONFIDENCE = 0.9  # every field the package document gives, the cover included
_IMG_SRC = re.compile(rb"""<(?:img|image)\b[^>]*?(?:src|href)\s*=\s*["']([^"']+)["']""", re.I)


class EpubExtractor:
    name = "epub"
    extensions = frozenset({".epub", ".kepub"})
    kind = "ebook"

    def extract(self, path: Path, options: ExtractOptions) -> ExtractedMetadata:
        with SafeZip(path, options) as zf:
            opf_path = _opf_path(zf, options)
            try:
                fields = read_opf(zf.read(opf_path, limit=options.max_xml_bytes))
            except KeyError as exc:
                raise ExtractionError(f"the OPF file {opf_path!r} named by container.xml is missing") from exc
            warnings = list(fields.warnings)
            if zf.unsafe_names:
                warnings.append(f"ignored {len(zf.unsafe_names)} member(s) with unsafe names")
            cover = _cover(zf, opf_path, fields, options, warnings) if options.with_cover else None
        return build("epub", CONFIDENCE, tuple(warnings), cover=cover, **fields.values)


def _opf_path(zf: SafeZip, options: ExtractOptions) -> str:
    try:
        container = zf.read("META-INF/container.xml", limit=options.max_xml_bytes)
    except KeyError:
        candidates = [n for n in zf.names() if n.lower().endswith(".opf")]
        if not candidates:
            raise ExtractionError("not an EPUB: no META-INF/container.xml and no .opf file") from None
        return sorted(candidates, key=len)[0]
    root = parse_xml(container, what="META-INF/container.xml")
    for el in root.iter():
        if _local(el) == "rootfile" and _attr(el, "full-path"):
            return _attr(el, "full-path")
    raise ExtractionError("container.xml names no rootfile")


def _resolve(base_file: str, href: str) -> str:
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(base_file), unquote(href)))
    return joined.lstrip("/")


def _cover(
    zf: SafeZip, opf_path: str, opf: OpfFields, options: ExtractOptions, warnings: list[str]
) -> Cover | None:
    image_path = _resolve(opf_path, opf.cover_href) if opf.cover_href else ""
    if not image_path and opf.cover_page_href:
        image_path = _image_in_page(zf, _resolve(opf_path, opf.cover_page_href), options)
    if not image_path:
        return None
    try:
        data = zf.read(image_path, limit=options.max_cover_bytes)
    except KeyError:
        warnings.append(f"cover {image_path!r} is declared but missing")
        return None
    except ExtractionError as exc:
        warnings.append(f"cover unreadable: {exc.reason}")
        return None
    media_type = image_media_type(data)
    if media_type is None:
        warnings.append(f"cover {image_path!r} is not a JPEG/PNG/GIF/WebP image")
        return None
    return Cover(data, media_type)


def _image_in_page(zf: SafeZip, page: str, options: ExtractOptions) -> str:
    try:
        html = zf.read(page, limit=options.max_xml_bytes)
    except (KeyError, ExtractionError):
        return ""
    match = _IMG_SRC.search(html)
    return _resolve(page, match.group(1).decode("utf-8", "replace")) if match else ""
