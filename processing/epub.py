"""Reading an EPUB's package document (and its cover image) through `processing.opf`.

Minimal on purpose: the scanning extractors (issue 3, `scanning/extractors`) are the
general readers. This stays because conversion validation and the cover step need the
package document of files in the work directory, not catalogue rows."""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from core.errors import InvalidInput
from processing.opf import OpfMetadata, parse_opf

_MAX_OPF_BYTES = 2 * 1024 * 1024
_MAX_COVER_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class EpubPackage:
    opf_path: str
    metadata: OpfMetadata

    def cover_member(self) -> str:
        if not self.metadata.cover_href:
            return ""
        return posixpath.normpath(posixpath.join(posixpath.dirname(self.opf_path), self.metadata.cover_href))


def _rootfile(archive: zipfile.ZipFile) -> str:
    try:
        container = archive.read("META-INF/container.xml")
    except KeyError as exc:
        raise InvalidInput("Not an EPUB: META-INF/container.xml is missing") from exc
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
    root = etree.fromstring(container, parser=parser)
    for element in root.iter() if root is not None else ():
        if isinstance(element.tag, str) and element.tag.endswith("rootfile") and element.get("full-path"):
            return element.get("full-path", "")
    raise InvalidInput("Not an EPUB: container.xml names no package document")


def read_epub_package(path: Path) -> EpubPackage:
    """The EPUB's metadata. Raises InvalidInput / zipfile.BadZipFile on a broken file."""
    with zipfile.ZipFile(path) as archive:
        opf_path = _rootfile(archive)
        info = archive.getinfo(opf_path)
        if info.file_size > _MAX_OPF_BYTES:
            raise InvalidInput(f"EPUB package document is implausibly large ({info.file_size} bytes)")
        return EpubPackage(opf_path, parse_opf(archive.read(info)))


def read_epub_cover(path: Path) -> bytes | None:
    """The cover image bytes named by the package document, if any."""
    try:
        package = read_epub_package(path)
        member = package.cover_member()
        if not member:
            return None
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(member)
            if info.file_size > _MAX_COVER_BYTES:
                return None
            return archive.read(info)
    except (zipfile.BadZipFile, InvalidInput, KeyError, OSError):
        return None
