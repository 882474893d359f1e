"""Audio files through mutagen: title, album, artist/author, narrator/composer, series
tags, duration and chapters (ID3 CHAP, MP4 Nero chapters, Vorbis CHAPTERxxx). A folder
of audio files is one audiobook; grouping is the service's job, not this extractor's."""

from __future__ import annotations

import re
from pathlib import Path

from scanning.extractors import common
from scanning.extractors.base import (
    Chapter,
    Cover,
    ExtractedMetadata,
    ExtractionError,
    ExtractOptions,
    Person,
    build,
)
from scanning.extractors.safety import image_media_type, open_book

# Normalised tag name -> candidate raw keys (ID3 frame ids, MP4 atoms, Vorbis comments).
_KEYS = {
    "title": ("TIT2", "\xa9nam", "title"),
    "album": ("TALB", "\xa9alb", "album"),
    "artist": ("TPE1", "\xa9ART", "artist"),
    "albumartist": ("TPE2", "aART", "albumartist", "album artist"),
    "composer": ("TCOM", "\xa9wrt", "composer"),
    "narrator": ("TXXX:NARRATOR", "----:com.apple.iTunes:NARRATOR", "narrator", "performer"),
    "series": ("TXXX:SERIES", "----:com.apple.iTunes:SERIES", "series", "TXXX:MVNM", "\xa9mvn", "mvnm"),
    "series_part": (
        "TXXX:SERIES-PART",
        "----:com.apple.iTunes:SERIES-PART",
        "series-part",
        "TXXX:MVIN",
        "\xa9mvi",
        "mvin",
    ),
    "date": ("TDRC", "TYER", "\xa9day", "date", "year"),
    "publisher": ("TPUB", "----:com.apple.iTunes:PUBLISHER", "publisher", "organization"),
    "language": ("TLAN", "----:com.apple.iTunes:LANGUAGE", "language"),
    "description": ("COMM::eng", "desc", "\xa9cmt", "description", "comment"),
    "isbn": ("TXXX:ISBN", "----:com.apple.iTunes:ISBN", "isbn"),
    "asin": ("TXXX:ASIN", "----:com.apple.iTunes:ASIN", "asin", "audible_asin"),
}
_VORBIS_CHAPTER = re.compile(r"^chapter(\d{3})$", re.I)


def _first(tags, keys: tuple[str, ...]) -> str:
    for key in keys:
        try:
            value = tags.get(key)
        except (ValueError, KeyError, TypeError):
            value = None
        if value is None:
            continue
        if hasattr(value, "text"):
            value = value.text
        if isinstance(value, list | tuple):
            value = value[0] if value else ""
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        text = common.clean_text(str(value), 20_000)
        if text:
            return text
    return ""


def _chapters(audio) -> tuple[Chapter, ...]:
    tags = audio.tags
    found: list[Chapter] = []
    if tags is not None and hasattr(tags, "getall"):
        for frame in tags.getall("CHAP"):
            title = frame.sub_frames.get("TIT2")
            found.append(Chapter(str(title.text[0]) if title else frame.element_id, frame.start_time / 1000))
    mp4_chapters = getattr(audio, "chapters", None)
    if mp4_chapters:
        found.extend(Chapter(c.title or "", float(c.start)) for c in mp4_chapters)
    if tags is not None and not found and hasattr(tags, "keys"):
        names = {k.lower(): k for k in list(tags.keys()) if isinstance(k, str)}
        for low, key in sorted(names.items()):
            match = _VORBIS_CHAPTER.match(low)
            if match and f"{low}name" in names:
                found.append(Chapter(_first(tags, (names[f"{low}name"],)), _timestamp(_first(tags, (key,)))))
    return tuple(sorted(found, key=lambda c: c.start_seconds))


def _timestamp(text: str) -> float:
    parts = text.split(":")
    try:
        return sum(float(p) * 60**i for i, p in enumerate(reversed(parts)))
    except ValueError:
        return 0.0


def _cover(audio, options: ExtractOptions) -> Cover | None:
    tags = audio.tags
    data = b""
    if tags is not None and hasattr(tags, "getall"):
        pics = tags.getall("APIC")
        data = pics[0].data if pics else b""
    elif tags is not None and "covr" in tags:
        data = bytes(tags["covr"][0]) if tags["covr"] else b""
    elif getattr(audio, "pictures", None):
        data = audio.pictures[0].data
    media_type = image_media_type(data) if data else None
    return Cover(data, media_type) if media_type and len(data) <= options.max_cover_bytes else None


class AudioExtractor:
    name = "audio"
    extensions = frozenset({".m4b", ".m4a", ".mp3", ".flac", ".ogg", ".opus"})
    kind = "audiobook"

    def extract(self, path: Path, options: ExtractOptions) -> ExtractedMetadata:
        import mutagen

        try:
            with open_book(path) as handle:  # named after the path: mutagen weighs the suffix
                audio = mutagen.File(handle)
        except (mutagen.MutagenError, OSError, ValueError, EOFError) as exc:
            raise ExtractionError(f"not a readable audio file: {exc}") from exc
        if audio is None:
            raise ExtractionError("not a recognised audio file")
        tags = audio.tags if audio.tags is not None else {}
        get = {name: _first(tags, keys) for name, keys in _KEYS.items()}
        author = get["albumartist"] or get["artist"]
        narrator = get["narrator"] or (get["composer"] if get["composer"] != author else "")
        people = tuple(
            Person(n.strip(), "author") for n in re.split(r"[;/]| & ", author) if n.strip()
        ) + tuple(Person(n.strip(), "narrator") for n in re.split(r"[;/]| & ", narrator) if n.strip())
        published, year = common.parse_date(get["date"])
        isbn13 = common.isbn_from(get["isbn"])
        identifiers = tuple(x for x in (("isbn13", isbn13), ("asin", get["asin"])) if x[1])
        length = getattr(getattr(audio, "info", None), "length", None)
        return build(
            "audio",
            0.8,
            overrides={"duration_seconds": 1.0},
            title=get["album"] or get["title"],
            people=people,
            series=get["series"],
            series_index=common.parse_number(get["series_part"]),
            published=published,
            year=year,
            publisher=get["publisher"],
            language=common.language_code(get["language"]),
            description=common.strip_html(get["description"]),
            isbn13=isbn13,
            identifiers=identifiers,
            duration_seconds=round(float(length), 3) if length else None,
            chapters=_chapters(audio),
            cover=_cover(audio, options) if options.with_cover else None,
        )
