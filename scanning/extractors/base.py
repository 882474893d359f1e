"""What every extractor returns and the Protocol it implements.

Extractors are pure adapters: they read one file (never write it), import only `core`
and these types, and return an `ExtractedMetadata` with a confidence per field so the
services (and the metadata merger of the search app) can tell strong facts from guesses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Protocol, runtime_checkable


class FrozenMap(Mapping[str, float]):
    """A read-only, picklable mapping (per-field confidence crosses process boundaries)."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, float] | None = None) -> None:
        object.__setattr__(self, "_data", dict(data or {}))

    def __getitem__(self, key: str) -> float:
        return self._data[key]

    def get(self, key: str, default: float | None = None) -> float | None:  # type: ignore[override]
        return self._data.get(key, default)  # what Mapping.get does, without two Python calls

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self):
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self.items()) == dict(other.items())

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._data.items())))

    def __reduce__(self):
        return (FrozenMap, (self._data,))


class ExtractionError(Exception):
    """The file could not be read at all (not a zip, truncated, wrong magic...)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MissingTool(ExtractionError):
    """An external program the format needs is not installed (e.g. unrar for CBR)."""


@dataclass(frozen=True)
class Person:
    name: str
    role: str = "author"  # author, narrator, editor, translator, illustrator, writer, penciller
    file_as: str = ""


@dataclass(frozen=True)
class Cover:
    data: bytes = field(repr=False)
    media_type: str = "image/jpeg"

    @property
    def extension(self) -> str:
        return {"image/png": "png", "image/gif": "gif", "image/webp": "webp"}.get(self.media_type, "jpg")


@dataclass(frozen=True)
class Chapter:
    title: str
    start_seconds: float


# Fields that carry metadata (and so may have a confidence); kept in one place for merging.
METADATA_FIELDS = (
    "title",
    "subtitle",
    "people",
    "series",
    "series_index",
    "language",
    "publisher",
    "published",
    "year",
    "description",
    "subjects",
    "identifiers",
    "isbn13",
    "page_count",
    "duration_seconds",
    "chapters",
    "issue",
    "volume",
    "issue_count",
    "special",
    "cover",
    "rating",
)


@dataclass(frozen=True)
class ExtractedMetadata:
    """What one source said about one file. Empty values mean 'not known'."""

    source: str = ""
    title: str = ""
    subtitle: str = ""
    people: tuple[Person, ...] = ()
    series: str = ""
    series_index: float | None = None
    language: str = ""
    publisher: str = ""
    published: str = ""
    year: int | None = None
    description: str = ""
    subjects: tuple[str, ...] = ()
    identifiers: tuple[tuple[str, str], ...] = ()
    isbn13: str = ""
    page_count: int | None = None
    duration_seconds: float | None = None
    chapters: tuple[Chapter, ...] = ()
    issue: str = ""
    volume: str = ""
    issue_count: int | None = None  # a limited series' length: `#1 (of 6)`, ComicInfo's Count
    special: str = ""  # Annual, Special, TPB, One-Shot, GN, HC, Omnibus, FCBD
    cover: Cover | None = None
    rating: int | None = None  # 1-10, half stars (calibre's scale)
    confidence: Mapping[str, float] = field(default_factory=lambda: FrozenMap({}))
    warnings: tuple[str, ...] = ()
    # the source each field's value came from, where it is not `source` (set by `merge`)
    origins: Mapping[str, str] = field(default_factory=lambda: FrozenMap({}))
    # what the other layers said that `merge` did not keep: (field, value, source, confidence)
    overridden: tuple[tuple[str, object, str, float], ...] = ()

    @property
    def authors(self) -> tuple[Person, ...]:
        return tuple(p for p in self.people if p.role in ("author", "writer"))

    def origin(self, name: str) -> str:
        """The source that gave field `name` (sidecar OPF, embedded EPUB, file name...)."""
        return self.origins.get(name) or self.source  # type: ignore[return-value]

    def known_fields(self) -> tuple[str, ...]:
        return tuple([name for name in METADATA_FIELDS if getattr(self, name) not in _UNKNOWN])


_UNKNOWN = (None, "", ())
_NOT_KEPT = ("cover", "chapters")  # bulky, and no source of provenance: a losing layer's are dropped
_DEFAULTS = {f.name: f.default for f in fields(ExtractedMetadata) if f.name in METADATA_FIELDS}


def build(
    source: str,
    default_confidence: float,
    warnings: tuple[str, ...] = (),
    overrides: Mapping[str, float] | None = None,
    **values: object,
) -> ExtractedMetadata:
    """Make an `ExtractedMetadata` giving every known field `default_confidence`
    (or its entry in `overrides`)."""
    clean = {k: v for k, v in values.items() if v not in _UNKNOWN}
    chosen = overrides or {}
    confidence = {name: chosen.get(name, default_confidence) for name in clean if name != "cover"}
    if "cover" in clean:
        confidence["cover"] = chosen.get("cover", default_confidence)
    return ExtractedMetadata(source=source, confidence=FrozenMap(confidence), warnings=warnings, **clean)  # type: ignore[arg-type]


def merge(*sources: ExtractedMetadata) -> ExtractedMetadata:
    """Field by field, the value from the most confident source wins (ties: earlier source);
    the result remembers which source gave each field (`origins`) and what the other sources
    said (`overridden`: every value that lost, equal or not, but covers and chapter lists)."""
    values: dict[str, object] = {}
    confidence: dict[str, float] = {}
    origins: dict[str, str] = {}
    overridden: list[tuple[str, object, str, float]] = []
    warnings: list[str] = []
    for meta in sources:
        warnings.extend(meta.warnings)
        overridden.extend(meta.overridden)
        for name in meta.known_fields():
            value, score, origin = getattr(meta, name), meta.confidence.get(name, 0.0), meta.origins.get(name)
            if name not in values:
                values[name], confidence[name], origins[name] = value, score, origin or meta.source
                continue
            if score > confidence[name]:
                lost = (values[name], origins[name], confidence[name])
                values[name], confidence[name], origins[name] = value, score, origin or meta.source
            else:
                lost = (value, origin or meta.source, score)
            if name not in _NOT_KEPT:  # an equal value is the kept object itself: pickled once
                overridden.append((name, values[name] if lost[0] == values[name] else lost[0], *lost[1:]))
    return ExtractedMetadata(
        source="+".join(m.source for m in sources if m.source),
        confidence=FrozenMap(confidence),
        origins=FrozenMap(origins),  # type: ignore[arg-type]
        overridden=tuple(overridden),
        warnings=tuple(warnings),
        **values,
    )  # type: ignore[arg-type]


def without(meta: ExtractedMetadata, names: tuple[str, ...]) -> ExtractedMetadata:
    """`meta` not knowing the fields `names` (nor what it overrode of them)."""
    unknown = {name: _DEFAULTS[name] for name in names}
    conf = {k: v for k, v in meta.confidence.items() if k not in unknown}
    overridden = tuple(entry for entry in meta.overridden if entry[0] not in unknown)
    return replace(meta, confidence=FrozenMap(conf), overridden=overridden, **unknown)  # type: ignore[arg-type]


def without_cover(meta: ExtractedMetadata) -> ExtractedMetadata:
    return without(meta, ("cover",))


@dataclass(frozen=True)
class ExtractOptions:
    """Limits and switches for one extraction. Defaults are safe for hostile files."""

    with_cover: bool = True
    max_member_bytes: int = 64 * 1024 * 1024  # largest archive member we will read
    max_total_bytes: int = 256 * 1024 * 1024  # declared uncompressed size of the whole archive
    max_ratio: float = 200.0  # compression ratio above which a member is treated as a bomb
    max_xml_bytes: int = 4 * 1024 * 1024
    max_cover_bytes: int = 16 * 1024 * 1024
    render_pdf_cover: bool = True
    tool_timeout_seconds: float = 30.0


@runtime_checkable
class Extractor(Protocol):
    """One file format family. `extract` never raises for partial damage: it returns what
    it could read plus warnings, and raises `ExtractionError` only when nothing is readable."""

    name: str
    extensions: frozenset[str]
    kind: str  # ebook, comic, audiobook

    def extract(self, path: Path, options: ExtractOptions) -> ExtractedMetadata: ...


def field_names() -> tuple[str, ...]:
    return tuple(f.name for f in fields(ExtractedMetadata))
