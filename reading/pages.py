"""Comic pages one by one, fast: the page list of a CBZ/CBR (images in natural order, as the scan
counts them) is worked out once per archive version and kept.

- CBZ: the index (page names and their zip entries: offsets, sizes, CRCs) stays in process
  memory, keyed by path + size + mtime. A page is then one open, one seek and one read (plus
  inflating that one member): the archive's directory is not parsed again.
- CBR: a RAR archive is usually solid (each member depends on the ones before it), so one page
  cannot be read without decompressing the pages before it. The first request extracts the
  pages once with one run of the RAR tool into a size-capped page cache (reading.disk_cache)
  keyed the same way; later pages are plain files.

Archive limits and unsafe member names are the scan's (SafeZip, is_safe_member_name)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import threading
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from core.files import NotARegularFile, read_limited
from reading.disk_cache import DiskCache, remove
from scanning.extractors.base import ExtractionError, ExtractOptions
from scanning.extractors.comic import _pick, configure_rar_backend
from scanning.extractors.safety import (
    SafeZip,
    check_member,
    image_media_type,
    is_safe_member_name,
    open_book,
    read_intact_member,
)

OPTIONS = ExtractOptions(with_cover=False)
ZIP_FORMATS = frozenset({"cbz", "zip"})
RAR_FORMATS = frozenset({"cbr", "rar"})
PAGED_FORMATS = ZIP_FORMATS | RAR_FORMATS
INDEX_CACHE_SIZE = 256  # archives whose page index is kept in memory (a few KB each)
EXTRACT_TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class Page:
    data: bytes
    media_type: str


@dataclass(frozen=True)
class ArchiveKey:
    """One version of one archive: a rewrite changes size or mtime, and so the key."""

    path: str
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path, st: os.stat_result) -> ArchiveKey:
        return cls(os.fspath(path), st.st_size, st.st_mtime_ns)

    @property
    def digest(self) -> str:
        return hashlib.sha256(f"{self.path}\0{self.size}\0{self.mtime_ns}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class PageIndex:
    key: ArchiveKey
    names: tuple[str, ...]
    zip_members: tuple[zipfile.ZipInfo, ...] = ()  # CBZ: the entry of each page
    folder: Path | None = None  # CBR: where the pages were extracted (page i is file i)

    @property
    def count(self) -> int:
        return len(self.names)


class _IndexCache:
    """A small thread-safe LRU of page indexes; `builds` counts the misses (tests, benchmark)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[ArchiveKey, PageIndex] = OrderedDict()
        self._lock = threading.Lock()
        self.builds = 0

    def get(self, key: ArchiveKey) -> PageIndex | None:
        with self._lock:
            index = self._entries.get(key)
            if index is not None:
                self._entries.move_to_end(key)
            return index

    def put(self, index: PageIndex) -> None:
        with self._lock:
            self.builds += 1
            self._entries[index.key] = index
            self._entries.move_to_end(index.key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


INDEXES = _IndexCache(INDEX_CACHE_SIZE)


def page_cache() -> DiskCache:
    return DiskCache(Path(settings.CACHE_DIR) / "pages", settings.PAGE_CACHE_MB * 1024 * 1024)


def _format(path: Path) -> str:
    return path.suffix.lower().lstrip(".")


def page_index(path: Path) -> PageIndex:
    """The page index of the archive as it is now (built on first use of this version)."""
    fmt = _format(path)
    if fmt not in PAGED_FORMATS:
        raise ExtractionError(f"{fmt or 'this file'} has no pages to stream")
    st = os.stat(path)  # never blocks; reads open the file as a regular file and compare the key
    if not stat.S_ISREG(st.st_mode):
        raise NotARegularFile(path, st.st_mode)
    key = ArchiveKey.of(path, st)
    index = INDEXES.get(key)
    if index is None or (index.folder is not None and not index.folder.is_dir()):
        index = _zip_index(path, key) if fmt in ZIP_FORMATS else _rar_index(path, key)
        INDEXES.put(index)
    return index


def page_names(path: Path) -> list[str]:
    return list(page_index(path).names)


def read_page(path: Path, number: int, index: PageIndex | None = None) -> Page:
    """Page `number` (1-based). IndexError when there is no such page."""
    index = index or page_index(path)
    if not 1 <= number <= index.count:
        raise IndexError(number)
    data = _read_extracted(index, number) if index.folder is not None else _read_zip_page(path, index, number)
    return Page(data, image_media_type(data) or "application/octet-stream")


# --- CBZ -----------------------------------------------------------------------------------


def _zip_index(path: Path, key: ArchiveKey) -> PageIndex:
    with SafeZip(path, OPTIONS) as zf:
        names = _pick(zf.names())[1]
        return PageIndex(key, tuple(names), zip_members=tuple(zf.infos[n] for n in names))


def _read_zip_page(path: Path, index: PageIndex, number: int) -> bytes:
    info = index.zip_members[number - 1]
    cap = check_member(info, OPTIONS)
    with open_book(path) as handle:
        if ArchiveKey.of(path, os.fstat(handle.fileno())) != index.key:  # rewritten since: read it afresh
            INDEXES.clear()
            return read_page(path, number).data
        data = read_intact_member(handle, info) if info.compress_size <= cap else None
    if data is None:  # an unusual member (data descriptor, other method): zipfile reads and judges it
        with SafeZip(path, OPTIONS) as zf:
            data = zf.read(info.filename)
    return data


# --- CBR -----------------------------------------------------------------------------------


def _rar_index(path: Path, key: ArchiveKey) -> PageIndex:
    cache = page_cache()
    folder = cache.get(key.digest)
    if folder is None or not (folder / "index.json").is_file():
        folder = _extract_rar(path, key, cache)
    names = json.loads((folder / "index.json").read_text())["names"]
    return PageIndex(key, tuple(names), folder=folder)


def _read_extracted(index: PageIndex, number: int) -> bytes:
    assert index.folder is not None
    try:
        return read_limited(index.folder / f"{number:05d}", OPTIONS.max_member_bytes)
    except FileNotFoundError:  # evicted meanwhile: extract again
        INDEXES.clear()
        return read_page(Path(index.key.path), number).data


def _rar_members(handle) -> dict[str, object]:
    import rarfile

    try:
        with rarfile.RarFile(handle) as rf:
            return {i.filename: i for i in rf.infolist() if not i.is_dir() and is_safe_member_name(i.filename)}
    except (rarfile.Error, OSError) as exc:
        raise ExtractionError(f"not a readable RAR archive: {exc}") from exc


def _extract_rar(path: Path, key: ArchiveKey, cache: DiskCache) -> Path:
    """Extract the pages with one run of the RAR tool into the cache: page i becomes file
    `0000i`, the names go to index.json. Nothing of the archive's names reaches a path we open
    except through the tool's own extraction folder, which is checked."""
    with open_book(path) as handle:
        tool = configure_rar_backend()
        members = _rar_members(handle)
        names = _pick(list(members))[1]
        declared = sum(members[n].file_size for n in names)
        if declared > OPTIONS.max_total_bytes:
            raise ExtractionError(f"archive declares {declared} bytes of pages, over the {OPTIONS.max_total_bytes} cap")
        work = cache.work_path(key.digest)
        raw = work / "raw"
        raw.mkdir(parents=True)
        try:
            _run_extractor(tool, handle.fileno(), raw)
            for number, name in enumerate(names, start=1):
                source = raw.joinpath(*name.split("/"))
                if source.is_symlink() or not source.is_file() or not source.resolve().is_relative_to(raw.resolve()):
                    raise ExtractionError(f"page {name!r} was not extracted")
                source.rename(work / f"{number:05d}")
            shutil.rmtree(raw)
            (work / "index.json").write_text(json.dumps({"source": key.path, "names": names}))
            return cache.commit(work, key.digest)
        except BaseException:
            remove(work)
            raise


def _extractor_command(tool: str, archive: str, dest: Path) -> list[str]:
    if tool == "unrar":
        return ["unrar", "x", "-idq", "-o+", "-p-", "-y", archive, f"{dest}/"]
    return ["unar", "-q", "-f", "-D", "-p", "", "-o", str(dest), archive]


def _run_extractor(tool: str, fd: int, dest: Path) -> None:
    """The tool reads the archive through the descriptor we opened and checked (/dev/fd/N), so a
    file swapped in after the check is never what it reads."""
    command = _extractor_command(tool, f"/dev/fd/{fd}", dest)
    try:
        result = subprocess.run(
            command,
            pass_fds=(fd,),
            capture_output=True,
            timeout=EXTRACT_TIMEOUT_SECONDS,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ExtractionError(f"{tool} took longer than {EXTRACT_TIMEOUT_SECONDS} s") from exc
    if result.returncode != 0:
        said = (result.stderr or result.stdout).decode(errors="replace").strip()[-300:]
        raise ExtractionError(f"{tool} could not extract the archive (exit {result.returncode}): {said}")
