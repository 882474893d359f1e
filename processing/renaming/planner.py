"""Planning (the preview): for every file of the selected items, render the template,
find the companions that go with it, detect conflicts (destination exists on disk or in
the database, two files mapping to one destination, path too long, missing metadata)
and apply the conflict policy. The plan is stored as RenameOperation rows; executing
the batch moves exactly those rows, so preview and execute give the same paths."""

from __future__ import annotations

import bisect
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from core.errors import InvalidInput
from core.naming import MissingMetadata, NamingContext, Template, has_own_folder, render
from core.paths import MAX_PATH_BYTES, case_key, legalize_component, path_bytes, safe_join, split_extension
from core.paths import unique_path as next_free_path
from media.models import ContributorRole, LibraryFile, MediaItem
from processing.renaming.fsops import PART_SUFFIX
from processing.renaming.models import ConflictCode, ConflictPolicy, OpRole, OpState
from processing.steps.sidecars import written_by_import
from scanning.sidecars import folder_as_scanned, is_generic

BOOK_EXTENSIONS = {
    ".epub",
    ".kepub",
    ".mobi",
    ".azw",
    ".azw3",
    ".pdf",
    ".cbz",
    ".cbr",
    ".cb7",
    ".djvu",
    ".fb2",
    ".lit",
    ".m4b",
}
AUDIO_EXTENSIONS = {".mp3", ".m4a", ".flac", ".ogg", ".opus", ".aac", ".wav", ".wma"}
MAX_OWNED_TREE = 2000
_CATEGORY = {"ebook": "Ebooks", "audiobook": "Audiobooks", "comic": "Comics"}


@dataclass(frozen=True)
class PlannedMove:
    source: str
    destination: str
    item_id: int | None = None
    library_file_id: int | None = None
    role: str = OpRole.FILE
    state: str = OpState.PLANNED
    conflict: str = ""
    overwrite: bool = False
    message: str = ""


def context_for(item: MediaItem, path: str, fmt: str = "") -> NamingContext:
    """What the template sees for one file of an item (contributions prefetched)."""
    contributions = sorted(item.contributions.all(), key=lambda c: c.position)
    writers = [c.author for c in contributions if c.role in (ContributorRole.AUTHOR, ContributorRole.WRITER)]
    narrators = [c.author.name for c in contributions if c.role == ContributorRole.NARRATOR]
    name = Path(path).name
    stem, ext = split_extension(name)
    return NamingContext(
        title=item.title,
        authors=tuple(a.name for a in writers),
        author_sort_names=tuple(a.sort_name or a.name for a in writers),
        narrators=tuple(narrators),
        series_title=item.series.title if item.series_id else "",
        series_index=item.series_index,
        year=item.year,
        language=item.language,
        format=fmt or ext.lstrip("."),
        category=_CATEGORY.get(item.kind, ""),
        genre=str(getattr(item, "genre", "") or ""),
        publisher=item.publisher,
        isbn=item.isbn13,
        issue=item.issue_number,
        volume=item.volume,
        ext=ext.lstrip("."),
        original_filename=stem,
        kind=item.kind,
    )


@dataclass(frozen=True)
class FolderSidecars:
    """A folder's generic sidecars and whose they are: the one book's of the folder as a scan
    sees it (`scanned`: every file of that book must be the item's), else the item an import
    wrote them for."""

    paths: tuple[str, ...]
    scanned: bool
    book_files: frozenset[str] = frozenset()
    written_for: str = ""


def _folder_sidecars(directory: Path) -> FolderSidecars:
    scanned = folder_as_scanned(str(directory))
    found = tuple(scanned.sidecars[name] for name in sorted(scanned.sidecars) if is_generic(name))
    if found:
        return FolderSidecars(found, True, frozenset(f.path for f in scanned.files))
    owner, written = written_by_import(directory)
    return FolderSidecars(tuple(str(path) for path in written), False, written_for=owner)


