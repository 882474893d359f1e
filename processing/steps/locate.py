"""Locate and verify: from the storage path the download client reported for *this* job
(a file or a folder; never a walk of the whole completed folder), pick the book files.

Pure functions on paths: remote-path mapping, classification, the choice of files for a
media kind, and a readability/format check that fails with a clear reason."""

from __future__ import annotations

import re
import stat
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from core.errors import InvalidInput, NotFound
from core.files import kind_of, open_regular, size_of, special_reason
from processing.types import PathMapping
from scanning.services.hashing import full_hash
from scanning.sidecars import cover_owner
from scanning.walker import is_junk_folder

EBOOK_FORMATS = ("epub", "kepub", "azw3", "azw", "mobi", "pdf", "fb2", "djvu", "lit", "docx", "rtf", "txt")
AUDIO_FORMATS = ("m4b", "m4a", "mp3", "flac", "ogg", "opus", "aac", "wma", "wav")
COMIC_FORMATS = ("cbz", "cbr", "cb7", "cbt")
IMAGE_FORMATS = ("jpg", "jpeg", "png", "webp", "gif")
IGNORED_FORMATS = (
    "nfo",
    "par2",
    "sfv",
    "nzb",
    "srr",
    "srs",
    "url",
    "md5",
    "sha1",
    "log",
    "db",
    "ini",
    "exe",
    "lnk",
    "torrent",
    "!qb",
    "part",
)
COVER_STEMS = ("cover", "folder", "front", "poster", "thumb")
_SAMPLE = re.compile(r"(?:^|[\s._\-\[(])sample(?:[\s._\-\])]|$)", re.I)
_DIGITS = re.compile(r"(\d+)")
MAX_DEPTH = 4
MAX_FILES = 5000


@dataclass(frozen=True)
class LocatedFile:
    path: Path
    format: str
    size: int
    part: int = 0  # order of an audiobook part (0 for single files)


@dataclass(frozen=True)
class Located:
    root: Path
    kind: str
    files: tuple[LocatedFile, ...]  # book files; for ebooks the preferred format first
    covers: tuple[Path, ...]
    ignored: tuple[tuple[str, str], ...]  # (relative path, reason)
    copies: tuple[tuple[Path, Path], ...] = ()  # (copy left out, the identical file imported)

    @property
    def primary(self) -> LocatedFile:
        return self.files[0]


def _is_windows(path: str) -> bool:
    return "\\" in path or bool(re.match(r"^[A-Za-z]:", path))


def _parts(path: str) -> tuple[str, ...]:
    return (PureWindowsPath(path) if _is_windows(path) else PurePosixPath(path)).parts


def map_remote_path(reported: str, mappings: Sequence[PathMapping]) -> Path:
    """Translate the client's path with the longest matching remote prefix (whole path
    components only; Windows paths compared case-insensitively)."""
    reported = reported.strip()
    if not reported:
        raise InvalidInput("The download client reported no storage path")
    best: tuple[int, Path] | None = None
    for mapping in mappings:
        remote = _parts(mapping.remote.rstrip("/\\") or "/")
        target = _parts(reported)
        fold = _is_windows(mapping.remote)
        same = (
            [a.lower() for a in target[: len(remote)]] == [b.lower() for b in remote]
            if fold
            else target[: len(remote)] == remote
        )
        if same and (best is None or len(remote) > best[0]):
            best = (len(remote), Path(mapping.local).joinpath(*target[len(remote) :]))
    if best is not None:
        return best[1]
    if _is_windows(reported):
        raise InvalidInput(
            f"The download client reported a Windows path {reported!r} with no path mapping",
            hint="Add a remote path mapping from the client's folder to the local one.",
        )
    return Path(reported)


def natural_key(path: Path | str) -> tuple:
    """'Disc 2/Track 10' after 'Disc 2/Track 9' and 'Disc 10' after 'Disc 9'."""
    text = str(path).casefold()
    return tuple(int(chunk) if chunk.isdigit() else chunk for chunk in _DIGITS.split(text))


