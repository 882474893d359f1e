"""CBR -> CBZ repacking: read a RAR comic safely and write a stored-zip CBZ with the pages in
natural order and ComicInfo.xml kept.

Pure adapter (imports only core): a frozen config in, a frozen result out. RAR needs an
external tool: unrar (reads every RAR) is preferred, then unar, then bsdtar; none present is a
ConfigurationError that names them. Members are read one by one through `rarfile`, except
from a solid archive, which is extracted whole in one run of the tool (read member by member,
it was decompressed again for every page, and the free tools could not read RAR5 solid
archives at all; whole, both read the ones the tests make with `rar`).

Hostile archives are refused before anything is written: member names that leave the
archive (absolute, drive letters, `..`), links, encrypted members, too many members, a
declared size or compression ratio beyond the limits; sizes are counted again while reading,
so a header that lies about its size is caught too."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager as ContextManager
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import rarfile

from core.errors import ConfigurationError, InvalidInput

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".avif", ".jxl")
COMICINFO = "comicinfo.xml"
_CHUNK = 1024 * 1024
_DIGITS = re.compile(r"(\d+)")
_DRIVE = re.compile(r"^[A-Za-z]:")
_TOOL_LOCK = threading.Lock()  # rarfile's tool choice is module-global
EXTRACT_SECONDS = 900  # one run of the tool over a whole solid archive (2 GB at most)


class ArchiveRejected(InvalidInput):
    """The archive is unsafe or implausible (path traversal, bomb, links, encryption)."""

    code = "archive_rejected"


@dataclass(frozen=True)
class RarTools:
    """Executables, in order of preference."""

    unrar: str = "unrar"
    unar: str = "unar"
    bsdtar: str = "bsdtar"


@dataclass(frozen=True)
class ArchiveLimits:
    max_total_bytes: int = 2 * 1024**3
    max_ratio: float = 50.0  # uncompressed / archive size: comic pages hardly compress
    max_members: int = 5000


@dataclass(frozen=True)
class RepackResult:
    output: Path
    pages: int
    comicinfo: bool
    total_bytes: int
    tool: str
    solid: bool
    dropped: tuple[str, ...] = ()  # members that are neither pages nor ComicInfo.xml


def natural_key(name: str) -> tuple:
    """'page2.jpg' before 'page10.jpg'."""
    return tuple(int(part) if part.isdigit() else part for part in _DIGITS.split(name.casefold()))


def safe_member_name(raw: str) -> str:
    """The member's relative POSIX name; ArchiveRejected when it would leave the folder."""
    name = raw.replace("\\", "/")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if not parts or name.startswith("/") or _DRIVE.match(name) or "\x00" in name or ".." in parts:
        raise ArchiveRejected(f"Unsafe member name in archive: {raw!r}")
    return str(PurePosixPath(*parts))


# --- the RAR tool ---------------------------------------------------------------------------


def _choose_tool(tools: RarTools) -> tuple[str, str]:
    """(kind, executable) of the first RAR tool present."""
    for kind, executable in (("unrar", tools.unrar), ("unar", tools.unar), ("bsdtar", tools.bsdtar)):
        found = shutil.which(executable)
        if found:
            return kind, found
    raise ConfigurationError(
        f"Cannot read CBR archives: none of the RAR tools is installed "
        f"(unrar: {tools.unrar!r}, unar: {tools.unar!r}, bsdtar: {tools.bsdtar!r})",
        hint="Install unrar (Debian non-free), or unar / libarchive-tools as a fallback.",
    )


def _activate(kind: str, executable: str) -> None:
    rarfile.UNRAR_TOOL = executable if kind == "unrar" else rarfile.UNRAR_TOOL
    rarfile.UNAR_TOOL = executable if kind == "unar" else rarfile.UNAR_TOOL
    rarfile.BSDTAR_TOOL = executable if kind == "bsdtar" else rarfile.BSDTAR_TOOL
    try:
        rarfile.tool_setup(
            unrar=kind == "unrar",
            unar=kind == "unar",
            bsdtar=kind == "bsdtar",
            sevenzip=False,
            sevenzip2=False,
            force=True,
        )
    except rarfile.RarCannotExec as exc:
        raise ConfigurationError(f"The RAR tool {executable} does not run: {exc}") from exc


