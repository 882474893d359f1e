"""The explicit list of extractors, picked by file extension."""

from __future__ import annotations

import logging
import os
from pathlib import Path, PurePath

from scanning.extractors.archives import is_comic_archive
from scanning.extractors.audio import AudioExtractor
from scanning.extractors.base import (
    ExtractedMetadata,
    ExtractionError,
    ExtractOptions,
    Extractor,
    MissingTool,
)
from scanning.extractors.comic import CbrExtractor, CbzExtractor
from scanning.extractors.epub import EpubExtractor
from scanning.extractors.mobi import MobiExtractor
from scanning.extractors.pdf import PdfExtractor

logger = logging.getLogger(__name__)

EXTRACTORS: tuple[Extractor, ...] = (
    EpubExtractor(),
    MobiExtractor(),
    PdfExtractor(),
    CbzExtractor(),
    CbrExtractor(),
    AudioExtractor(),
)
_BY_EXTENSION: dict[str, Extractor] = {ext: e for e in EXTRACTORS for ext in e.extensions}
# a renamed cbz/cbr: a comic when its members say so (scanning.extractors.archives)
_MAYBE_COMIC: dict[str, Extractor] = {".zip": _BY_EXTENSION[".cbz"], ".rar": _BY_EXTENSION[".cbr"]}


def supported_extensions() -> frozenset[str]:
    return frozenset(_BY_EXTENSION) | frozenset(_MAYBE_COMIC)


def _suffix(path: Path | str) -> str:
    # a str is not made a Path (a scan asks for every file): splitext takes the same suffix
    return (path.suffix if isinstance(path, PurePath) else os.path.splitext(path)[1]).lower()


def extractor_for(path: Path | str) -> Extractor | None:
    """The extractor by extension; a `.zip` or `.rar` only when it holds a comic (this opens it)."""
    suffix = _suffix(path)
    extractor = _BY_EXTENSION.get(suffix)
    if extractor is None and suffix in _MAYBE_COMIC and is_comic_archive(str(path)):
        return _MAYBE_COMIC[suffix]
    return extractor


def kind_for(path: Path | str) -> str | None:
    extractor = extractor_for(path)
    return extractor.kind if extractor else None


def extract(path: Path, options: ExtractOptions | None = None) -> ExtractedMetadata:
    """Run the right extractor. A file nothing can read raises `ExtractionError` with the
    reason; an unexpected bug inside a parser is turned into one too (a scan never crashes
    on a hostile file), while a missing tool stays `MissingTool` so it can be reported."""
    extractor = extractor_for(path)
    if extractor is None:
        raise ExtractionError(f"unsupported format {path.suffix!r}")
    try:
        return extractor.extract(path, options or ExtractOptions())
    except (ExtractionError, MissingTool):
        raise
    except MemoryError as exc:
        raise ExtractionError("file needs too much memory to read (possible bomb)") from exc
    except RecursionError as exc:
        raise ExtractionError("file nests too deeply to read") from exc
    except Exception as exc:
        logger.debug("extractor %s failed on %s", extractor.name, path, exc_info=True)
        raise ExtractionError(f"{extractor.name} reader failed: {type(exc).__name__}: {exc}") from exc