def _extension(path: Path) -> str:
    return path.suffix.lower().lstrip(".")


def _classify(path: Path, root: Path) -> tuple[str, str]:
    """(category, reason): category is book, audio, comic, cover, or ignored."""
    ext = _extension(path)
    rel_parts = path.relative_to(root).parts if path != root else (path.name,)
    if any(_SAMPLE.search(Path(p).stem) for p in rel_parts):
        return "ignored", "sample"
    if path.name.startswith(".") or ext in IGNORED_FORMATS:
        return "ignored", f".{ext or path.name} file"
    if ext in IMAGE_FORMATS:
        named_as_cover = path.stem.lower() in COVER_STEMS or cover_owner(path.name) is not None
        return ("cover", "") if named_as_cover else ("ignored", "image that is not a cover")
    for category, formats in (("book", EBOOK_FORMATS), ("audio", AUDIO_FORMATS), ("comic", COMIC_FORMATS)):
        if ext in formats:
            return category, ""
    return "ignored", f"unknown file type .{ext}" if ext else "no extension"


def _walk(root: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The regular files of a download folder, and its special files (FIFOs, sockets, device
    files: never read) with the reason."""
    found: list[Path] = []
    special: list[tuple[Path, str]] = []
    stack = [(root, 0)]
    while stack:
        folder, depth = stack.pop()
        for entry in sorted(folder.iterdir(), key=natural_key):
            if entry.is_symlink():
                continue
            if entry.is_dir():
                if depth < MAX_DEPTH and not is_junk_folder(entry.name):
                    stack.append((entry, depth + 1))
            elif entry.is_file():
                found.append(entry)
                if len(found) > MAX_FILES:
                    raise InvalidInput(f"{root} holds more than {MAX_FILES} files: not a single download")
            elif reason := _special(entry):
                special.append((entry, reason))
    return sorted(found, key=lambda p: natural_key(p.relative_to(root))), special


def _special(path: Path) -> str:
    """Why a folder entry that is neither a folder nor a regular file is left out ('' if it is gone)."""
    try:
        return special_reason(path.lstat().st_mode)
    except OSError:
        return ""


def _listed(root: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The files of a download (its storage path is one file or a folder of them)."""
    if root.is_dir():
        return _walk(root)
    mode = root.stat().st_mode
    if not stat.S_ISREG(mode):
        raise InvalidInput(f"The download's storage path {root} is {kind_of(mode)}, not a file or a folder")
    return [root], []


def drop_copies(files: list[LocatedFile]) -> tuple[list[LocatedFile], list[tuple[Path, Path]]]:
    """Identical files under different names are one file: the one with the shortest name
    ('Part 2.mp3', not 'Part 2 (1).mp3') is kept, in its place. Only files of equal size
    are hashed."""
    sizes = Counter(f.size for f in files)
    groups: dict[tuple[int, str], list[LocatedFile]] = {}
    for located in files:
        key = (located.size, full_hash(str(located.path)) if sizes[located.size] > 1 else "")
        groups.setdefault(key, []).append(located)
    keepers = {key: min(group, key=lambda f: len(f.path.name)) for key, group in groups.items()}
    copies = [
        (located.path, keepers[key].path) for key, group in groups.items() for located in group
        if located is not keepers[key]
    ]
    kept = set(map(id, keepers.values()))
    return [f for f in files if id(f) in kept], copies


def _ebook_files(books: list[LocatedFile], preferred: Sequence[str]) -> tuple[LocatedFile, ...]:
    """Several formats of one book are fine; two files of one format are two books."""
    by_format: dict[str, list[LocatedFile]] = {}
    for book in books:
        by_format.setdefault(book.format, []).append(book)
    doubled = {fmt: files for fmt, files in by_format.items() if len(files) > 1}
    if doubled:
        fmt, files = next(iter(doubled.items()))
        names = ", ".join(f.path.name for f in files[:4])
        raise InvalidInput(
            f"The download holds {len(files)} different .{fmt} files ({names}): "
            "more than one book, so it cannot be filed automatically",
            hint="Import the right file by hand or re-run with the storage path of that file.",
        )
    order = [*preferred, *EBOOK_FORMATS]
    return tuple(sorted(books, key=lambda b: order.index(b.format) if b.format in order else len(order)))


def _pick(
    kind: str, categorised: dict[str, list[LocatedFile]], preferred: Sequence[str]
) -> tuple[LocatedFile, ...]:
    if kind == "audiobook":
        parts = categorised["audio"]
        return tuple(LocatedFile(f.path, f.format, f.size, part=i) for i, f in enumerate(parts, start=1))
    if kind == "comic":
        comics = categorised["comic"] or [f for f in categorised["book"] if f.format == "pdf"]
        if len(comics) > 1:
            raise InvalidInput(
                f"The download holds {len(comics)} comic archives: more than one issue",
                hint="Import the right archive by hand.",
            )
        return tuple(comics)
    return _ebook_files(categorised["book"], preferred)


def locate(root: Path, kind: str, *, preferred: Sequence[str] = ("epub",)) -> Located:
    """The book files of one download. `root` is the (mapped) storage path: a file or a folder."""
    if not root.exists():
        raise NotFound(
            f"The download's storage path does not exist: {root}",
            hint="Check the remote path mapping if the download client runs elsewhere.",
        )
    files, special = _listed(root)
    base = root if root.is_dir() else root.parent
    categorised: dict[str, list[LocatedFile]] = {"book": [], "audio": [], "comic": [], "cover": []}
    ignored = [(str(path.relative_to(base)), reason) for path, reason in special]
    for path in files:
        category, reason = _classify(path, base)
        if category == "ignored":
            ignored.append((str(path.relative_to(base)), reason))
        else:
            categorised[category].append(LocatedFile(path, _extension(path), path.stat().st_size))
    copies: list[tuple[Path, Path]] = []
    for category in ("book", "audio", "comic"):
        categorised[category], dropped = drop_copies(categorised[category])
        copies += dropped
    chosen = _pick(kind, categorised, preferred)
    if not chosen:
        found = ", ".join(f"{len(v)} {k}" for k, v in categorised.items() if v) or "nothing usable"
        raise InvalidInput(
            f"No {kind} file in {root} (found {found})",
            hint="The download may be incomplete, of another media kind, or only a sample.",
        )
    covers = tuple(f.path for f in categorised["cover"])
    return Located(base, kind, chosen, covers, tuple(ignored), tuple(copies))


# --- verify ------------------------------------------------------------------------------

MIN_SIZES = {"epub": 200, "cbz": 100, "pdf": 60, "mobi": 100, "azw3": 100}


def _check_zip(path: Path, fmt: str) -> None:
    try:
        with open_regular(path) as handle, zipfile.ZipFile(handle) as archive:
            names = archive.namelist()
            bad = archive.testzip() if size_of(handle) < 256 * 1024 * 1024 else None
    except (zipfile.BadZipFile, OSError) as exc:
        raise InvalidInput(f"{path.name} is not a valid .{fmt} (zip) file: {exc}") from exc
    if bad:
        raise InvalidInput(f"{path.name} is damaged: member {bad!r} fails its checksum")
    if fmt in ("epub", "kepub") and "META-INF/container.xml" not in names:
        raise InvalidInput(f"{path.name} is not an EPUB: META-INF/container.xml is missing")
    if fmt == "cbz" and not any(_extension(Path(n)) in IMAGE_FORMATS for n in names):
        raise InvalidInput(f"{path.name} is not a comic: the archive holds no images")


def _check_signature(path: Path, fmt: str) -> None:
    with open_regular(path) as handle:
        head = handle.read(68)
        if fmt == "pdf":
            handle.seek(max(0, size_of(handle) - 2048))
            tail = handle.read(2048)
    if fmt == "pdf" and (not head.startswith(b"%PDF-") or b"%%EOF" not in tail):
        raise InvalidInput(f"{path.name} is not a complete PDF (missing %PDF header or %%EOF trailer)")
    if fmt in ("mobi", "azw3", "azw") and head[60:68] not in (b"BOOKMOBI", b"TEXtREAd"):
        raise InvalidInput(f"{path.name} is not a MOBI/AZW file (no BOOKMOBI header)")
    if fmt == "cbr" and not head.startswith(b"Rar!\x1a\x07"):
        raise InvalidInput(f"{path.name} is not a RAR archive")


def _check_audio(path: Path) -> None:
    import mutagen

    try:
        with open_regular(path) as handle:
            audio = mutagen.File(handle)
    except Exception as exc:  # mutagen raises many types on damaged files
        raise InvalidInput(f"{path.name} is not a readable audio file: {exc}") from exc
    if audio is None:
        raise InvalidInput(f"{path.name} is not a recognised audio file")


def verify_file(located: LocatedFile) -> None:
    """Fail with a clear reason when a file is empty, unreadable or not what its name says."""
    path, fmt = located.path, located.format
    try:
        with open_regular(path) as handle:  # a FIFO put in its place is refused, not waited on
            size = size_of(handle)
            handle.read(1)
    except OSError as exc:
        raise InvalidInput(f"Cannot read {path.name}: {exc.strerror or exc}") from exc
    if size == 0:
        raise InvalidInput(f"{path.name} is empty (0 bytes)")
    if size < MIN_SIZES.get(fmt, 1):
        raise InvalidInput(f"{path.name} is too small to be a .{fmt} ({size} bytes)")
    if fmt in ("epub", "kepub", "cbz"):
        _check_zip(path, fmt)
    elif fmt in AUDIO_FORMATS:
        _check_audio(path)
    else:
        _check_signature(path, fmt)


# --- the steps ---------------------------------------------------------------------------

from processing.context import BaseStep, ImportContext  # noqa: E402 - steps below the pure functions


def resolve_storage_path(
    reported: str, mappings: Sequence[PathMapping], allowed_roots: Sequence[Path]
) -> Path:
    """Map the client's path and refuse anything outside the allowed download roots."""
    local = map_remote_path(reported, mappings)
    if not local.is_absolute():
        raise InvalidInput(f"Storage path must be absolute: {reported!r}")
    resolved = local.resolve()
    roots = [root.resolve() for root in allowed_roots]
    if roots and not any(resolved == root or resolved.is_relative_to(root) for root in roots):
        raise InvalidInput(
            f"Storage path {resolved} is outside the download folders",
            hint="Only folders under OMNI_DOWNLOADS_DIR, a download client's downloads folder or a mapped "
            "local path are imported: set the client's downloads folder (and path mapping) in Settings.",
        )
    return resolved


class LocateStep(BaseStep):
    name = "locate"

    def run(self, ctx: ImportContext) -> dict:
        ctx.local_path = resolve_storage_path(
            ctx.storage_path, ctx.options.path_mappings, ctx.options.allowed_roots
        )
        ctx.located = locate(ctx.local_path, ctx.item.kind, preferred=(ctx.options.ebook_format,))
        ctx.to_place = [(f, "part" if ctx.item.kind == "audiobook" else "book") for f in ctx.located.files]
        base = ctx.located.root
        ctx.notes += [
            f"{copy.relative_to(base)} is identical to {kept.relative_to(base)} in this download: imported once"
            for copy, kept in ctx.located.copies
        ]
        return {
            "local_path": str(ctx.local_path),
            "files": [str(f.path) for f in ctx.located.files],
            "covers": [str(p) for p in ctx.located.covers],
            "ignored": [list(i) for i in ctx.located.ignored],
            "copies": [[str(copy), str(kept)] for copy, kept in ctx.located.copies],
        }


class VerifyStep(BaseStep):
    name = "verify"

    def run(self, ctx: ImportContext) -> dict:
        files = ctx.require_located().files
        for index, located in enumerate(files, start=1):
            verify_file(located)
            ctx.progress(index, len(files), f"Verified {located.path.name}")
        return {"verified": len(files), "bytes": sum(f.size for f in files)}
