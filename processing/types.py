"""Frozen values that cross the pipeline's boundaries (no ORM rows inside steps that do
not need the database)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from indexers.qualities import UpgradePlan


@dataclass(frozen=True)
class PathMapping:
    """The download client sees `remote`; this process sees the same folder at `local`."""

    remote: str
    local: str


@dataclass(frozen=True)
class WantedItem:
    """The catalogue item the download is meant to be (snapshot taken at the start)."""

    id: int
    kind: str
    title: str
    authors: tuple[str, ...] = ()
    author_sorts: tuple[str, ...] = ()
    narrators: tuple[str, ...] = ()
    series: str = ""
    series_index: str = ""
    isbn13: str = ""
    identifiers: tuple[tuple[str, str], ...] = ()
    language: str = ""
    publisher: str = ""
    published: str = ""
    year: int | None = None
    description: str = ""
    issue_number: str = ""
    duration_seconds: int | None = None  # audiobooks: the wanted edition's length
    cover_file: Path | None = None  # an already stored cover (data dir), a cover candidate


@dataclass(frozen=True)
class ReportedSize:
    """What the download client says it downloaded for the job, in bytes; `margin` when it
    only gave a rounded figure ("2.3 GB")."""

    bytes: int
    margin: int = 0
    client: str = "the download client"


@dataclass(frozen=True)
class ImportOptions:
    library_dir: Path
    recycle_dir: Path
    import_mode: str = "hardlink"
    keep_source: bool = False  # a torrent client still seeds the download: "move" becomes "hardlink"
    existing_file_policy: str = "skip"
    ebook_format: str = "epub"
    convert: str = "auto"  # auto | force | skip
    keep_original_format: bool = True
    convert_executable: str = "ebook-convert"
    convert_timeout_seconds: float = 900.0
    path_mappings: tuple[PathMapping, ...] = ()
    allowed_roots: tuple[Path, ...] = ()
    min_cover_size: int = 300
    match_threshold: float = 0.35
    accept_mismatch: bool = False
    reported_size: ReportedSize | None = None  # None: the client said nothing, nothing to check
    accept_size: bool = False
    templates: Mapping[str, str] = field(default_factory=dict)  # media kind -> path template
    repack_cbr: bool = False
    write_epub_metadata: bool = False
    upgrade: UpgradePlan | None = None  # the item is wanted for an upgrade: better files replace worse ones


@dataclass(frozen=True)
class ExtractedMetadata:
    """What the downloaded files say about themselves (tags, OPF, file/folder names)."""

    source: str  # "opf", "pdf", "comicinfo", "audio-tags", "filename"
    title: str = ""
    authors: tuple[str, ...] = ()
    isbn13: str = ""
    series: str = ""
    series_index: str = ""
    language: str = ""
    issue_number: str = ""
    narrators: tuple[str, ...] = ()
    duration_seconds: float | None = None  # audiobooks: all parts together


@dataclass(frozen=True)
class MatchResult:
    distance: float
    accepted: bool
    breakdown: dict[str, float] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlannedFile:
    """One file to put into the library: from `source` to `destination` (absolute)."""

    source: Path
    destination: Path
    format: str
    role: str = "book"  # book | original | part


@dataclass(frozen=True)
class PlacedFile:
    path: Path
    format: str
    role: str
    operation_id: int | None
    outcome: str  # placed | skipped_existing | duplicate | kept_both | replaced