# --- checking the members -----------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    pages: tuple[tuple[str, rarfile.RarInfo], ...]  # (safe name, member), natural order
    comicinfo: tuple[str, rarfile.RarInfo] | None
    dropped: tuple[str, ...]
    declared_bytes: int


def _check_member(info: rarfile.RarInfo) -> str:
    name = safe_member_name(info.filename)
    if info.is_symlink():
        raise ArchiveRejected(f"Archive member {info.filename!r} is a link")
    if info.needs_password():
        raise ArchiveRejected(f"Archive member {info.filename!r} is encrypted")
    return name


def plan_members(infos: Iterable[rarfile.RarInfo], archive_size: int, limits: ArchiveLimits) -> _Plan:
    """Validate every member first (nothing is written for a hostile archive)."""
    pages, dropped, seen = [], [], set()
    comicinfo, declared = None, 0
    members = [i for i in infos if not i.is_dir()]
    if len(members) > limits.max_members:
        raise ArchiveRejected(f"Archive holds {len(members)} files (limit {limits.max_members})")
    for info in members:
        name = _check_member(info)
        if name.casefold() in seen:
            raise ArchiveRejected(f"Archive holds {name!r} twice")
        seen.add(name.casefold())
        declared += info.file_size
        if PurePosixPath(name).suffix.lower() in IMAGE_EXTENSIONS:
            pages.append((name, info))
        elif PurePosixPath(name).name.casefold() == COMICINFO and comicinfo is None:
            comicinfo = (name, info)
        else:
            dropped.append(name)
    _check_sizes(declared, archive_size, limits)
    if not pages:
        raise InvalidInput("The CBR holds no images: not a comic")
    pages.sort(key=lambda page: natural_key(page[0]))
    return _Plan(tuple(pages), comicinfo, tuple(dropped), declared)


def _check_sizes(total: int, archive_size: int, limits: ArchiveLimits) -> None:
    if total > limits.max_total_bytes:
        raise ArchiveRejected(f"Archive unpacks to {total} bytes (limit {limits.max_total_bytes})")
    if total > max(archive_size, 1) * limits.max_ratio:
        raise ArchiveRejected(
            f"Archive unpacks to {total} bytes from {archive_size}: compression ratio beyond "
            f"{limits.max_ratio:g} (a zip/rar bomb?)"
        )


# --- writing the CBZ ----------------------------------------------------------------------


OpenMember = Callable[[str, rarfile.RarInfo], ContextManager[BinaryIO]]


def _copy_member(open_member: OpenMember, info: rarfile.RarInfo, name: str, cbz: zipfile.ZipFile) -> int:
    """Stream one member into the zip (stored), counting the real bytes."""
    target = zipfile.ZipInfo(name, date_time=info.date_time or (1980, 1, 1, 0, 0, 0))
    target.compress_type = zipfile.ZIP_STORED
    written = 0
    with open_member(name, info) as source, cbz.open(target, "w", force_zip64=info.file_size > 2**31) as sink:
        while block := source.read(_CHUNK):
            written += len(block)
            if written > info.file_size:
                raise ArchiveRejected(f"Archive member {name!r} is larger than its header says")
            sink.write(block)
    return written


def _write_cbz(open_member: OpenMember, plan: _Plan, output: Path, limits: ArchiveLimits) -> int:
    unfinished = output.with_name(f".{output.name}.part")
    total = 0
    try:
        with zipfile.ZipFile(unfinished, "w", compression=zipfile.ZIP_STORED) as cbz:
            members = [*plan.pages, *([plan.comicinfo] if plan.comicinfo else [])]
            for name, info in members:
                total += _copy_member(open_member, info, name, cbz)
                if total > limits.max_total_bytes:
                    raise ArchiveRejected(f"Archive unpacks to more than {limits.max_total_bytes} bytes")
        unfinished.replace(output)
    finally:
        unfinished.unlink(missing_ok=True)
    return total


def _repack(
    archive: rarfile.RarFile, plan: _Plan, output: Path, limits: ArchiveLimits, extract_all: ExtractAll | None
) -> int:
    """Members are read from the archive one by one, except from a solid archive (given
    `extract_all`): the tool decompresses one of those from the archive's start every time,
    so a 200-page comic took 20,000 page decompressions. It is extracted in one run of the tool
    into a private folder beside the output instead (already checked: safe names, no links,
    sizes within the limits; sizes are counted again while the CBZ is written)."""
    if extract_all is None:
        return _write_cbz(lambda name, info: archive.open(info), plan, output, limits)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=f".{output.stem}-pages-") as folder:
        extract_all(Path(folder))
        return _write_cbz(partial(_extracted, Path(folder)), plan, output, limits)


