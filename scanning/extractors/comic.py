"""CBZ and CBR comics: ComicInfo.xml (series, number, volume, year, credits, publisher,
language, page count, GTIN) and the first page as cover. RAR goes through rarfile with
`unrar` when installed, else `unar`; members are read in memory, never extracted."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import BinaryIO

from scanning.extractors import common
from scanning.extractors.base import (
    Cover,
    ExtractedMetadata,
    ExtractionError,
    ExtractOptions,
    MissingTool,
    Person,
    build,
)
from scanning.extractors.safety import (
    IMAGE_EXTENSIONS,
    SafeZip,
    image_media_type,
    is_safe_member_name,
    open_book,
    parse_xml,
)

_CREDITS = (
    ("Writer", "writer"),
    ("Penciller", "penciller"),
    ("Inker", "illustrator"),
    ("CoverArtist", "illustrator"),
    ("Editor", "editor"),
    ("Translator", "translator"),
)
_NATURAL = re.compile(r"(\d+)")


def natural_key(name: str) -> list[object]:
    return [int(p) if p.isdigit() else p.lower() for p in _NATURAL.split(name)]


def parse_comicinfo(data: bytes) -> ExtractedMetadata:
    root = parse_xml(data, what="ComicInfo.xml")
    fields = {el.tag.rsplit("}", 1)[-1]: (el.text or "").strip() for el in root if isinstance(el.tag, str)}
    get = fields.get
    people = tuple(
        Person(name.strip(), role)
        for key, role in _CREDITS
        for name in (get(key) or "").split(",")
        if name.strip()
    )
    year = int(get("Year")) if (get("Year") or "").isdigit() and 1000 <= int(get("Year")) < 3000 else None
    published = "-".join(
        p
        for p in (
            str(year) if year else "",
            (get("Month") or "").zfill(2) if year and (get("Month") or "").isdigit() else "",
        )
        if p
    )
    gtin = re.sub(r"\D", "", get("GTIN") or "")
    isbn13 = common.isbn_from(gtin)
    identifiers = tuple(x for x in (("isbn13", isbn13), ("gtin", gtin if not isbn13 else "")) if x[1])
    page_count = int(get("PageCount")) if (get("PageCount") or "").isdigit() else None
    return build(
        "comicinfo",
        0.9,
        title=common.clean_text(get("Title")),
        series=common.clean_text(get("Series")),
        series_index=common.parse_number(get("Number")),
        issue=common.clean_text(get("Number"), 16),
        volume=common.clean_text(get("Volume"), 16),
        year=year,
        published=published,
        people=people,
        publisher=common.clean_text(get("Publisher")),
        language=common.language_code(get("LanguageISO") or ""),
        page_count=page_count,
        description=common.strip_html(get("Summary")),
        isbn13=isbn13,
        identifiers=identifiers,
    )


def _finish(
    info_xml: bytes | None, cover: Cover | None, images: int, warnings: list[str]
) -> ExtractedMetadata:
    meta = build("comic", 0.9, warnings=tuple(warnings), cover=cover, page_count=images or None)
    if info_xml is None:
        return meta
    try:
        info = parse_comicinfo(info_xml)
    except ExtractionError as exc:
        warnings.append(f"ComicInfo.xml ignored: {exc.reason}")
        return build("comic", 0.9, warnings=tuple(warnings), cover=cover, page_count=images or None)
    from scanning.extractors.base import merge

    return merge(info, meta)


def _pick(names: list[str]) -> tuple[str | None, list[str]]:
    info = next((n for n in names if n.rsplit("/", 1)[-1].lower() == "comicinfo.xml"), None)
    images = sorted(
        (
            n
            for n in names
            if n.lower().endswith(IMAGE_EXTENSIONS) and not n.rsplit("/", 1)[-1].startswith(".")
        ),
        key=natural_key,
    )
    return info, images


class CbzExtractor:
    name = "cbz"
    extensions = frozenset({".cbz"})
    kind = "comic"

    def extract(self, path: Path, options: ExtractOptions) -> ExtractedMetadata:
        warnings: list[str] = []
        with SafeZip(path, options) as zf:
            if zf.unsafe_names:
                warnings.append(f"ignored {len(zf.unsafe_names)} member(s) with unsafe names")
            info_name, images = _pick(zf.names())
            info_xml = zf.read(info_name, limit=options.max_xml_bytes) if info_name else None
            cover = None
            if images and options.with_cover:
                data = zf.read(images[0], limit=options.max_cover_bytes)
                media_type = image_media_type(data)
                cover = Cover(data, media_type) if media_type else None
        return _finish(info_xml, cover, len(images), warnings)


def configure_rar_backend() -> str:
    """Point rarfile at `unrar` (handles RAR5 solid) or else `unar`; name the tool if neither exists."""
    import rarfile

    if shutil.which("unrar"):
        rarfile.tool_setup(unrar=True, unar=False, bsdtar=False, sevenzip=False, sevenzip2=False, force=True)
        return "unrar"
    if shutil.which("unar"):
        rarfile.tool_setup(unrar=False, unar=True, bsdtar=False, sevenzip=False, sevenzip2=False, force=True)
        return "unar"
    raise MissingTool(
        "CBR needs the `unrar` program (Debian non-free package 'unrar'; `unar` also works "
        "except for RAR5 solid archives) and neither is installed"
    )


class CbrExtractor:
    name = "cbr"
    extensions = frozenset({".cbr"})
    kind = "comic"

    def extract(self, path: Path, options: ExtractOptions) -> ExtractedMetadata:
        with open_book(path) as handle:  # a special file is refused before a tool is looked for
            configure_rar_backend()
            return self._read(handle, options)

    @staticmethod
    def _read(handle: BinaryIO, options: ExtractOptions) -> ExtractedMetadata:
        import rarfile

        warnings: list[str] = []
        try:
            with rarfile.RarFile(handle) as rf:
                infos = [i for i in rf.infolist() if not i.is_dir()]
                safe = {i.filename: i for i in infos if is_safe_member_name(i.filename)}
                if len(safe) < len(infos):
                    warnings.append(f"ignored {len(infos) - len(safe)} member(s) with unsafe names")
                if sum(i.file_size for i in infos) > options.max_total_bytes:
                    raise ExtractionError(
                        "archive declares more uncompressed bytes than allowed (possible bomb)"
                    )
                info_name, images = _pick(list(safe))
                info_xml = _rar_read(rf, safe[info_name], options.max_xml_bytes) if info_name else None
                cover = None
                if images and options.with_cover:
                    data = _rar_read(rf, safe[images[0]], options.max_cover_bytes)
                    cover = Cover(data, image_media_type(data)) if image_media_type(data) else None
        except rarfile.RarCannotExec as exc:
            raise MissingTool(f"CBR extraction tool failed to start: {exc}") from exc
        except (rarfile.Error, OSError) as exc:
            raise ExtractionError(f"not a readable RAR archive: {exc}") from exc
        return _finish(info_xml, cover, len(images), warnings)


def _rar_read(rf, info, cap: int) -> bytes:
    if info.file_size > cap:
        raise ExtractionError(f"member {info.filename!r} is larger than {cap} bytes")
    with rf.open(info) as handle:
        data = handle.read(cap + 1)
    if len(data) > cap:
        raise ExtractionError(f"member {info.filename!r} inflates past {cap} bytes")
    return data
