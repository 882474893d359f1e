"""Which web reader opens which file, and what each reader needs to start: the comic's page
count and reading direction, the audiobook's tracks on one timeline with their chapters.

Pure of HTTP: the views turn these into pages."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from scanning.extractors.audio import AudioExtractor
from scanning.extractors.base import ExtractionError, ExtractOptions
from scanning.extractors.comic import _pick, natural_key
from scanning.extractors.safety import SafeZip, parse_xml

EBOOK, PDF, COMIC, AUDIO = "ebook", "pdf", "comic", "audio"
# The order a book's files are tried in when the user just asks to read it.
PREFERENCE: tuple[tuple[str, str], ...] = (
    ("epub", EBOOK),
    ("kepub", EBOOK),
    ("azw3", EBOOK),
    ("mobi", EBOOK),
    ("azw", EBOOK),
    ("fb2", EBOOK),
    ("pdf", PDF),
    ("cbz", COMIC),
    ("cbr", COMIC),
    ("m4b", AUDIO),
    ("m4a", AUDIO),
    ("mp3", AUDIO),
    ("flac", AUDIO),
    ("ogg", AUDIO),
    ("opus", AUDIO),
)
READER_OF = dict(PREFERENCE)
RANK = {fmt: rank for rank, (fmt, _) in enumerate(PREFERENCE)}
OPTIONS = ExtractOptions(with_cover=False)


def reader_for(fmt: str) -> str | None:
    return READER_OF.get(fmt.lower())


def best_file(files):
    """The file a "Read"/"Listen" button opens: EPUB, then Kindle formats, PDF, comics, audio."""
    readable = [f for f in files if reader_for(f.format)]
    return min(readable, key=lambda f: (RANK[f.format.lower()], natural_key(Path(f.path).name)), default=None)


def comic_right_to_left(path: Path) -> bool:
    """ComicInfo.xml says `<Manga>YesAndRightToLeft</Manga>` (CBZ only: a RAR would be read twice)."""
    if path.suffix.lower() not in {".cbz", ".zip"}:
        return False
    try:
        with SafeZip(path, OPTIONS) as zf:
            info = _pick(zf.names())[0]
            data = zf.read(info, limit=OPTIONS.max_xml_bytes) if info else None
        root = parse_xml(data, what="ComicInfo.xml") if data else None
    except (ExtractionError, OSError):
        return False
    manga = root.find("{*}Manga") if root is not None else None
    return manga is not None and (manga.text or "").strip().lower() == "yesandrighttoleft"


@dataclass(frozen=True)
class Chapter:
    title: str
    start: float  # seconds into its file


@dataclass(frozen=True)
class Track:
    file_id: int
    title: str
    duration: float | None  # None: unknown until the browser reads the file's header
    chapters: tuple[Chapter, ...] = field(default=())


def audio_tracks(files) -> list[Track]:
    """The audiobook's files in natural order (the player lays them on one timeline). Chapters
    are the file's own (M4B/ID3 chapters), or the whole file as one chapter when it has none."""
    ordered = sorted((f for f in files if reader_for(f.format) == AUDIO), key=lambda f: natural_key(f.path))
    tracks = []
    for library_file in ordered:
        duration, chapters = _audio_facts(Path(library_file.path))
        title = Path(library_file.path).stem
        own = tuple(Chapter(c.title or title, c.start_seconds) for c in chapters) or (Chapter(title, 0.0),)
        tracks.append(Track(library_file.pk, title, duration, own))
    return tracks


def _audio_facts(path: Path):
    try:
        meta = AudioExtractor().extract(path, OPTIONS)
    except ExtractionError:
        return None, ()
    return meta.duration_seconds, meta.chapters


def as_json(tracks: list[Track]) -> list[dict]:
    return [asdict(track) for track in tracks]