ExtractAll = Callable[[Path], None]
_EXTRACT_ALL = {  # one run of the tool: every member into a folder, no password, no questions
    "unrar": lambda tool, source, folder: [tool, "x", "-y", "-idq", "-p-", "-o+", str(source), f"{folder}{os.sep}"],
    "unar": lambda tool, source, folder: [tool, "-q", "-f", "-D", "-p", "", "-o", str(folder), str(source)],
    "bsdtar": lambda tool, source, folder: [tool, "-x", "-f", str(source), "-C", str(folder)],
}


def _extract_all(kind: str, executable: str, source: Path, folder: Path) -> None:
    command = _EXTRACT_ALL[kind](executable, source.resolve(), folder)
    try:
        subprocess.run(command, check=True, capture_output=True, stdin=subprocess.DEVNULL, timeout=EXTRACT_SECONDS)
    except subprocess.CalledProcessError as exc:
        said = (exc.stderr or exc.stdout or b"").decode(errors="replace").strip()[-300:]
        raise rarfile.Error(f"{kind} exited with {exc.returncode}: {said}") from exc
    except subprocess.TimeoutExpired as exc:
        raise rarfile.Error(f"{kind} took more than {EXTRACT_SECONDS} s") from exc


def _extracted(folder: Path, name: str, info: rarfile.RarInfo) -> BinaryIO:
    path = folder / name
    if not path.is_file() or path.is_symlink():
        raise InvalidInput(f"Archive member {name!r} was not extracted")
    return path.open("rb")


def verify_cbz(path: Path, expected: list[str]) -> None:
    """Re-read the written CBZ: every member present in order, stored, CRCs right."""
    try:
        with zipfile.ZipFile(path) as cbz:
            infos = cbz.infolist()
            bad = cbz.testzip()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InvalidInput(f"The repacked CBZ {path.name} cannot be read: {exc}") from exc
    if bad is not None:
        raise InvalidInput(f"The repacked CBZ {path.name} is damaged at {bad!r}")
    if [i.filename for i in infos] != expected:
        raise InvalidInput(f"The repacked CBZ {path.name} does not hold the expected pages")
    if any(i.compress_type != zipfile.ZIP_STORED for i in infos):
        raise InvalidInput(f"The repacked CBZ {path.name} is not a stored zip")


def _read_error(exc: Exception, kind: str, solid: bool) -> InvalidInput:
    why = f"{type(exc).__name__}: {exc}".strip()
    if kind != "unrar" and solid:
        return InvalidInput(
            f"{kind} cannot extract this solid RAR archive ({why})",
            hint="Install unrar: it reads every RAR archive, including RAR5 solid ones.",
        )
    return InvalidInput(f"The CBR cannot be read with {kind}: {why}")


def repack_cbr(
    source: Path, output: Path, *, tools: RarTools = RarTools(), limits: ArchiveLimits = ArchiveLimits()
) -> RepackResult:
    """Write `output` (a CBZ) from the RAR comic `source`; `source` is only read."""
    kind, executable = _choose_tool(tools)
    with _TOOL_LOCK:
        _activate(kind, executable)
        try:
            with rarfile.RarFile(source, errors="strict") as archive:  # a bad header fails, never drops pages
                solid = bool(archive.is_solid())
                plan = plan_members(archive.infolist(), source.stat().st_size, limits)
                extract_all = partial(_extract_all, kind, executable, source) if solid else None
                try:
                    total = _repack(archive, plan, output, limits, extract_all)
                except rarfile.Error as exc:
                    raise _read_error(exc, kind, solid) from exc
        except rarfile.NotRarFile as exc:
            raise InvalidInput(f"{source.name} is not a RAR archive") from exc
        except rarfile.BadRarFile as exc:
            raise InvalidInput(f"{source.name} is a damaged RAR archive: {exc}") from exc
    names = [name for name, _ in plan.pages] + ([plan.comicinfo[0]] if plan.comicinfo else [])
    verify_cbz(output, names)
    return RepackResult(output, len(plan.pages), plan.comicinfo is not None, total, kind, solid, plan.dropped)
