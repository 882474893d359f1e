"""Where a rename puts each file: inside its own library. A file under a scan folder stays in
that folder, or goes to the folder's target root when one is set, named by the folder's own
template when it has one; a file under no scan folder (an imported book) goes to the batch's
root, OMNI_LIBRARY_DIR by default. Leaving a scan folder is the user's choice: every planned
move out of one is marked in the preview and counted, and stays undone (skipped) unless the
preview request allows it (`allow_other_root`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from django.db.models import Q

from core.errors import InvalidInput
from core.naming import Template, parse_template
from core.paths import is_under
from processing.renaming.models import OpState
from processing.renaming.planner import PlannedMove
from scanning.extractors.calibre_db import in_book_folder
from scanning.models import ScanFolder

NOT_ALLOWED = "not done: allow moving to another root and preview again to include it"
TARGET_MISSING = "not done: the target root is missing (not mounted?)"
CALIBRE_MANAGED = "not done: calibre manages this file (its library's metadata.db points at it); rename it in calibre"


@dataclass(frozen=True)
class Library:
    """A scan folder as renames see it: where its files are and where renames put them."""

    path: str
    target: str  # the scan folder itself unless it has a target root
    template: str = ""  # "" = the template chosen for the rename
    name: str = ""

    @property
    def moves_out(self) -> bool:
        return not is_under(self.target, self.path)

    def leaving_note(self) -> str:
        return f"Moves out of {self.path} to {self.target}"


@dataclass
class Libraries:
    """The scan folders of one plan, with counts of what the plan does in each."""

    default_root: Path
    default_template: Template
    libraries: tuple[Library, ...] = ()
    templates: dict[str, Template] = field(default_factory=dict)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    @classmethod
    def load(cls, *, default_root: Path, default_template: Template) -> Libraries:
        libraries = tuple(
            Library(path, target or path, template, name)
            for path, target, template, name in ScanFolder.objects.order_by("path").values_list(
                "path", "target_root", "naming_template", "name"
            )
        )
        return cls(default_root, default_template, libraries, _parse_templates(libraries))

    def library_of(self, path: str) -> Library | None:
        """The library a file is in: the longest scan folder or target root holding it."""
        best, best_length = None, -1
        for library in self.libraries:
            for place in (library.path, library.target):
                if len(place) > best_length and is_under(path, place):
                    best, best_length = library, len(place)
        return best

    def placement(self, source: str) -> tuple[Path, Template]:
        """(root, template) of a file: its library's, else the batch's."""
        library = self.library_of(source)
        if library is None:
            return self.default_root, self.default_template
        return Path(library.target), self.templates.get(library.template, self.default_template)

    def roots(self) -> tuple[Path, ...]:
        """Every scan folder and target root, as written and resolved: never a book's own folder."""
        places = {Path(p) for library in self.libraries for p in (library.path, library.target)}
        return tuple(places | {p.resolve() for p in places})

    def leaving(self, move: PlannedMove) -> Library | None:
        """The scan folder a move takes its file out of (None when the file stays in it)."""
        library = self.library_of(move.source)
        if library is None or not library.moves_out or not is_under(move.source, library.path):
            return None
        return library

    def mark(self, moves: list[PlannedMove], *, allowed: bool) -> list[PlannedMove]:
        """Mark (and, unless allowed, skip) the planned moves that leave their scan folder."""
        return [self._mark_one(move, allowed=allowed) for move in moves]

    def _mark_one(self, move: PlannedMove, *, allowed: bool) -> PlannedMove:
        library = self.library_of(move.source)
        if library is not None:
            tally = self.counts.setdefault(library.path, {"files": 0, "leaving": 0})
            tally["files"] += 1
            move = _as_written(move, library.target)
        if move.state == OpState.PLANNED and in_book_folder(move.source):
            return replace(move, state=OpState.SKIPPED, message=CALIBRE_MANAGED)
        leaving = self.leaving(move)
        if leaving is None or move.state != OpState.PLANNED:
            return move
        self.counts[leaving.path]["leaving"] += 1
        note = leaving.leaving_note()
        if not allowed:
            return replace(move, state=OpState.SKIPPED, message=f"{note}: {NOT_ALLOWED}")
        if not os.path.isdir(leaving.target):  # never create a missing mount point's folders
            return replace(move, state=OpState.SKIPPED, message=f"{note}: {TARGET_MISSING}")
        return replace(move, message=f"{note}; {move.message}" if move.message else note)

    def summary(self) -> list[dict]:
        """The libraries this plan touches, for the preview (stored with the batch)."""
        return [
            {
                "path": library.path,
                "name": library.name,
                "target": library.target,
                "template": library.template,
                **self.counts[library.path],
            }
            for library in self.libraries
            if library.path in self.counts
        ]


def _as_written(move: PlannedMove, target: str) -> PlannedMove:
    """The destination spelled under the library's root as the user wrote it (and as scans
    store paths), not through the real path a symlink in it resolves to."""
    real = os.path.realpath(target)
    if real == target or not is_under(move.destination, real):
        return move
    return replace(move, destination=target + move.destination[len(real) :])


def _parse_templates(libraries: tuple[Library, ...]) -> dict[str, Template]:
    templates = {}
    for library in libraries:
        if library.template and library.template not in templates:
            try:
                templates[library.template] = parse_template(library.template)
            except InvalidInput as exc:
                raise InvalidInput(
                    f"The naming template of {library.path} cannot be used: {exc.message}",
                    hint="Correct it on the scanning page",
                ) from exc
    return templates


# --- reading a stored plan ----------------------------------------------------------------------------------


def leaving_count(summary: list[dict]) -> int:
    return sum(entry.get("leaving", 0) for entry in summary)


def leaving_library(source: str, summary: list[dict]) -> dict | None:
    """The summary entry of the scan folder an operation's file leaves, if it does."""
    for entry in summary:
        if entry.get("leaving") and is_under(source, entry["path"]):
            return entry
    return None


def leaving_filter(summary: list[dict]) -> Q:
    """Operations whose file leaves its scan folder (none when nothing leaves)."""
    query = Q(pk__in=[])
    for entry in summary:
        if entry.get("leaving"):
            query |= Q(source__startswith=entry["path"].rstrip(os.sep) + os.sep)
    return query