@dataclass
class Planner:
    """Plans moves one chunk of items at a time, remembering every destination it gave
    out so two files never get the same one (compared case-insensitively)."""

    root: Path
    template: Template
    policy: str
    known_paths: Callable[[list[str]], set[str]] = field(default=lambda paths: set())
    placement: Callable[[str], tuple[Path, Template]] | None = None  # (root, template) of a file
    library_roots: tuple[Path, ...] = ()  # scan folders and target roots: never a book's own folder
    taken: set[str] = field(default_factory=set)
    _listings: dict[str, dict[str, str]] = field(default_factory=dict)
    _trees: dict[str, list[str]] = field(default_factory=dict)
    _generic: dict[str, FolderSidecars] = field(default_factory=dict)

    def listing(self, directory: Path) -> dict[str, str]:
        key = str(directory)
        if key not in self._listings:
            try:
                self._listings[key] = {case_key(name): name for name in os.listdir(directory)}
            except OSError:
                self._listings[key] = {}
        return self._listings[key]

    def exists(self, dst: Path, src: Path) -> bool:
        entry = self.listing(dst.parent).get(case_key(dst.name))
        if entry is None:
            return False
        return not (dst.parent == src.parent and case_key(entry) == case_key(src.name))

    def plan_items(self, items: Iterable[MediaItem]) -> list[PlannedMove]:
        """Books first (conflicts resolved), then the companions of the books that will
        move, towards their books' final names: a skipped book keeps its companions."""
        items = list(items)
        books = self.resolve([move for item in items for move in self._item_moves(item)])
        moving: dict[int, list[tuple[Path, Path]]] = {}
        for move in books:
            if move.state == OpState.PLANNED:
                moving.setdefault(move.item_id, []).append((Path(move.source), Path(move.destination)))
        companions = [
            move for item in items if item.pk in moving for move in self._companions(item, moving[item.pk])
        ]
        return books + self.resolve(companions)

    def _placement(self, source: str) -> tuple[Path, Template]:
        """Root and template of one file: its library's (see roots.py), else the planner's."""
        return self.placement(source) if self.placement else (self.root, self.template)

    def _item_moves(self, item: MediaItem) -> list[PlannedMove]:
        moves: list[PlannedMove] = []
        for file in item.files.all():
            root, template = self._placement(file.path)
            try:
                relative = render(template, context_for(item, file.path, file.format))
                dst = safe_join(root, relative)
            except MissingMetadata as exc:
                moves.append(_failed(item, file, ConflictCode.MISSING_METADATA, exc.message))
                continue
            except InvalidInput as exc:
                moves.append(_failed(item, file, ConflictCode.TOO_LONG, exc.message))
                continue
            moves.append(PlannedMove(file.path, str(dst), item.pk, file.pk))
        return moves

    def _companions(self, item: MediaItem, primaries: list[tuple[Path, Path]]) -> list[PlannedMove]:
        sources = {str(src) for src, _ in primaries} | {f.path for f in item.files.all()}
        by_dir: dict[Path, list[tuple[Path, Path]]] = {}
        for src, dst in primaries:
            by_dir.setdefault(src.parent, []).append((src, dst))
        moves: list[PlannedMove] = []
        for src_dir, pairs in by_dir.items():
            stems = sorted(
                ((split_extension(s.name)[0], split_extension(d.name)[0]) for s, d in pairs),
                key=lambda pair: -len(pair[0]),
            )
            owned = self._owned(src_dir, item, sources)
            prefix = f"{src_dir}{os.sep}"
            candidates = (
                self._tree(src_dir)
                if owned
                else [
                    *self._same_stem(src_dir, [old for old, _ in stems]),
                    *self._generic_sidecars(src_dir, item, sources),
                ]
            )
            for path in candidates:
                if path in sources or path.endswith(PART_SUFFIX):
                    continue
                relative = self._sidecar_name(PurePath(path[len(prefix) :]), item, pairs[0], sources)
                relative = relative or _companion_name(PurePath(path[len(prefix) :]), stems, owned=owned)
                if relative is not None and str(pairs[0][1].parent / relative) != path:
                    dst = str(pairs[0][1].parent / relative)
                    moves.append(PlannedMove(path, dst, item.pk, None, OpRole.COMPANION))
        return moves

    def _generic_sidecars(self, directory: Path, item: MediaItem, sources: set[str]) -> list[str]:
        """The generic sidecars (`metadata.opf`, `cover.jpg`) of a folder the item does not own
        that are still its own: the folder holds one book, all of whose files are the item's
        (the scan gives them to it), or an import wrote them for the item. A comic's folder
        image is the series'."""
        if item.kind == "comic":
            return []
        key = str(directory)
        if key not in self._generic:  # once per folder: a flat folder may hold thousands of books
            self._generic[key] = _folder_sidecars(directory)
        found = self._generic[key]
        mine = found.book_files <= sources if found.scanned else found.written_for == str(item.pk)
        return list(found.paths) if mine else []

    def _sidecar_name(
        self, relative: PurePath, item: MediaItem, book: tuple[Path, Path], sources: set[str]
    ) -> PurePath | None:
        """A generic sidecar beside the book keeps its name in a folder of the book's own; where
        other books live or may come (the template shares the folder) it is named after the
        book, so it never becomes a sidecar of several books. None for other companions."""
        if len(relative.parts) != 1 or not is_generic(relative.name.lower()):
            return None
        if self._folder_of_its_own(item, book, sources):
            return relative
        new_stem = split_extension(book[1].name)[0]
        return PurePath(legalize_component(new_stem + split_extension(relative.name)[1].lower()))

    def _folder_of_its_own(self, item: MediaItem, book: tuple[Path, Path], sources: set[str]) -> bool:
        src, dst = book
        try:
            if not has_own_folder(self.template, context_for(item, str(src))):
                return False
        except InvalidInput:  # MissingMetadata too
            return False
        names = self.listing(dst.parent).values()
        return not any(
            os.path.splitext(name)[1].lower() in BOOK_EXTENSIONS and str(dst.parent / name) not in sources
            for name in names
        )

    def _top_names(self, directory: Path) -> list[str]:
        """Sorted names of the plain files directly in `directory` (cached per plan)."""
        key = f"top:{directory}"
        if key not in self._listings:
            try:
                with os.scandir(directory) as entries:
                    names = sorted(e.name for e in entries if e.is_file(follow_symlinks=False))
            except OSError:
                names = []
            self._listings[key] = dict.fromkeys(names)  # type: ignore[assignment]
        return list(self._listings[key])

    def _same_stem(self, directory: Path, stems: list[str]) -> list[str]:
        names = self._top_names(directory)
        found: list[str] = []
        for stem in stems:
            start = bisect.bisect_left(names, f"{stem}.")
            while start < len(names) and names[start].startswith(f"{stem}."):
                found.append(os.path.join(directory, names[start]))
                start += 1
        return found

    def _tree(self, directory: Path) -> list[str]:
        """Every file under `directory` (cached), or [] past MAX_OWNED_TREE files."""
        key = str(directory)
        if key not in self._trees:
            found: list[str] = []
            for base, _dirs, names in os.walk(directory):
                found.extend(os.path.join(base, name) for name in names)
                if len(found) > MAX_OWNED_TREE:
                    found = []
                    break
            self._trees[key] = sorted(found)
        return self._trees[key]

    def _owned(self, directory: Path, item: MediaItem, sources: set[str]) -> bool:
        """A folder belongs to the item when it is not a library root (or above one) and
        no file in it belongs to another item: then everything in it moves along."""
        if self._holds_a_root(directory) or directory == directory.parent:
            return False
        files = self._tree(directory)
        if not files:
            return False
        others = [f for f in files if f not in sources]
        for path in others:
            ext = os.path.splitext(path)[1].lower()
            if ext in BOOK_EXTENSIONS or (ext in AUDIO_EXTENSIONS and item.kind != "audiobook"):
                return False  # another book's file (known to the database or not)
        return not self.known_paths(others)

    def _holds_a_root(self, directory: Path) -> bool:
        """The folder is a library root (the planner's, a scan folder, a target root) or above one."""
        return any(root.is_relative_to(directory) for root in (self.root, *self.library_roots))

    def resolve(self, wanted: list[PlannedMove]) -> list[PlannedMove]:
        in_db = self.known_paths([m.destination for m in wanted if m.state == OpState.PLANNED])
        own = {m.source for m in wanted}
        return [self._resolve_one(m, in_db - own) for m in wanted]

    def _resolve_one(self, move: PlannedMove, in_db: set[str]) -> PlannedMove:
        if move.state != OpState.PLANNED:
            return move
        src, dst = Path(move.source), Path(move.destination)
        if move.source == move.destination:
            return _with(move, state=OpState.SKIPPED, conflict=ConflictCode.UNCHANGED)
        if not src.is_file():
            return _with(
                move,
                state=OpState.SKIPPED,
                conflict=ConflictCode.SOURCE_MISSING,
                message="The source file is not on disk",
            )
        if path_bytes(dst) > MAX_PATH_BYTES:
            return _with(move, state=OpState.SKIPPED, conflict=ConflictCode.TOO_LONG)
        duplicate = case_key(dst) in self.taken
        exists = self.exists(dst, src) or move.destination in in_db
        if duplicate or exists:
            move = self._apply_policy(
                move, ConflictCode.DUPLICATE if duplicate else ConflictCode.DESTINATION_EXISTS, in_db
            )
        if move.state == OpState.PLANNED:
            self.taken.add(case_key(move.destination))
        return move

    def _apply_policy(self, move: PlannedMove, code: str, in_db: set[str]) -> PlannedMove:
        src = Path(move.source)
        if self.policy == ConflictPolicy.SUFFIX:
            free = next_free_path(
                Path(move.destination),
                lambda p: case_key(p) in self.taken or self.exists(p, src) or str(p) in in_db,
            )
            return _with(move, destination=str(free), conflict=code, message=f"Renamed to {free.name}")
        if (
            self.policy == ConflictPolicy.OVERWRITE
            and code == ConflictCode.DESTINATION_EXISTS
            and move.destination not in in_db
        ):
            return _with(
                move,
                conflict=code,
                overwrite=True,
                message="The existing file will be moved to the recycle folder",
            )
        return _with(move, state=OpState.SKIPPED, conflict=code)


def _with(move: PlannedMove, **changes) -> PlannedMove:
    from dataclasses import replace

    return replace(move, **changes)


def _failed(item: MediaItem, file: LibraryFile, code: str, message: str) -> PlannedMove:
    return PlannedMove(file.path, "", item.pk, file.pk, OpRole.FILE, OpState.SKIPPED, code, False, message)


def _companion_name(relative: Path, stems: list[tuple[str, str]], *, owned: bool) -> Path | None:
    """Where a companion goes relative to its book's new folder: same-stem files
    (`Old.opf`, `Old.en.srt`) take the new stem; in a folder owned by the item
    everything else keeps its name and relative place; otherwise it stays."""
    if len(relative.parts) == 1:
        name = relative.name
        for old, new in stems:
            if name.startswith(f"{old}."):
                return Path(legalize_component(new + name[len(old) :]))
        return relative if owned else None
    return relative if owned else None
