"""Files are files. Libraries and download folders are read only through regular files:
a device file never ends (a symlink to /dev/zero read "to the end" fills the memory), a FIFO
blocks open() until some writer comes, a socket cannot be read at all.

- `skip_reason` says why a walk leaves an entry out (special file, empty file), from the
  stat the walk already has;
- `open_regular` opens without blocking (O_NONBLOCK) and refuses anything whose open file
  is not regular (fstat right after open), so a FIFO put in a book's place after the walk
  cannot hang the reader;
- `read_limited` reads a whole small file (sidecar, cover) up to a byte limit.
Both raise an OSError subclass, so code that already handles unreadable files handles these."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import stat
from collections.abc import Iterator

_SPECIAL_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)
EMPTY_REASON = "empty file (0 bytes): not a book, skipped"


def kind_of(mode: int) -> str:
    """What a file of this st_mode is, in words ('a FIFO (named pipe)')."""
    return next((name for test, name in _SPECIAL_KINDS if test(mode)), "not a regular file")


def special_reason(mode: int) -> str:
    """Why a file of this mode is never read, or '' for a regular file."""
    return "" if stat.S_ISREG(mode) else f"{kind_of(mode)}, not a regular file: skipped"


def skip_reason(st: os.stat_result) -> str:
    """Why a walked book file is left out (special or empty), or '' when it is read."""
    return special_reason(st.st_mode) or ("" if st.st_size else EMPTY_REASON)


class NotARegularFile(OSError):
    def __init__(self, path: str | os.PathLike[str], mode: int) -> None:
        super().__init__(errno.EINVAL, f"{kind_of(mode)}, not a regular file", os.fspath(path))


class FileTooLarge(OSError):
    def __init__(self, path: str | os.PathLike[str], limit: int) -> None:
        super().__init__(errno.EFBIG, f"larger than the {limit} byte limit", os.fspath(path))


def _open_checked(path: str | os.PathLike[str]) -> tuple[int, os.stat_result]:
    """A descriptor open for reading and its fstat, if it is a regular file; else NotARegularFile.
    O_NONBLOCK makes the open of a FIFO return at once (and has no effect on a regular file's
    reads, so it is left set)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotARegularFile(path, st.st_mode)
    except BaseException:
        os.close(fd)
        raise
    return fd, st


@contextlib.contextmanager
def regular_fd(path: str | os.PathLike[str]) -> Iterator[tuple[int, os.stat_result]]:
    """`(descriptor, its stat)` of a regular file, for `read_at`: the fewest system calls (hashing)."""
    fd, st = _open_checked(path)
    try:
        yield fd, st
    finally:
        os.close(fd)


def read_at(fd: int, size: int, offset: int = 0) -> bytes:
    """`size` bytes from `offset` (fewer only at the end of the file)."""
    chunks = []
    while size > 0 and (chunk := os.pread(fd, size, offset)):
        chunks.append(chunk)
        size -= len(chunk)
        offset += len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def open_regular(path: str | os.PathLike[str]) -> io.BufferedReader:
    """The file opened for reading, if it is a regular file (symlinks followed); else
    NotARegularFile, without ever waiting for a FIFO's writer."""
    fd, _ = _open_checked(path)
    try:
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    handle.raw.name = os.fspath(path)  # not the descriptor's number: readers name it, mutagen reads its suffix
    return handle


def size_of(handle: io.BufferedReader) -> int:
    """The open file's size now: reads plan from it, never "to the end"."""
    return os.fstat(handle.fileno()).st_size


def read_limited(path: str | os.PathLike[str], limit: int) -> bytes:
    """A whole regular file of at most `limit` bytes; FileTooLarge for a bigger one (also one
    that grows past the limit while it is read)."""
    with open_regular(path) as handle:
        if size_of(handle) > limit:
            raise FileTooLarge(path, limit)
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(path, limit)
    return data
