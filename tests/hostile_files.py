"""Special files for tests that must not hang or exhaust the suite when the code they test
regresses: a FIFO whose blocked reader is released after a while, a Unix socket file, and a
cap on the process's address space while a device file is in reach."""

from __future__ import annotations

import contextlib
import errno
import os
import resource
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

RELEASE_AFTER_SECONDS = 5.0


@contextlib.contextmanager
def released_fifo(path: Path, *, after: float = RELEASE_AFTER_SECONDS) -> Iterator[threading.Event]:
    """A FIFO at `path`. Code that opens it and waits for a writer (the bug) is released after
    `after` seconds by a writer that opens it and closes at once (the reader sees an empty
    file); the event yielded tells the test it had to."""
    os.mkfifo(path)
    released, stop = threading.Event(), threading.Event()

    def release() -> None:
        if stop.wait(after):
            return
        while not stop.is_set():
            try:
                os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
                released.set()
            except OSError as exc:  # ENXIO: nobody is reading it now
                if exc.errno not in (errno.ENXIO, errno.ENOENT):
                    raise
            time.sleep(0.02)

    thread = threading.Thread(target=release, daemon=True)
    thread.start()
    try:
        yield released
    finally:
        stop.set()
        thread.join(5)


@contextlib.contextmanager
def unix_socket(path: Path) -> Iterator[None]:
    """A Unix socket file at `path` (bound from its folder: socket paths are short)."""
    with socket.socket(socket.AF_UNIX) as sock:
        cwd = os.getcwd()
        os.chdir(path.parent)
        try:
            sock.bind(path.name)
        finally:
            os.chdir(cwd)
        yield


@contextlib.contextmanager
def memory_capped(extra_bytes: int = 1024 * 1024 * 1024) -> Iterator[None]:
    """Cap the address space at its present size plus `extra_bytes`: a read of /dev/zero
    without a limit ends in MemoryError instead of taking the machine's memory."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as statm:
        size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    cap = size + extra_bytes if hard == resource.RLIM_INFINITY else min(size + extra_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
