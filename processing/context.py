"""What the import steps share: the frozen inputs (item, options) and the state each step
leaves for the next. A step stops the run cleanly by raising StopImport."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from processing.types import ExtractedMetadata, ImportOptions, MatchResult, PlacedFile, WantedItem

if TYPE_CHECKING:
    from processing.steps.locate import Located, LocatedFile


class StopImport(Exception):
    """End the run now with `status` (e.g. needs_review) and a reason; later steps do not run."""

    def __init__(self, status: str, reason: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.details = details or {}


def _no_progress(done: int, total: int | None = None, message: str | None = None) -> None:
    return None


@dataclass
class ImportContext:
    run_id: int
    storage_path: str
    item: WantedItem
    options: ImportOptions
    work_dir: Path
    progress: Callable[..., None] = _no_progress
    # filled in by the steps, in order
    local_path: Path | None = None
    located: Located | None = None
    extracted: ExtractedMetadata | None = None
    match: MatchResult | None = None
    to_place: list[tuple[LocatedFile, str]] = field(default_factory=list)  # (file, role)
    placed: list[PlacedFile] = field(default_factory=list)
    recycled: list[Path] = field(default_factory=list)  # earlier library files moved to the recycle folder
    book_dir: Path | None = None
    sidecars: dict[str, str] = field(default_factory=dict)
    embedded_cover: bytes | None = None
    catalogue: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what the user should read in the import event
    outcome_status: str = ""  # set before cleanup: steps roll back when the run did not complete

    def require_located(self) -> Located:
        if self.located is None:
            raise RuntimeError("locate step has not run")
        return self.located


class Step(Protocol):
    name: str

    def applies(self, ctx: ImportContext) -> bool: ...

    def run(self, ctx: ImportContext) -> dict[str, Any]: ...

    def cleanup(self, ctx: ImportContext) -> None: ...


class BaseStep:
    """Defaults: always applies, nothing to clean up."""

    name = "step"

    def applies(self, ctx: ImportContext) -> bool:
        return True

    def cleanup(self, ctx: ImportContext) -> None:
        return None
