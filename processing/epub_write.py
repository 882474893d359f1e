"""Writing final metadata INTO an EPUB: a new copy with an updated package document (title,
creators, identifiers, series as calibre meta, language, description; publisher and date
when known, else the book's own stay). The source file is only read; the copy gets
`mimetype` first and stored, every other member copied with its own compression, and it is
validated by reading it back before it is returned.

EPUB 2 packages get OPF 2 attributes (`opf:role`, `opf:file-as`, `opf:scheme`); EPUB 3
packages get `refines` metadata and `urn:<scheme>:<value>` identifiers. Pure (no ORM)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from core.errors import InvalidInput
from processing.epub import _MAX_OPF_BYTES, _rootfile, read_epub_package
from processing.opf import DC_NS, OPF_NS, ROLE_CODES, OpfMetadata, _clean, _file_as_values, _local

MIMETYPE = b"application/epub+zip"
_REPLACED_DC = ("title", "creator", "identifier", "language", "description")
_REPLACED_WHEN_KNOWN = ("publisher", "date")  # our value replaces the book's; without one, the book's stays
_CHUNK = 1024 * 1024


def _is_epub3(package: etree._Element) -> bool:
    return (package.get("version") or "2.0").strip().startswith("3")


def _drop_old(metadata: etree._Element, keep_id: str, known: set[str]) -> None:
    """Remove what is rewritten: the fields above (not the package's unique identifier), the
    `known` ones of _REPLACED_WHEN_KNOWN, their EPUB 3 refinements, and calibre's series metas."""
    replaced = set(_REPLACED_DC) | known
    removed_ids = set()
    refined_roles = {
        (el.get("refines") or "").lstrip("#"): (el.text or "").strip()
        for el in metadata
        if _local(el.tag) == "meta" and el.get("property") == "role"
    }
    for el in list(metadata):
        local = _local(el.tag)
        if local in replaced and not (local == "identifier" and el.get("id") == keep_id):
            role = el.get(f"{{{OPF_NS}}}role") or refined_roles.get(el.get("id") or "", "") or "aut"
            if local == "creator" and role != "aut":
                continue  # illustrators, narrators ... stay
            removed_ids.add(el.get("id") or "")
            metadata.remove(el)
        elif local == "meta" and el.get("name") in ("calibre:series", "calibre:series_index"):
            metadata.remove(el)
    for el in list(metadata):
        if _local(el.tag) == "meta" and (el.get("refines") or "").lstrip("#") in removed_ids - {""}:
            metadata.remove(el)


def _add(metadata: etree._Element, tag: str, text: str | None, attrs: dict[str, str] | None = None) -> etree._Element:
    el = etree.SubElement(metadata, tag)
    el.text = text
    for name, value in (attrs or {}).items():
        if value:
            el.set(name, value)
    return el


def _add_creators(metadata: etree._Element, meta: OpfMetadata, *, epub3: bool) -> None:
    file_as_values = _file_as_values(meta.creators)  # OPF 2: calibre's joined author sort first
    for n, creator in enumerate(meta.creators, start=1):
        name = _clean(creator.name)
        if not name:
            continue
        code = ROLE_CODES.get(creator.role, "aut")
        if not epub3:
            attrs = {f"{{{OPF_NS}}}role": code, f"{{{OPF_NS}}}file-as": _clean(file_as_values[n - 1])}
            _add(metadata, f"{{{DC_NS}}}creator", name, attrs)
            continue
        el_id = f"omni-creator-{n}"
        _add(metadata, f"{{{DC_NS}}}creator", name, {"id": el_id})
        _add(
            metadata, f"{{{OPF_NS}}}meta", code, {"refines": f"#{el_id}", "property": "role", "scheme": "marc:relators"}
        )
        if creator.file_as:
            _add(
                metadata, f"{{{OPF_NS}}}meta", _clean(creator.file_as), {"refines": f"#{el_id}", "property": "file-as"}
            )


def _add_identifiers(metadata: etree._Element, meta: OpfMetadata, *, epub3: bool) -> None:
    for scheme, value in meta.identifiers:
        value = _clean(value)
        if not value or not scheme:
            continue
        if epub3:
            _add(metadata, f"{{{DC_NS}}}identifier", f"urn:{scheme.lower()}:{value}")
        else:
            _add(metadata, f"{{{DC_NS}}}identifier", value, {f"{{{OPF_NS}}}scheme": scheme.upper()})


def update_package(opf: bytes, meta: OpfMetadata) -> bytes:
    """The package document with `meta` written into its <metadata>."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
    try:
        package = etree.fromstring(opf, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise InvalidInput(f"The EPUB's package document is not well-formed XML: {exc}") from exc
    metadata = next((el for el in package if _local(el.tag) == "metadata"), None)
    if _local(package.tag) != "package" or metadata is None:
        raise InvalidInput("The EPUB's package document has no <metadata>")
    epub3 = _is_epub3(package)
    when_known = {"publisher": meta.publisher, "date": meta.date}
    known = {tag for tag in _REPLACED_WHEN_KNOWN if _clean(when_known[tag])}
    _drop_old(metadata, package.get("unique-identifier") or "", known)
    if _clean(meta.title):
        _add(metadata, f"{{{DC_NS}}}title", _clean(meta.title))
    _add_creators(metadata, meta, epub3=epub3)
    _add_identifiers(metadata, meta, epub3=epub3)
    for tag, value in (("language", meta.language), ("description", meta.description), *when_known.items()):
        if _clean(value):
            _add(metadata, f"{{{DC_NS}}}{tag}", _clean(value))
    if meta.series:
        _add(metadata, f"{{{OPF_NS}}}meta", None, {"name": "calibre:series", "content": _clean(meta.series[0].name)})
        if meta.series[0].index:
            _add(metadata, f"{{{OPF_NS}}}meta", None, {"name": "calibre:series_index", "content": meta.series[0].index})
    return etree.tostring(package, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _copy_members(source: zipfile.ZipFile, target: zipfile.ZipFile, opf_path: str, opf: bytes) -> None:
    target.writestr(zipfile.ZipInfo("mimetype"), MIMETYPE, compress_type=zipfile.ZIP_STORED)
    for info in source.infolist():
        if info.filename == "mimetype" or info.is_dir():
            continue
        copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
        copy.compress_type, copy.external_attr = info.compress_type, info.external_attr
        if info.filename == opf_path:
            target.writestr(copy, opf)
            continue
        with source.open(info) as reader, target.open(copy, "w", force_zip64=info.file_size > 2**31) as writer:
            while block := reader.read(_CHUNK):
                writer.write(block)


def validate_written(path: Path, meta: OpfMetadata) -> None:
    """Read the new EPUB back: structure (mimetype first, stored) and the fields written."""
    with zipfile.ZipFile(path) as archive:
        first = archive.infolist()[0]
        if first.filename != "mimetype" or first.compress_type != zipfile.ZIP_STORED:
            raise InvalidInput("The written EPUB does not start with a stored mimetype")
        if archive.read(first) != MIMETYPE or archive.testzip() is not None:
            raise InvalidInput("The written EPUB is damaged")
    found = read_epub_package(path).metadata
    wanted_authors = tuple(_clean(c.name) for c in meta.creators if c.role in ("author", "writer"))
    problems = [
        name
        for name, ok in (
            ("title", not _clean(meta.title) or found.title == _clean(meta.title)),
            ("authors", found.authors[: len(wanted_authors)] == wanted_authors),
            ("series", not meta.series or (found.series and found.series[0].name == _clean(meta.series[0].name))),
            ("language", not _clean(meta.language) or found.language == _clean(meta.language)),
            ("publisher", not _clean(meta.publisher) or found.publisher == _clean(meta.publisher)),
            ("date", not _clean(meta.date) or found.date == _clean(meta.date)),
        )
        if not ok
    ]
    if problems:
        raise InvalidInput(f"The written EPUB does not read back the same: {', '.join(problems)} differ")


def write_epub_metadata(source: Path, target: Path, meta: OpfMetadata) -> Path:
    """Write `target`, a copy of the EPUB `source` carrying `meta`. `source` is never changed."""
    if target.resolve() == source.resolve():
        raise InvalidInput("The EPUB with new metadata must be a new file, not the original")
    partial = target.with_name(f".{target.name}.part")
    try:
        with zipfile.ZipFile(source) as archive:
            opf_path = _rootfile(archive)
            info = archive.getinfo(opf_path)
            if info.file_size > _MAX_OPF_BYTES:
                raise InvalidInput(f"EPUB package document is implausibly large ({info.file_size} bytes)")
            opf = update_package(archive.read(info), meta)
            with zipfile.ZipFile(partial, "w") as out:
                _copy_members(archive, out, opf_path, opf)
        validate_written(partial, meta)
        partial.replace(target)
    except (zipfile.BadZipFile, KeyError) as exc:
        raise InvalidInput(f"{source.name} cannot be rewritten: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return target
