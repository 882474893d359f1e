"""Metadata extractors: one per format family, a Protocol (`base.Extractor`) and an
explicit registry (`registry`). Pure adapters: they import only `core` and their types."""

from scanning.extractors.base import (
    Chapter,
    Cover,
    ExtractedMetadata,
    ExtractionError,
    ExtractOptions,
    Extractor,
    MissingTool,
    Person,
    merge,
)
from scanning.extractors.registry import EXTRACTORS, extract, extractor_for, kind_for, supported_extensions

__all__ = [
    "EXTRACTORS",
    "Chapter",
    "Cover",
    "ExtractOptions",
    "ExtractedMetadata",
    "ExtractionError",
    "Extractor",
    "MissingTool",
    "Person",
    "extract",
    "extractor_for",
    "kind_for",
    "merge",
    "supported_extensions",
]
